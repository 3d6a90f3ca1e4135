import SocketIO
import SocketIOParser

/// What the other servers append to the stream or publish. Runs on the connection's thread; an
/// unreadable message is skipped and counted.
extension RedisStreamsAdapter {
    func receivePublished(_ payload: [UInt8]) {
        do { onMessage(try ClusterMessage(messagePack: payload), offset: nil) } catch { skip() }
    }

    func receiveEntry(_ fields: [String: String], id: String) {
        do { onMessage(try ClusterMessage(streamFields: fields), offset: id) } catch { skip() }
    }

    private func skip() { connection.stats.skippedMessages.add(1, ordering: .relaxed) }

    func onMessage(_ message: ClusterMessage, offset: String?) {
        guard message.uid != uid, message.nsp == namespace.name else { return }
        let data = message.data ?? .null
        let requestID = data["requestId"]?.stringValue
        switch message.type {
        case .broadcast:
            if let requestID {
                broadcastWithAck(data, requestID: requestID, from: message.uid)
            } else if let packet = ClassicCodec.outgoingPacket(data["packet"], namespace: namespace.name, unnamed: namespace.name) {
                var options = ClassicCodec.options(data["opts"])
                options.flags.local = true
                super.broadcast(packet, options: options)
            }
        case .socketsJoin, .socketsLeave:
            var options = ClassicCodec.options(data["opts"])
            options.flags.local = true
            let rooms = ClassicCodec.roomSet(data["rooms"])
            if message.type == .socketsJoin { super.addSockets(options, rooms: rooms) } else { super.delSockets(options, rooms: rooms) }
        case .disconnectSockets:
            var options = ClassicCodec.options(data["opts"])
            options.flags.local = true
            super.disconnectSockets(options, close: data["close"]?.boolValue ?? false)
        case .fetchSockets:
            guard let requestID else { return }
            respond(to: message.uid, .fetchSocketsResponse,
                    ["requestId": .string(requestID), "sockets": fetchAnswer(ClassicCodec.options(data["opts"]))])
        case .serverSideEmit:
            guard let packet = data["packet"]?.arrayValue else { return }
            guard let requestID else { return namespace.receiveServerSideEmit(packet, reply: nil) }
            let requester = message.uid
            namespace.receiveServerSideEmit(packet, reply: ServerSideReply { [weak self] args in
                self?.respond(to: requester, .serverSideEmitResponse,
                              ["requestId": .string(requestID), "packet": args.first ?? .null])
            })
        case .broadcastClientCount:
            guard let requestID else { return }
            ackRequests.callbacks(requestID)?.clientCount(data["clientCount"]?.intValue ?? 0)
        case .broadcastAck:
            guard let requestID else { return }
            ackRequests.callbacks(requestID)?.ack(.success([data["packet"] ?? .null]))
        case .fetchSocketsResponse, .serverSideEmitResponse:
            guard let requestID else { return }
            requests.receive(requestID, data)
        case .initialHeartbeat, .heartbeat, .adapterClose:
            return
        }
    }

    /// Delivers here with an ack id of this server's, then tells the requester how many clients were
    /// asked (even 0) and forwards each ack.
    private func broadcastWithAck(_ data: JSONValue, requestID: String, from requester: String) {
        guard let packet = ClassicCodec.outgoingPacket(data["packet"], namespace: namespace.name,
                                                       ackID: namespace.nextAckID(), unnamed: namespace.name) else { return }
        var options = ClassicCodec.options(data["opts"])
        options.flags.local = true
        super.broadcastWithAck(packet, options: options, clientCount: { [weak self] count in
            self?.respond(to: requester, .broadcastClientCount, ["requestId": .string(requestID), "clientCount": .int(count)])
        }, ack: { [weak self] result in
            guard case .success(let args) = result else { return }
            self?.respond(to: requester, .broadcastAck, ["requestId": .string(requestID), "packet": args.first ?? .null])
        })
    }

    private func respond(to requester: String, _ type: ClusterMessageType, _ data: JSONObject) {
        publishResponse(to: requester, ClusterMessage(uid: uid, nsp: namespace.name, type: type, data: .object(data)))
    }
}
