import Foundation
import HTTP1
import HTTPServer
import Synchronization

/// What the server does about the stock browser client (`ServerOptions.serveClient`).
public enum ClientBundleStatus: Sendable, Equatable {
    /// `serveClient` is off: nothing is served under the client's names.
    case disabled
    /// These files of socket.io-client's `dist/` are served under `options.path`.
    case serving(directory: String, files: [String])
    /// `directory` holds no client; its URLs answer 404 with `hint`, and the app should show it at startup.
    case missing(directory: String, hint: String)
}

extension SocketIOServer {
    /// `serveStatic`'s default policy: `default-src 'self'`, scripts, styles and connections (WebSocket
    /// included) from this origin only, images also as `data:` URLs, no plugins, `frame-ancestors 'none'`.
    public static let defaultContentSecurityPolicy = StaticFileHandler.defaultContentSecurityPolicy

    /// Whether the browser client is served, and which files; look at it after `init` to warn early.
    public var clientBundle: ClientBundleStatus { router.clientFiles?.status ?? .disabled }

    /// Serves the files below `directory` at `urlPrefix` (e.g. an app's web page at `/`), for GET and HEAD
    /// requests that neither the Socket.IO endpoint nor a `route` took. Paths cannot leave `directory`
    /// (`..`, encoded or not, and symlinks out of it are refused); the longest matching prefix wins.
    /// Every answer carries `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` and
    /// `contentSecurityPolicy` (default: scripts, styles and connections from this origin only, no
    /// inline code, no framing; nil sends none).
    public func serveStatic(_ directory: String, at urlPrefix: String = "/",
                            cacheControl: String = "public, max-age=0",
                            contentSecurityPolicy: String? = SocketIOServer.defaultContentSecurityPolicy) {
        router.addStatic(StaticFileHandler(root: directory, urlPrefix: urlPrefix, cacheControl: cacheControl,
                                           contentSecurityPolicy: contentSecurityPolicy))
    }
}

/// Serves the stock client from a directory holding (part of) socket.io-client's `dist/`, as Node's
/// `serveClient` does: `<path>socket.io.js`, `<path>socket.io.min.js` and whatever else of `dist/` is there.
///
/// The files are small and never change while the server runs, so they are read once and kept in memory.
/// A directory that was empty at startup is looked at again on request, so fetching the client does not
/// need a restart.
final class ClientFiles: Sendable {
    struct File: Sendable {
        let body: [UInt8]
        let etag: String
        let contentType: String
    }

    let directory: String
    /// The Engine.IO path with a trailing slash, e.g. `/socket.io/`.
    let prefix: String
    private let files: Mutex<[String: File]>

    /// Node caches the client by ETag only: every use revalidates, and an unchanged file costs a 304.
    static let cacheControl = "public, max-age=0"
    /// Larger files are not part of any client build; skipping them keeps a mistake from filling memory.
    static let maxFileBytes = 8 * 1024 * 1024

    init(directory: String, path: String) {
        self.directory = directory
        prefix = path.hasSuffix("/") ? path : path + "/"
        files = Mutex(ClientFiles.load(directory))
    }

    var status: ClientBundleStatus {
        let names = currentFiles().keys.sorted()
        return names.isEmpty ? .missing(directory: directory, hint: hint) : .serving(directory: directory, files: names)
    }

    var hint: String {
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
        return "The Socket.IO browser client is not installed: no socket.io*.js in \(absolute). "
            + "Fetch it with scripts/fetch-client (or copy socket.io-client 4.x's dist/ files there)."
    }

    /// True for requests naming a client file under the Engine.IO path (anything else there is the engine's).
    func handles(_ request: HTTPRequest) -> Bool {
        guard request.path.hasPrefix(prefix) else { return false }
        return ClientFiles.isClientFileName(request.path.dropFirst(prefix.count))
    }

    func response(for request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return ClientFiles.plain(405, "Method Not Allowed", extra: ["Allow": "GET, HEAD"])
        }
        let name = String(request.path.dropFirst(prefix.count))
        let available = currentFiles()
        // The minified build is the same client: serve it where only it was installed.
        guard let file = available[name] ?? (name == "socket.io.js" ? available["socket.io.min.js"] : nil) else {
            return ClientFiles.plain(404, available.isEmpty ? hint : "Not Found")
        }
        var headers: HTTPHeaders = [
            "Content-Type": file.contentType,
            "ETag": file.etag,
            "Cache-Control": ClientFiles.cacheControl,
            "Vary": "Accept-Encoding",
        ]
        if let tags = request.headers["if-none-match"], ClientFiles.matches(ifNoneMatch: tags, etag: file.etag) {
            headers.remove(name: "content-type")
            return HTTPResponse(status: 304, headers: headers)
        }
        return HTTPResponse(status: 200, headers: headers, body: file.body, compressible: true)
    }

    private func currentFiles() -> [String: File] {
        let loaded = files.withLock { $0 }
        guard loaded.isEmpty else { return loaded }
        let fresh = ClientFiles.load(directory)
        if !fresh.isEmpty { files.withLock { $0 = fresh } }
        return fresh
    }

    // MARK: Helpers

    /// `socket.io.js`, `socket.io.min.js.map`, `socket.io.esm.min.js`, ...: one path segment, no `..`.
    static func isClientFileName(_ name: Substring) -> Bool {
        guard name.hasPrefix("socket.io"), name.hasSuffix(".js") || name.hasSuffix(".map"),
              !name.contains("..") else { return false }
        return name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    static func load(_ directory: String) -> [String: File] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [:] }
        var result: [String: File] = [:]
        for name in names where isClientFileName(Substring(name)) {
            let path = directory + "/" + name
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular,
                  let size = attributes[.size] as? Int, size <= maxFileBytes,
                  let data = FileManager.default.contents(atPath: path) else { continue }
            let body = [UInt8](data)
            let type = name.hasSuffix(".map") ? "application/json; charset=utf-8" : "application/javascript; charset=utf-8"
            result[name] = File(body: body, etag: etag(of: body), contentType: type)
        }
        return result
    }

    /// A strong validator from the content (FNV-1a, 64 bits): the same bytes give the same tag on every
    /// server and after every restart, unlike one built from the file's mtime.
    static func etag(of body: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "-" + String(body.count, radix: 16) + "\""
    }

    static func matches(ifNoneMatch: String, etag: String) -> Bool {
        ifNoneMatch.split(separator: ",").contains { candidate in
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == "*" || tag == etag
        }
    }

    static func plain(_ status: Int, _ message: String, extra: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = extra
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: headers, body: Array(message.utf8))
    }
}
