import EngineIO
import Reactor
import SocketIOParser

/// One Engine.IO session seen by Socket.IO: decodes its packets and multiplexes them over the
/// namespaces it joined. Confined to the session's loop; only `loop` and `engine` are read elsewhere.
/// Loop-confined stored state is `@exclusivity(unchecked)`: only the loop thread touches it, and the
/// runtime's dynamic exclusivity checks cost more than the rest of a broadcast delivery (README, Performance).
final class Client: @unchecked Sendable {
    let engine: EngineSocket
    let loop: EventLoop
    unowned let server: SocketIOServer
    /// This loop's pending broadcasts: delivered before anything else is written to or closes this client.
    let broadcasts: BroadcastBatch
    @exclusivity(unchecked) private var decoder: SocketPacketDecoder
    /// Connected namespaces. A client joins a handful at most, so arrays beat hashed containers: no
    /// hashing per packet, and an idle connection keeps no table storage.
    @exclusivity(unchecked) private var sockets: [Socket] = []
    /// Namespaces whose CONNECT is going through middlewares.
    @exclusivity(unchecked) private var connecting: [String] = []
    @exclusivity(unchecked) private var connectTimer: ScheduledTimer?
    @exclusivity(unchecked) private(set) var isOpen = true

    init(engine: EngineSocket, server: SocketIOServer) {
        self.engine = engine
        self.loop = engine.loop
        self.server = server
        self.broadcasts = server.broadcastBatch(for: engine.loop)
        self.decoder = SocketPacketDecoder(maxAttachments: server.options.maxAttachments)
    }

    /// Loop only. The engine holds the client through these callbacks until the session closes.
    func start() {
        engine.onMessage = { [self] message in onMessage(message) }
        engine.onClose = { [self] reason in onClose(DisconnectReason(rawValue: reason.rawValue) ?? .transportClose) }
        connectTimer = loop.schedule(after: server.options.connectTimeout) { [weak self] in
            guard let self, self.sockets.isEmpty else { return }
            self.close(.forcedClose)
        }
    }

    var isWritable: Bool { engine.isWritable }

    // MARK: Incoming

    private func onMessage(_ message: EngineMessage) {
        let packet: SocketPacket?
        do {
            switch message {
            case .text(let text): packet = try decoder.decode(text: text)
            case .binary(let bytes): packet = try decoder.decode(binary: bytes)
            }
        } catch {
            for socket in sockets { socket.reportError(.invalidPacket(String(describing: error))) }
            close(.parseError)
            return
        }
        if let packet { route(packet) }
    }

    private func route(_ packet: SocketPacket) {
        let name = packet.namespace
        if packet.type == .connect {
            // A second CONNECT for a namespace already joined (or joining) is a protocol violation.
            guard socket(for: name) == nil, !connecting.contains(name) else { return close(.forcedClose) }
            connect(name, auth: packet.data)
        } else if let socket = socket(for: name), packet.type != .connectError {
            socket.onPacket(packet)
        } else {
            close(.forcedClose)
        }
    }

    private func connect(_ name: String, auth: JSONValue?) {
        guard let namespace = server.namespaceForConnect(name, auth: auth) else {
            var error = JSONObject()
            error["message"] = .string("Invalid namespace")
            send(SocketPacket(type: .connectError, namespace: name, data: .object(error)))
            return
        }
        connecting.append(name)
        namespace.add(self, auth: auth)
    }

    // MARK: Socket bookkeeping (loop only)

    func register(_ socket: Socket) {
        connectFailed(namespace: socket.namespace.name)
        sockets.append(socket)
        connectTimer?.cancel()
        connectTimer = nil
    }

    func connectFailed(namespace: String) {
        connecting.removeAll { $0 == namespace }
        if connecting.isEmpty { connecting = [] }  // no storage kept once every CONNECT is answered
    }

    private func socket(for namespace: String) -> Socket? { sockets.first { $0.namespace.name == namespace } }

    func remove(_ socket: Socket) {
        sockets.removeAll { $0 === socket }
    }

    // MARK: Outgoing (loop only)

    func send(_ packet: SocketPacket) { write(SocketPacketEncoder.encode(packet)) }

    func write(_ encoded: EncodedSocketPacket, compress: Bool = true) {
        guard isOpen else { return }
        broadcasts.deliverPending()
        engine.send(PreparedEngineMessage(utf8Message: encoded.utf8, compress: compress))
        for attachment in encoded.attachments { engine.send(.binary(attachment), compress: compress) }
    }

    func write(_ prepared: PreparedPacket) {
        guard isOpen else { return }
        for message in prepared.messages { engine.send(message) }
    }

    // MARK: Closing (loop only)

    /// `socket.disconnect(close: true)`: every namespace gets a DISCONNECT, then the session closes.
    func disconnectAll() {
        for socket in sockets {
            send(SocketPacket(type: .disconnect, namespace: socket.namespace.name))
            socket.onClose(.serverNamespaceDisconnect)
        }
        close(.forcedClose)
    }

    /// Closes the session on our side; the sockets see `reason`, not the engine's later echo of it.
    func close(_ reason: DisconnectReason) {
        guard isOpen else { return }
        broadcasts.deliverPending()
        onClose(reason)
        engine.close(reason: EngineCloseReason(rawValue: reason.rawValue) ?? .forcedClose)
    }

    private func onClose(_ reason: DisconnectReason) {
        guard isOpen else { return }
        isOpen = false
        connectTimer?.cancel()
        connectTimer = nil
        engine.onMessage = nil
        engine.onClose = nil
        let closing = sockets
        sockets.removeAll()
        connecting.removeAll()
        for socket in closing { socket.onClose(reason) }
    }
}
