import Foundation
import Glibc
import HTTP1

/// Serves files below a root directory for GET and HEAD.
///
/// Paths are resolved safely: `..` segments (also when percent-encoded), NUL bytes and backslashes are
/// refused, symlinks are resolved and anything whose real path leaves the root's real path is a 404.
/// Files are read synchronously on the loop, which suits the small assets of a web client.
package final class StaticFileHandler: HTTPRequestHandler, @unchecked Sendable {
    package let root: String
    /// The real path of `root`, resolved once.
    private let realRoot: String?
    /// Stripped from the request path before resolving (e.g. `/static`).
    package let urlPrefix: String
    package let cacheControl: String
    package let indexFile: String
    /// Files above this size are refused with 404 rather than loaded into memory.
    package let maxFileBytes: Int
    /// Sent with every answer, nil for none (`defaultContentSecurityPolicy` unless the app says otherwise).
    package let contentSecurityPolicy: String?

    /// Everything from this origin only, no inline script or style, no framing: what a page that loads
    /// its scripts and styles as files (and talks to its own Socket.IO endpoint) needs.
    package static let defaultContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; "
        + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        + "frame-ancestors 'none'"

    package init(root: String, urlPrefix: String = "", cacheControl: String = "public, max-age=0",
                 indexFile: String = "index.html", maxFileBytes: Int = 64 * 1024 * 1024,
                 contentSecurityPolicy: String? = StaticFileHandler.defaultContentSecurityPolicy) {
        self.root = root
        self.realRoot = StaticFileHandler.realPath(root)
        self.urlPrefix = urlPrefix.hasSuffix("/") ? String(urlPrefix.dropLast()) : urlPrefix
        self.cacheControl = cacheControl
        self.indexFile = indexFile
        self.maxFileBytes = maxFileBytes
        self.contentSecurityPolicy = contentSecurityPolicy
    }

    package func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        responder.send(response(for: request))
    }

    /// The answer for `request`, without I/O on any socket (for tests and other handlers), with the
    /// security headers: no MIME sniffing, the content security policy, no referrer to other sites.
    package func response(for request: HTTPRequest) -> HTTPResponse {
        var response = fileResponse(for: request)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        if let contentSecurityPolicy {
            response.headers.replaceOrAdd(name: "Content-Security-Policy", value: contentSecurityPolicy)
        }
        return response
    }

    private func fileResponse(for request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return StaticFileHandler.plain(405, "Method Not Allowed: static files answer GET and HEAD only", ["Allow": "GET, HEAD"])
        }
        var path = request.path
        if !urlPrefix.isEmpty {
            guard path == urlPrefix || path.hasPrefix(urlPrefix + "/") else { return StaticFileHandler.notFound }
            path = String(path.dropFirst(urlPrefix.count))
        }
        guard path.hasPrefix("/") || path.isEmpty else { return StaticFileHandler.notFound }
        if path.utf8.contains(0) || path.contains("\\") {
            return StaticFileHandler.plain(400, "Bad Request: invalid character in the path")
        }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        if segments.contains(where: { $0 == ".." }) {
            return StaticFileHandler.plain(400, "Bad Request: \"..\" is not allowed in the path")
        }
        guard let realRoot else { return StaticFileHandler.notFound }
        let relative = segments.filter { $0 != "." }.joined(separator: "/")
        guard var file = resolve(relative.isEmpty ? realRoot : realRoot + "/" + relative, within: realRoot) else {
            return StaticFileHandler.notFound
        }
        var info = stat()
        guard stat(file, &info) == 0 else { return StaticFileHandler.notFound }
        if info.st_mode & S_IFMT == S_IFDIR {
            guard let index = resolve(file + "/" + indexFile, within: realRoot), stat(index, &info) == 0 else {
                return StaticFileHandler.notFound
            }
            file = index
        }
        guard info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) <= maxFileBytes else { return StaticFileHandler.notFound }

        let etag = "\"\(String(Int(info.st_size), radix: 16))-\(String(Int(info.st_mtim.tv_sec) * 1000 + Int(info.st_mtim.tv_nsec) / 1_000_000, radix: 16))\""
        var headers = HTTPHeaders()
        headers.add(name: "ETag", value: etag)
        headers.add(name: "Cache-Control", value: cacheControl)
        if let inm = request.headers["if-none-match"], StaticFileHandler.matches(ifNoneMatch: inm, etag: etag) {
            return HTTPResponse(status: 304, headers: headers)
        }
        guard let data = FileManager.default.contents(atPath: file) else { return StaticFileHandler.notFound }
        let type = StaticFileHandler.contentType(forPath: file)
        headers.add(name: "Content-Type", value: type.mime)
        return HTTPResponse(status: 200, headers: headers, body: [UInt8](data), compressible: type.compressible)
    }

    /// The real path of `candidate` if it exists and lies inside `realRoot`.
    private func resolve(_ candidate: String, within realRoot: String) -> String? {
        guard let real = StaticFileHandler.realPath(candidate) else { return nil }
        guard real == realRoot || real.hasPrefix(realRoot == "/" ? "/" : realRoot + "/") else { return nil }
        return real
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func matches(ifNoneMatch: String, etag: String) -> Bool {
        for candidate in ifNoneMatch.split(separator: ",") {
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = String(tag.dropFirst(2)) }
            if tag == etag { return true }
        }
        return false
    }

    package static func contentType(forPath path: String) -> (mime: String, compressible: Bool) {
        let ext = path.split(separator: "/").last.flatMap { name -> Substring? in
            guard let dot = name.lastIndex(of: ".") else { return nil }
            return name[name.index(after: dot)...]
        }?.lowercased() ?? ""
        switch ext {
        case "html", "htm": return ("text/html; charset=utf-8", true)
        case "js", "mjs": return ("text/javascript; charset=utf-8", true)
        case "css": return ("text/css; charset=utf-8", true)
        case "json": return ("application/json; charset=utf-8", true)
        case "map": return ("application/json; charset=utf-8", true)
        case "svg": return ("image/svg+xml", true)
        case "txt": return ("text/plain; charset=utf-8", true)
        case "png": return ("image/png", false)
        case "ico": return ("image/x-icon", false)
        case "woff2": return ("font/woff2", false)
        default: return ("application/octet-stream", false)
        }
    }

    private static let notFound = plain(404, "Not Found")

    private static func plain(_ status: Int, _ message: String, _ extra: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = extra
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        return HTTPResponse(status: status, headers: headers, body: Array(message.utf8))
    }
}
