import Deflate
import Foundation
import Testing
import HTTP1
@testable import HTTPServer

/// A temporary web root with a symlink that points out of it.
final class WebRoot {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "webroot-\(UUID().uuidString)"
        let fm = FileManager.default
        try fm.createDirectory(atPath: path + "/sub", withIntermediateDirectories: true)
        try Data("<h1>home</h1>".utf8).write(to: URL(fileURLWithPath: path + "/index.html"))
        try Data(String(repeating: "console.log('hi');\n", count: 200).utf8).write(to: URL(fileURLWithPath: path + "/app.js"))
        try Data([0x89, 0x50, 0x4E, 0x47]).write(to: URL(fileURLWithPath: path + "/sub/logo.png"))
        try Data("inner".utf8).write(to: URL(fileURLWithPath: path + "/sub/index.html"))
        try fm.createSymbolicLink(atPath: path + "/passwd", withDestinationPath: "/etc/passwd")
        try fm.createSymbolicLink(atPath: path + "/etc", withDestinationPath: "/etc")
        try fm.createSymbolicLink(atPath: path + "/alias.js", withDestinationPath: path + "/app.js")
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct StaticFileTests {
    func request(_ target: String, method: String = "GET", headers: HTTPHeaders = ["Host": "t"]) throws -> HTTPRequest {
        let (path, query) = try HTTPTarget.parse(target)
        return HTTPRequest(method: method, target: target, path: path, queryItems: query, headers: headers, body: [],
                           remoteAddress: "127.0.0.1", isWebSocketUpgrade: false)
    }

    @Test func servesFilesWithTypesEtagsAndIndexes() throws {
        let root = try WebRoot()
        let files = StaticFileHandler(root: root.path, cacheControl: "public, max-age=60")
        let home = files.response(for: try request("/"))
        #expect(home.status == 200)
        #expect(String(decoding: home.body, as: UTF8.self) == "<h1>home</h1>")
        #expect(home.headers["content-type"] == "text/html; charset=utf-8")
        #expect(home.headers["cache-control"] == "public, max-age=60")
        #expect(home.compressible)
        #expect(files.response(for: try request("/sub")).body == Array("inner".utf8))
        let png = files.response(for: try request("/sub/logo.png"))
        #expect(png.headers["content-type"] == "image/png")
        #expect(!png.compressible)
        let js = files.response(for: try request("/app.js"))
        #expect(js.headers["content-type"] == "text/javascript; charset=utf-8")
        let etag = try #require(js.headers["etag"])
        let cached = files.response(for: try request("/app.js", headers: ["Host": "t", "If-None-Match": "\"nope\", \(etag)"]))
        #expect(cached.status == 304)
        #expect(cached.body.isEmpty)
        #expect(files.response(for: try request("/alias.js")).status == 200) // symlink inside the root
        #expect(files.response(for: try request("/missing.css")).status == 404)
        #expect(files.response(for: try request("/app.js", method: "POST")).status == 405)
    }

    @Test(arguments: ["/../etc/passwd", "/%2e%2e/etc/passwd", "/sub/%2E%2E/%2e%2e/etc/passwd", "/sub/../../x", "/a%5c..%5cb"])
    func traversalIsRefused(_ target: String) throws {
        let root = try WebRoot()
        let files = StaticFileHandler(root: root.path)
        let response = files.response(for: try request(target))
        #expect(response.status == 400 || response.status == 404)
        #expect(!String(decoding: response.body, as: UTF8.self).contains("root:"))
    }

    @Test(arguments: ["/passwd", "/etc/passwd", "/etc/hostname"])
    func symlinksOutOfTheRootAre404(_ target: String) throws {
        let root = try WebRoot()
        let response = StaticFileHandler(root: root.path).response(for: try request(target))
        #expect(response.status == 404)
    }

    @Test func liveThroughARouterWithGzip() throws {
        let root = try WebRoot()
        let router = HTTPRouter()
        router.add(method: "GET", path: "/health") { _, responder in responder.send(text(200, "up")) }
        router.add(pathPrefix: "/static", handler: StaticFileHandler(root: root.path, urlPrefix: "/static"))
        let server = try LiveServer(handler: router)
        defer { server.stop() }
        let client = try server.client()
        client.send("GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.readResponse()?.text == "up")
        client.send("GET /static/app.js HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n")
        let js = client.readResponse()
        #expect(js?.headers["content-encoding"] == "gzip")
        #expect(js.flatMap { Gzip.decompress($0.body, maxOutput: 1 << 20) }.map { $0.count } == 200 * 19)
        client.send("GET /static/../../etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.readResponse()?.status == 400)
        client.send("HEAD /static/ HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = client.readResponse(headRequest: true)
        #expect(head?.headers["content-length"] == "13")
        client.send("GET /elsewhere HTTP/1.1\r\nHost: t\r\n\r\n")
        let missing = client.readResponse()
        #expect(missing?.status == 404)
        #expect(missing?.headers["content-type"]?.hasPrefix("text/plain") == true)
    }
}

@Suite struct StaticFileSecurityHeaderTests {
    func request(_ target: String, method: String = "GET") throws -> HTTPRequest {
        let (path, query) = try HTTPTarget.parse(target)
        return HTTPRequest(method: method, target: target, path: path, queryItems: query, headers: ["Host": "t"],
                           body: [], remoteAddress: "127.0.0.1", isWebSocketUpgrade: false)
    }

    /// Pages, scripts, 304s and refusals all say: no sniffing, this policy, no referrer to other sites.
    @Test(arguments: ["/", "/app.js", "/missing", "/sub/logo.png"])
    func everyAnswerCarriesTheSecurityHeaders(target: String) throws {
        let root = try WebRoot()
        let response = StaticFileHandler(root: root.path).response(for: try request(target))
        #expect(response.headers["x-content-type-options"] == "nosniff")
        #expect(response.headers["referrer-policy"] == "same-origin")
        let policy = try #require(response.headers["content-security-policy"])
        #expect(policy == StaticFileHandler.defaultContentSecurityPolicy)
        #expect(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"))
        #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"))
    }

    @Test func anAppChoosesItsOwnPolicyOrNone() throws {
        let root = try WebRoot()
        let own = StaticFileHandler(root: root.path, contentSecurityPolicy: "default-src 'none'")
        #expect(own.response(for: try request("/")).headers["content-security-policy"] == "default-src 'none'")
        let none = StaticFileHandler(root: root.path, contentSecurityPolicy: nil)
        let response = none.response(for: try request("/"))
        #expect(response.headers["content-security-policy"] == nil)
        #expect(response.headers["x-content-type-options"] == "nosniff")
    }
}
