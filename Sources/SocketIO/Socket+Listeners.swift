import SocketIOParser

/// Identifies a registered listener, to remove it with `off`/`offAny`/`offAnyOutgoing`.
public struct ListenerID: Hashable, Sendable {
    let raw: Int
}

/// An incoming event handler: the arguments, and the `Ack` when the client asked for one.
public typealias EventHandler = @Sendable (_ args: [JSONValue], _ ack: Ack?) -> Void
/// A catch-all listener: the event name and its arguments.
public typealias AnyEventListener = @Sendable (_ event: String, _ args: [JSONValue]) -> Void
/// A catch-all listener for incoming events that may answer: Node passes the ack as the last argument.
public typealias AnyIncomingListener = @Sendable (_ event: String, _ args: [JSONValue], _ ack: Ack?) -> Void
/// A per-packet middleware: throw to reject the event (the socket's `onError` handlers get it).
public typealias PacketMiddleware = @Sendable (_ event: String, _ args: [JSONValue]) throws -> Void

/// Every handler registered on one socket. Kept behind a lock so `on`/`off` work from any thread;
/// dispatch copies the handlers out and calls them with the lock released.
struct ListenerTable {
    struct Entry {
        let event: String
        let id: ListenerID
        let once: Bool
        let handler: Handler

        func call(_ socket: Socket, _ args: [JSONValue], _ ack: Ack?) {
            switch handler {
            case .plain(let handler): handler(args, ack)
            case .withSocket(let handler): handler(socket, args, ack)
            }
        }
    }
    /// The user's closure as given (no wrapper to allocate), or one that needs the socket (typed handlers).
    enum Handler {
        case plain(EventHandler)
        case withSocket(@Sendable (Socket, [JSONValue], Ack?) -> Void)
    }
    /// The handlers of one incoming event: nearly always one, which then needs no array.
    struct Matches {
        var first: Entry?
        var rest: [Entry] = []
    }
    struct AnyEntry {
        let id: ListenerID
        let listener: AnyEventListener
    }
    private var nextID = 0
    /// In registration order. A socket has a handful of events, so a scan beats a table of arrays, and
    /// an idle connection keeps one small array instead of a dictionary plus one array per event.
    var events: [Entry] = []
    struct AnyIncomingEntry {
        let id: ListenerID
        let listener: AnyIncomingListener
    }
    var any: [AnyIncomingEntry] = []
    var anyOutgoing: [AnyEntry] = []
    var middlewares: [PacketMiddleware] = []
    var disconnecting: [@Sendable (DisconnectReason) -> Void] = []
    var disconnect: [@Sendable (DisconnectReason) -> Void] = []
    var error: [@Sendable (SocketIOError) -> Void] = []

    mutating func makeID() -> ListenerID {
        nextID += 1
        return ListenerID(raw: nextID)
    }

    /// The handlers for one event; `once` entries are removed in the same critical section.
    mutating func take(_ event: String) -> Matches {
        var matches = Matches()
        var once = false
        // Lengths first: a small string's length is in its bits, and unequal names mostly differ in
        // length, which spares String's slower comparison path.
        let length = event.utf8.count
        for entry in events where entry.event.utf8.count == length && entry.event == event {
            if matches.first == nil { matches.first = entry } else { matches.rest.append(entry) }
            once = once || entry.once
        }
        if once { events.removeAll { $0.event == event && $0.once } }
        return matches
    }
}

extension Socket {
    /// Handles an incoming event. Runs on the socket's loop.
    @discardableResult
    public func on(_ event: String, _ handler: @escaping EventHandler) -> ListenerID {
        addListener(event, once: false, .plain(handler))
    }

    /// Like `on`, removed after the first call.
    @discardableResult
    public func once(_ event: String, _ handler: @escaping EventHandler) -> ListenerID {
        addListener(event, once: true, .plain(handler))
    }

    /// Handles an event whose first argument decodes as `T`. A payload of the wrong shape reaches the
    /// `onError` handlers as `SocketIOError.invalidPayload` and this handler is skipped.
    @discardableResult
    public func on<T: Decodable & SendableMetatype>(_ event: String, _ handler: @escaping @Sendable (T) -> Void) -> ListenerID {
        on(event, as: T.self) { value, _ in handler(value) }
    }

    /// Typed handler that may answer through `ack` (nil when the client did not ask for one).
    @discardableResult
    public func on<T: Decodable & SendableMetatype>(_ event: String, _ handler: @escaping @Sendable (T, Ack?) -> Void) -> ListenerID {
        on(event, as: T.self, handler)
    }

    @discardableResult
    public func on<T: Decodable & SendableMetatype>(_ event: String, as type: T.Type,
                                 _ handler: @escaping @Sendable (T, Ack?) -> Void) -> ListenerID {
        addTypedListener(event, once: false, handler)
    }

    /// Like the typed `on`, removed after the first call (also when that payload had the wrong shape).
    @discardableResult
    public func once<T: Decodable & SendableMetatype>(_ event: String, _ handler: @escaping @Sendable (T) -> Void) -> ListenerID {
        addTypedListener(event, once: true) { (value: T, _) in handler(value) }
    }

