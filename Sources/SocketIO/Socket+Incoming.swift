import SocketIOParser

extension Socket {
    /// A packet for this namespace, decoded by the client. Loop only.
    func onPacket(_ packet: SocketPacket) {
        switch packet.type {
        case .event, .binaryEvent: onEvent(packet)
        case .ack, .binaryAck: onAck(packet)
        case .disconnect: onClose(.clientNamespaceDisconnect)
        case .connect, .connectError: break  // the client filters these out
        }
    }

    private func onEvent(_ packet: SocketPacket) {
        guard case .array(let items)? = packet.data, case .string(let event)? = items.first else { return }
        let args = Array(items.dropFirst())
        let ack = packet.id.map { Ack(socket: self, id: $0) }

        let (anyListeners, middlewares) = listeners.withLock { ($0.any, $0.middlewares) }
        for entry in anyListeners { entry.listener(event, args, ack) }
        for middleware in middlewares {
            do { try middleware(event, args) } catch {
                reportError((error as? SocketIOError) ?? .middlewareRejected(event: event, message: "\(error)"))
                return
            }
        }
        // A listener or middleware may have disconnected the socket.
        guard connected else { return }
        let handlers = listeners.withLock { $0.take(event) }
        handlers.first?.call(self, args, ack)
        for entry in handlers.rest { entry.call(self, args, ack) }
    }

    private func onAck(_ packet: SocketPacket) {
        guard let id = packet.id else { return }
        let args: [JSONValue]
        if case .array(let items)? = packet.data { args = items } else { args = [] }
        acks.resolve(id, with: args)?()
    }

    /// Hands one recipient its copy of a broadcast. Loop only.
    func deliver(_ prepared: PreparedPacket, packet: OutgoingPacket, flags: BroadcastFlags,
                 ack: (@Sendable (AckResult) -> Void)?) {
        guard connected else {
            ack?(.failure(.disconnected))
            return
        }
        // Only a recovered socket has a horizon; untagged packets have sequence 0.
        if packet.sequence != 0, packet.sequence <= replayHorizon { return }
        if flags.volatile && !client.isWritable {
            ack?(.failure(.packetDropped))
            return
        }
        if let ack, let id = packet.ackID {
            acks.register(id, callback: ack)
            // The collector owns the broadcast's deadline; this timer only forgets a reply that can no
            // longer matter, silently, so the collector never sees it as an early answer.
            if let timeout = flags.timeout {
                let timer = loop.schedule(after: timeout) { [weak self] in _ = self?.acks.take(id) }
                acks.setTimer(id) { timer.cancel() }
            }
        }
        notifyOutgoing(packet.event, packet.arguments)
        client.write(prepared)
    }

    /// Autoclosures: a broadcast's event and arguments are rebuilt from the packet on demand, which
    /// cost an array per recipient when (as usual) nobody listens.
    func notifyOutgoing(_ event: @autoclosure () -> String, _ args: @autoclosure () -> [JSONValue]) {
        guard hasOutgoingListeners.load(ordering: .acquiring) else { return }
        let outgoing = listeners.withLock { $0.anyOutgoing }
        let (event, args) = (event(), args())
        for entry in outgoing { entry.listener(event, args) }
    }
}
