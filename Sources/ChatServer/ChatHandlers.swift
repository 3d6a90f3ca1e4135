import SocketIO

extension Chat {
    /// Wires the chat's events on the main namespace, refusing connections beyond `maxConnections`.
    func start(maxConnections: Int?) {
        if let maxConnections {
            // The namespace's live count is the truth; two connects racing for the last place may both
            // get in, which a demo can live with.
            io.use { [io] _ in
                if io.sockets.sockets.count >= maxConnections {
                    throw ConnectionRejected("Server is full (max \(maxConnections) connections)")
                }
            }
        }
        io.onConnection { [self] socket in attach(socket) }
    }

    private func attach(_ socket: Socket) {
        socket.onRequest("join") { [self] (request: JoinRequest?, ack) in
            serially {
                let outcome = self.join(socket, name: request?.name)
                reply(ack, outcome)
                if case .success = outcome { self.welcome(socket) }
            }
        }
        socket.onRequest("join room") { [self] (request: RoomRequest?, ack) in
            serially {
                let outcome = self.move(socket, to: request?.room)
                reply(ack, outcome)
                if case .success = outcome { self.moved() }
            }
        }
        socket.onRequest("chat message") { [self] (request: MessageRequest?, ack) in
            serially { reply(ack, self.post(socket, text: request?.text)) }
        }
        socket.on("typing") { [self] (typing: Bool) in
            serially { self.typing(socket, typing) }
        }
        socket.onError { error in log("chat: socket \(socket.id): \(error)") }
        socket.onDisconnect { [self] _ in
            serially { self.leave(socket) }
        }
    }
}

/// Answers a request with its outcome: the success value, or `{ok: false, error}`.
private func reply<Success: Encodable>(_ ack: Ack?, _ outcome: Result<Success, ChatError>) {
    guard let ack else { return }
    do {
        switch outcome {
        case .success(let value): try ack.reply(value)
        case .failure(let error): try ack.reply(Refusal(error))
        }
    } catch {
        log("chat: reply failed: \(error)")
    }
}

extension Socket {
    /// Like the typed `on`, except that a payload of the wrong shape reaches `handler` as nil instead of
    /// skipping it, so the client still gets an answer to its callback.
    func onRequest<Request: Decodable & Sendable>(
        _ event: String, _ handler: @escaping @Sendable (Request?, Ack?) -> Void
    ) {
        on(event) { args, ack in
            handler(try? JSONValueDecoder().decode(Request.self, from: args.first ?? nil), ack)
        }
    }
}
