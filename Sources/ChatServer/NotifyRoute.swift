import Foundation
import SocketIO

/// What `POST /api/notify` accepts, and from whom.
struct NotifyOptions: Sendable {
    /// Callers must send `Authorization: Bearer <token>`; nil: no token, callers on this machine only.
    var token: String? = nil
    /// Bodies beyond this get 413. A valid request needs at most about 12 KB: 1,000 characters of
    /// message, each escaped as `\uXXXX\uXXXX` at worst, and a name.
    var maxBodyBytes = 16 * 1024
    /// Requests per caller address in any `rateWindow`; more get 429 with `Retry-After`.
    var rateLimit = 30
    var rateWindow: Duration = .seconds(60)
    /// Caller addresses the rate limit tracks at once; past it (after forgetting idle ones) new callers
    /// get 429 as well, so a crowd of addresses cannot grow the table without bound.
    var maxTrackedCallers = 10_000
}

/// `POST /api/notify` `{"user": "Alice", "message": "Build done"}`: pushes a notification to that
/// chat member's `/notifications` socket. Checks, in this order: who may call (403), how often
/// (429), the token (401), `Content-Type: application/json` (415: a cross-site form or `no-cors`
/// fetch cannot send it without a preflight, which this route never answers), the size (413), the
/// shape and the chat's rules (400).
///
/// The answer says how many sockets got it only to a caller with the token: without one, anyone on
/// the machine could call, and the count would tell them who is online.
struct NotifyRoute: Sendable {
    let io: SocketIOServer
    let options: NotifyOptions
    private let callers: CallerRateLimits

    init(io: SocketIOServer, options: NotifyOptions) {
        self.io = io
        self.options = options
        callers = CallerRateLimits(limit: options.rateLimit, per: options.rateWindow, maxCallers: options.maxTrackedCallers)
    }

    func install() {
        io.route("POST", "/api/notify") { request in await answer(request) }
    }

    private struct NotifyRequest: Decodable {
        let user: String
        let message: String
    }

    private struct ErrorBody: Encodable { let error: String }
    private struct Sent: Encodable { let ok = true }
    private struct Delivered: Encodable {
        let ok = true
        let delivered: Int
    }

    func answer(_ request: IncomingRequest) async -> RouteResponse {
        if options.token == nil, !CallerAddress.isLoopback(request.remoteAddress) || !CallerAddress.isLoopbackHost(request.header("Host")) {
            return failure(403, "Notifications are accepted from this machine only, unless a token is configured")
        }
        if let wait = callers.wait(for: request.remoteAddress) {
            let seconds = max(1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)))
            var response = failure(429, "Too many notifications; retry in \(seconds) s")
            response.headers.append(("Retry-After", String(seconds)))
            return response
        }
        if let token = options.token, !Self.bearer(request.header("Authorization"), matches: token) {
            var response = failure(401, "A valid bearer token is required")
            response.headers.append(("WWW-Authenticate", #"Bearer realm="chat notifications""#))
            return response
        }
        guard Self.isJSON(request.header("Content-Type")) else {
            return failure(415, "Content-Type must be application/json")
        }
        guard request.body.count <= options.maxBodyBytes else {
            return failure(413, "Body too large (max \(options.maxBodyBytes) bytes)")
        }
        guard let body = try? JSONDecoder().decode(NotifyRequest.self, from: Data(request.body)) else {
            return failure(400, #"Expected a JSON body {"user": string, "message": string}"#)
        }
        let user: String
        let message: String
        do {
            user = try Validation.name(body.user)
            message = try Validation.message(body.message)
        } catch {
            return failure(400, error == .invalidName ? "user: \(error.message)" : error.message)
        }
        let notifications = io.of(Notifications.namespace)
        let room = Notifications.room(for: user)
        // Counted over every chat process when they share Redis; this one's alone if Redis is away.
        let delivered = options.token == nil ? 0
            : (try? await notifications.in(room).fetchSockets().count) ?? notifications.adapter.sockets([room]).count
        let notification = Notification(message: message, ts: Int((Date().timeIntervalSince1970 * 1000).rounded()))
        do {
            try notifications.to(room).emit("notification", notification)
        } catch {
            return failure(500, "Cannot send the notification")
        }
        return options.token == nil ? .json(Sent()) : .json(Delivered(delivered: delivered))
    }

    private func failure(_ status: Int, _ message: String) -> RouteResponse {
        .json(ErrorBody(error: message), status: status)
    }

    /// `application/json`, with or without parameters (`; charset=utf-8`), in any case.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == "application/json"
    }

    /// Compares in time that depends on the lengths only, so the answer's timing does not reveal
    /// how much of a guess was right.
    static func bearer(_ authorization: String?, matches token: String) -> Bool {
        guard let authorization, authorization.count > 7,
              authorization.prefix(7).lowercased() == "bearer " else { return false }
        let given = Array(authorization.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8)
        let expected = Array(token.utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in 0..<max(given.count, expected.count) {
            difference |= (index < given.count ? given[index] : 0) ^ (index < expected.count ? expected[index] : 0)
        }
        return difference == 0
    }
}

extension RouteResponse {
    /// A JSON response; a value that cannot be encoded becomes a 500.
    static func json(_ value: some Encodable, status: Int = 200) -> RouteResponse {
        guard let body = try? JSONEncoder().encode(value) else {
            return .text("cannot encode the response", status: 500)
        }
        return RouteResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(body))
    }
}
