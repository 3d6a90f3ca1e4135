import Foundation
import HTTP1
import HTTPServer
import Testing
@testable import SocketIO

@Suite struct ClientFilesTests {
    /// A fresh directory with the given files (name → content).
    func directory(_ files: [String: String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("client-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, content) in files {
            try Data(content.utf8).write(to: URL(fileURLWithPath: path + "/" + name))
        }
        return path
    }

    func get(_ path: String, method: String = "GET", headers: HTTPHeaders = HTTPHeaders()) -> HTTPRequest {
        HTTPRequest(method: method, target: path, path: path, queryItems: [], headers: headers, body: [],
                    remoteAddress: "127.0.0.1", isWebSocketUpgrade: false)
    }

    @Test func servesClientFilesWithTypeValidatorAndCachePolicy() throws {
        let files = ClientFiles(directory: try directory(["socket.io.js": "full", "socket.io.min.js.map": "{}"]),
                                path: "/socket.io")
        let response = files.response(for: get("/socket.io/socket.io.js"))
        #expect(response.status == 200)
        #expect(response.body == Array("full".utf8))
        #expect(response.headers["content-type"] == "application/javascript; charset=utf-8")
        #expect(response.headers["cache-control"] == "public, max-age=0")
        #expect(response.compressible)
        #expect(files.response(for: get("/socket.io/socket.io.min.js.map")).headers["content-type"]?
            .hasPrefix("application/json") == true)
        #expect(files.status == .serving(directory: files.directory, files: ["socket.io.js", "socket.io.min.js.map"]))
    }

    @Test func answers304WhenTheTagMatches() throws {
        let files = ClientFiles(directory: try directory(["socket.io.js": "full"]), path: "/socket.io/")
        let etag = try #require(files.response(for: get("/socket.io/socket.io.js")).headers["etag"])
        for header in [etag, "W/\(etag)", "\"other\", \(etag)", "*"] {
            let response = files.response(for: get("/socket.io/socket.io.js", headers: ["If-None-Match": header]))
            #expect(response.status == 304, "If-None-Match: \(header)")
            #expect(response.body.isEmpty)
        }
        #expect(files.response(for: get("/socket.io/socket.io.js", headers: ["If-None-Match": "\"other\""])).status == 200)
    }

    @Test func minifiedBuildStandsInForTheFullOne() throws {
        let files = ClientFiles(directory: try directory(["socket.io.min.js": "min"]), path: "/socket.io/")
        #expect(files.response(for: get("/socket.io/socket.io.js")).body == Array("min".utf8))
        #expect(files.response(for: get("/socket.io/socket.io.esm.min.js")).status == 404)
    }

    @Test func missingClientAnswers404WithAHint() throws {
        let empty = try directory([:])
        let files = ClientFiles(directory: empty, path: "/socket.io/")
        let response = files.response(for: get("/socket.io/socket.io.js"))
        #expect(response.status == 404)
        #expect(String(decoding: response.body, as: UTF8.self).contains("scripts/fetch-client"))
        guard case .missing = files.status else { Issue.record("status \(files.status)"); return }

        // Fetched while running: picked up without a restart.
        try Data("late".utf8).write(to: URL(fileURLWithPath: empty + "/socket.io.min.js"))
        #expect(files.response(for: get("/socket.io/socket.io.js")).body == Array("late".utf8))
    }

    @Test func claimsOnlyClientFileNamesUnderItsPath() throws {
        let files = ClientFiles(directory: try directory(["socket.io.js": "full"]), path: "/socket.io/")
        #expect(files.handles(get("/socket.io/socket.io.js")))
        #expect(files.handles(get("/socket.io/socket.io.msgpack.min.js.map")))
        for path in ["/socket.io/", "/socket.io/app.js", "/socket.io.js", "/socket.io/../socket.io.js",
                     "/socket.io/socket.io..js", "/socket.io/sub/socket.io.js", "/other/socket.io.js"] {
            #expect(!files.handles(get(path)), "\(path)")
        }
        #expect(files.response(for: get("/socket.io/socket.io.js", method: "POST")).status == 405)
    }

    @Test func etagDependsOnContentOnly() {
        #expect(ClientFiles.etag(of: Array("a".utf8)) == ClientFiles.etag(of: Array("a".utf8)))
        #expect(ClientFiles.etag(of: Array("a".utf8)) != ClientFiles.etag(of: Array("b".utf8)))
    }

    @Test func serveClientCanBeTurnedOff() throws {
        var options = ServerOptions()
        options.clientDirectory = try directory(["socket.io.js": "full"])
        #expect(SocketIOServer(options).clientBundle == .serving(directory: options.clientDirectory, files: ["socket.io.js"]))
        options.serveClient = false
        let server = SocketIOServer(options)
        #expect(server.clientBundle == .disabled)
        #expect(server.router.clientFiles == nil)
    }
}
