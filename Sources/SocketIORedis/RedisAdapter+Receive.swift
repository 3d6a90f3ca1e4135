import SocketIO
import SocketIOParser

/// What other servers (and emitters) send: broadcasts on the pattern channel, requests, responses.
/// Runs on the transport's thread; nothing a peer sends can stop it (unreadable messages are
/// skipped and counted).
extension RedisAdapter {
    func receive(channel: String, payload: [UInt8]) {
        if channel == channels.request {
            handleRequest(payload)
        } else if channel == channels.response || channel == channels.response(for: uid) {
            handleResponse(payload)
        } else if let room = channels.room(inBroadcastChannel: channel) {
            // A room this server has no socket in: skip it before decoding (Node does the same).
            if !room.isEmpty && !hasRoom(room) { return }
            handleBroadcast(payload)
        }
    }

    private func decode(_ payload: [UInt8]) -> JSONValue? {
        do { return try ClassicCodec.decode(payload) } catch {
            skip(error)
            return nil
        }
    }

    func skip(_ error: ClassicDecodeError) {
        stats.skippedMessages.add(1, ordering: .relaxed)
    }

    // MARK: Broadcasts

    private func handleBroadcast(_ payload: [UInt8]) {
        guard let message = decode(payload)?.arrayValue, message.count >= 2,
              let sender = message[0].stringValue else { return skip(.malformed("broadcast is not [uid, packet, opts]")) }
        guard sender != uid else { return }
        guard let packet = ClassicCodec.outgoingPacket(message[1], namespace: namespace.name) else { return }
        var options = ClassicCodec.options(message.count > 2 ? message[2] : nil)
        options.flags.local = true
        super.broadcast(packet, options: options)
    }

    // MARK: Requests

    private func handleRequest(_ payload: [UInt8]) {
        guard let request = decode(payload), let typeCode = request["type"]?.intValue,
              let type = ClassicRequestType(rawValue: typeCode) else { return skip(.malformed("request without a known type")) }
        let requestID = request["requestId"]?.stringValue
        let fromSelf = request["uid"]?.stringValue == uid
        switch type {
        case .sockets:
            guard let requestID, !requests.contains(requestID) else { return }
            let ids = sockets(ClassicCodec.roomSet(request["rooms"])).sorted().map { JSONValue.string($0) }
            respond(to: request, ["sockets": .array(ids)])
        case .allRooms:
            guard let requestID, !requests.contains(requestID) else { return }
            respond(to: request, ["rooms": .array(rooms.keys.sorted().map { .string($0) })])
        case .remoteJoin, .remoteLeave:
            if let opts = request["opts"] {
                guard !fromSelf else { return }
                var options = ClassicCodec.options(opts)
                options.flags.local = true
                let rooms = ClassicCodec.roomSet(request["rooms"])
                if type == .remoteJoin { super.addSockets(options, rooms: rooms) } else { super.delSockets(options, rooms: rooms) }
            } else if requestID != nil, let sid = request["sid"]?.stringValue, let room = request["room"].flatMap(ClassicCodec.roomName),
                      let socket = namespace.localSockets([sid]).first {
                // The pre-8.0 form, answered for older peers.
                if type == .remoteJoin { socket.join(room) } else { socket.leave(room) }
                respond(to: request, [:])
            }
        case .remoteDisconnect:
            let close = request["close"]?.boolValue ?? false
            if let opts = request["opts"] {
                guard !fromSelf else { return }
                var options = ClassicCodec.options(opts)
                options.flags.local = true
                super.disconnectSockets(options, close: close)
            } else if requestID != nil, let sid = request["sid"]?.stringValue, let socket = namespace.localSockets([sid]).first {
                socket.disconnect(close: close)
                respond(to: request, [:])
            }
        case .remoteFetch:
            guard let requestID, !requests.contains(requestID) else { return }
            respond(to: request, ["sockets": fetchAnswer(ClassicCodec.options(request["opts"]))])
        case .serverSideEmit:
            guard !fromSelf, let data = request["data"]?.arrayValue else { return }
            guard let requestID else { return namespace.receiveServerSideEmit(data, reply: nil) }
            // Node answers server-side acks on the channel every server hears, whatever the option.
            let channel = channels.response
            namespace.receiveServerSideEmit(data, reply: ServerSideReply { [weak self] args in
                self?.publish(channel, ClassicMessages.serverSideEmitResponse(requestID: requestID, data: args.first ?? .null))
            })
        case .broadcast:
            guard let requestID, !ackRequests.contains(requestID) else { return }
            handleBroadcastWithAck(request, requestID: requestID)
        case .broadcastClientCount, .broadcastAck:
            return
        }
    }

    /// Delivers to this server's sockets with an ack id of its own, then tells the requester how many
    /// clients were asked (even 0: Node peers wait for every server's count) and forwards each ack.
    private func handleBroadcastWithAck(_ request: JSONValue, requestID: String) {
        guard let packet = ClassicCodec.outgoingPacket(request["packet"], namespace: namespace.name,
                                                       ackID: namespace.nextAckID()) else { return }
        var options = ClassicCodec.options(request["opts"])
        options.flags.local = true
        let channel = responseChannel(for: request)
        super.broadcastWithAck(packet, options: options, clientCount: { [weak self] count in
            self?.publish(channel, ClassicMessages.clientCount(requestID: requestID, count: count))
        }, ack: { [weak self] result in
            guard case .success(let args) = result else { return }
            self?.publish(channel, ClassicMessages.broadcastAck(requestID: requestID, argument: args.first ?? .null))
        })
    }

    private func responseChannel(for request: JSONValue) -> String {
        if settings.publishOnSpecificResponseChannel, let requester = request["uid"]?.stringValue {
            return channels.response(for: requester)
        }
        return channels.response
    }

    private func respond(to request: JSONValue, _ body: JSONObject) {
        guard let requestID = request["requestId"]?.stringValue else { return }
        publish(responseChannel(for: request), ClassicMessages.response(requestID: requestID, body: body))
    }

    // MARK: Responses

    private func handleResponse(_ payload: [UInt8]) {
        guard let response = decode(payload), let requestID = response["requestId"]?.stringValue else {
            return skip(.malformed("response without a requestId"))
        }
        switch response["type"]?.intValue.flatMap(ClassicRequestType.init(rawValue:)) {
        case .broadcastClientCount?:
            ackRequests.callbacks(requestID)?.clientCount(response["clientCount"]?.intValue ?? 0)
        case .broadcastAck?:
            ackRequests.callbacks(requestID)?.ack(.success([response["packet"] ?? .null]))
        default:
            // fetchSockets, allRooms, sockets and server-side acks: matched by request id.
            requests.receive(requestID, response)
        }
    }
}
