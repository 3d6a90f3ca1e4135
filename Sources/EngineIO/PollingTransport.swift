import HTTP1
import HTTPServer
import EngineIOParser

/// The long-polling side of a session: at most one held GET, answered with a payload when there is
/// something to send.
final class PollingTransport {
    private var pendingPoll: (responder: HTTPResponder, headers: HTTPHeaders)?

    var isPollPending: Bool { pendingPoll != nil }

    func hold(_ responder: HTTPResponder, headers: HTTPHeaders) {
        pendingPoll = (responder, headers)
    }

    /// True if `responder` was the held poll (its connection went away) and is now released.
    func release(_ responder: HTTPResponder) -> Bool {
        guard let pending = pendingPoll, pending.responder === responder else { return false }
        pendingPoll = nil
        return true
    }

    func respondToPoll(payload: [UInt8], compress: Bool = true) {
        guard let pending = pendingPoll else { return }
        pendingPoll = nil
        var headers = pending.headers
        headers.replaceOrAdd(name: "Content-Type", value: "text/plain; charset=UTF-8")
        headers.replaceOrAdd(name: "Cache-Control", value: "no-store")
        pending.responder.send(HTTPResponse(status: 200, headers: headers, body: payload,
                                            compressible: compress))
    }

    /// Releases the pending poll with a noop packet (during an upgrade, so the client can pause polling).
    func respondWithNoop() {
        respondToPoll(payload: EnginePacketCodec.encodeText(EnginePacket(.noop)))
    }

    /// The answer to a POST whose payload was taken.
    static func dataAccepted(headers: HTTPHeaders) -> HTTPResponse {
        var headers = headers
        // text/html, not text/plain, so old user agents do not offer a download (as the reference does).
        headers.replaceOrAdd(name: "Content-Type", value: "text/html")
        headers.replaceOrAdd(name: "Cache-Control", value: "no-store")
        return HTTPResponse(status: 200, headers: headers, body: Array("ok".utf8))
    }
}

extension EngineSocket {
    /// A request for this session that arrived over HTTP (already hopped to `loop`).
    func handlePollingRequest(_ request: HTTPRequest, responder: HTTPResponder, headers: HTTPHeaders) {
        // During an upgrade the client may have sent `5` on its WebSocket just before this request, which
        // another loop read first: take the WebSocket's pending input now, so a request sent after `5`
        // always finds the session upgraded (400 below) and never a held poll that `5` then releases.
        upgrade?.transport.readPendingInput()
        if readyState == .open, heartbeatExpired { finish(.pingTimeout) }
        guard readyState != .closed else {
            return responder.send(EngineError.unknownSessionID.response(extraHeaders: headers))
        }
        // The request must name the session's current transport: after an upgrade, HTTP is refused.
        guard case .polling(let polling) = activeTransport, request.query("transport") == EngineTransportName.polling.rawValue else {
            return responder.send(EngineError.badRequest.response(extraHeaders: headers))
        }
        switch request.method {
        case "GET": poll(polling, responder: responder, headers: headers)
        case "POST": receivePayload(request, responder: responder, headers: headers)
        default: responder.send(HTTPResponse(status: 500, headers: headers))
        }
    }

    private func poll(_ polling: PollingTransport, responder: HTTPResponder, headers: HTTPHeaders) {
        if polling.isPollPending {
            // Two concurrent polls mean a confused or hostile client: end the session, as the reference does.
            finish(.transportError)
            return responder.send(HTTPResponse(status: 400, headers: headers))
        }
        polling.hold(responder, headers: headers)
        if let reason = pendingCloseReason { return finish(reason) }
        flush()
        if polling.isPollPending, upgrade?.probed == true {
            // Release the poll so the client can pause polling and finish the upgrade.
            polling.respondWithNoop()
        }
    }

    /// The held poll's connection closed before we answered it.
    func pollAborted(_ responder: HTTPResponder) {
        guard readyState != .closed, case .polling(let polling) = activeTransport, polling.release(responder) else { return }
        finish(.transportError)
    }

    private func receivePayload(_ request: HTTPRequest, responder: HTTPResponder, headers: HTTPHeaders) {
        if request.body.count > options.maxPayload {
            return responder.send(HTTPResponse(status: 413, headers: headers))
        }
        if request.headers["Content-Type"] == "application/octet-stream" {
            // v4 polling payloads are always text; binary bodies belong to protocol v3.
            responder.send(EngineError.badRequest.response(extraHeaders: headers))
            return finish(.transportError)
        }
        let (packets, error) = EnginePayload.decode(request.body)
        for packet in packets { receive(packet) }
        if error != nil { finish(.parseError) }
        responder.send(PollingTransport.dataAccepted(headers: headers))
    }
}
