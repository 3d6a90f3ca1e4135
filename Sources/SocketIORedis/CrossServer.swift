import SocketIO
import SocketIOParser

/// What both Redis adapters do the same way, whatever their wire format.
extension InMemoryAdapter {
    /// This server's sockets matched by `options`, as another server's `fetchSockets` gets them:
    /// `[{id, handshake, rooms, data}]`.
    func fetchAnswer(_ options: BroadcastOptions) -> JSONValue {
        .array(localFetchSockets(options).map { socket in
            ["id": .string(socket.id), "handshake": socket.handshake.jsonValue,
             "rooms": .array(socket.rooms.sorted().map { .string($0) }), "data": socket.data]
        })
    }

    /// The sockets other servers listed in their answers (`{sockets: [...]}` each), reachable through
    /// this adapter.
    func remoteSockets(in answers: [JSONValue]) -> [RemoteSocket] {
        answers.flatMap { answer in
            (answer["sockets"]?.arrayValue ?? []).compactMap { socket -> RemoteSocket? in
                guard let id = socket["id"]?.stringValue else { return nil }
                return RemoteSocket(id: id, namespace: namespace, handshake: Handshake(json: socket["handshake"] ?? .null),
                                    rooms: ClassicCodec.roomSet(socket["rooms"]), data: socket["data"] ?? .null)
            }
        }
    }
}

/// A broadcast with acks across servers: `publish` sends the request (false when Redis is down),
/// `deliverLocally` runs the in-memory delivery; each server's client count is added up and reported
/// once every server counted by `servers` answered, or after `waitFor`; the acks go to `ack` as they come.
func broadcastWithAckAcrossServers(requestID: String, waitFor: Duration, ackRequests: AckRequests,
                                   clientCount: @escaping @Sendable (Int) -> Void,
                                   ack: @escaping @Sendable (AckResult) -> Void,
                                   publish: () -> Bool,
                                   deliverLocally: (@escaping @Sendable (Int) -> Void) -> Void,
                                   servers: @escaping @Sendable () async -> Int) {
    let tally = ClientCountTally(report: clientCount)
    ackRequests.register(requestID, .init(clientCount: { tally.add($0) }, ack: ack), for: waitFor)
    let published = publish()
    deliverLocally { tally.add($0) }
    guard published else { return tally.expectServers(1) }
    Task {
        tally.expectServers(await servers())
        try? await Task.sleep(for: waitFor)
        tally.giveUp()
    }
}