    @discardableResult
    public func once<T: Decodable & SendableMetatype>(_ event: String, _ handler: @escaping @Sendable (T, Ack?) -> Void) -> ListenerID {
        addTypedListener(event, once: true, handler)
    }

    private func addTypedListener<T: Decodable & SendableMetatype>(
        _ event: String, once: Bool, _ handler: @escaping @Sendable (T, Ack?) -> Void
    ) -> ListenerID {
        addListener(event, once: once, .withSocket { socket, args, ack in
            let value: T
            do throws(SocketIOError) {
                value = try decodeArgument(T.self, from: args.first ?? .null, event: event)
            } catch {
                return socket.reportError(error)
            }
            handler(value, ack)
        })
    }

    /// Removes one listener, or every listener of `event` when `id` is nil.
    public func off(_ event: String, _ id: ListenerID? = nil) {
        listeners.withLock { table in
            table.events.removeAll { $0.event == event && (id == nil || $0.id == id) }
        }
    }

    /// Called for every incoming event, before the event's own handlers and the middlewares.
    @discardableResult
    public func onAny(_ listener: @escaping AnyEventListener) -> ListenerID {
        onAny { event, args, _ in listener(event, args) }
    }

    /// Like `onAny`, also given the `Ack` when the client asked for one.
    @discardableResult
    public func onAny(_ listener: @escaping AnyIncomingListener) -> ListenerID {
        listeners.withLock { table in
            let id = table.makeID()
            table.any.append(.init(id: id, listener: listener))
            return id
        }
    }

    /// Like `onAny`, called before the listeners already registered.
    @discardableResult
    public func prependAny(_ listener: @escaping AnyEventListener) -> ListenerID {
        prependAny { event, args, _ in listener(event, args) }
    }

    @discardableResult
    public func prependAny(_ listener: @escaping AnyIncomingListener) -> ListenerID {
        listeners.withLock { table in
            let id = table.makeID()
            table.any.insert(.init(id: id, listener: listener), at: 0)
            return id
        }
    }

    /// Removes one catch-all listener, or all of them when `id` is nil.
    public func offAny(_ id: ListenerID? = nil) {
        listeners.withLock { table in if let id { table.any.removeAll { $0.id == id } } else { table.any = [] } }
    }

    /// Called for every event sent to this socket (emits and broadcasts; not ack replies).
    @discardableResult
    public func onAnyOutgoing(_ listener: @escaping AnyEventListener) -> ListenerID {
        listeners.withLock { table in
            let id = table.makeID()
            table.anyOutgoing.append(.init(id: id, listener: listener))
            hasOutgoingListeners.store(true, ordering: .releasing)
            return id
        }
    }

    @discardableResult
    public func prependAnyOutgoing(_ listener: @escaping AnyEventListener) -> ListenerID {
        listeners.withLock { table in
            let id = table.makeID()
            table.anyOutgoing.insert(.init(id: id, listener: listener), at: 0)
            hasOutgoingListeners.store(true, ordering: .releasing)
            return id
        }
    }

    public func offAnyOutgoing(_ id: ListenerID? = nil) {
        listeners.withLock { table in
            if let id { table.anyOutgoing.removeAll { $0.id == id } } else { table.anyOutgoing = [] }
            hasOutgoingListeners.store(!table.anyOutgoing.isEmpty, ordering: .releasing)
        }
    }

    /// A per-packet middleware, run in order for each incoming event before its handlers. Synchronous
    /// on purpose: awaiting here would let later packets overtake earlier ones.
    public func use(_ middleware: @escaping PacketMiddleware) {
        listeners.withLock { $0.middlewares.append(middleware) }
    }

    /// Called when the socket is about to leave (its rooms are still visible).
    public func onDisconnecting(_ handler: @escaping @Sendable (DisconnectReason) -> Void) {
        listeners.withLock { $0.disconnecting.append(handler) }
    }

    /// Called once the socket has left the namespace, with Node's reason.
    public func onDisconnect(_ handler: @escaping @Sendable (DisconnectReason) -> Void) {
        listeners.withLock { $0.disconnect.append(handler) }
    }

    /// Called for a rejected packet (middleware) or a payload a typed handler could not decode.
    public func onError(_ handler: @escaping @Sendable (SocketIOError) -> Void) {
        listeners.withLock { $0.error.append(handler) }
    }

    private func addListener(_ event: String, once: Bool, _ handler: ListenerTable.Handler) -> ListenerID {
        listeners.withLock { table in
            let id = table.makeID()
            // Exact growth: registration is rare, and doubling left idle sockets with empty slots.
            table.events.reserveCapacity(table.events.count + 1)
            table.events.append(.init(event: event, id: id, once: once, handler: handler))
            return id
        }
    }

    /// Without an `onError` handler the error is logged rather than lost silently.
    func reportError(_ error: SocketIOError) {
        let handlers = listeners.withLock { $0.error }
        if handlers.isEmpty { warn("socket \(id) in \(namespace.name): \(error)") }
        for handler in handlers { handler(error) }
    }
}
