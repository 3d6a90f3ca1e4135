import Foundation
import SocketIOParser
import Synchronization

/// Decides whether a CONNECT to an unknown namespace creates it: gets the name and the auth payload.
public typealias NamespacePredicate = @Sendable (_ name: String, _ auth: JSONValue?) -> Bool

/// A family of namespaces created on demand (`io.of(matching: "^/team-\\d+$")`).
///
/// Its middlewares and connection handlers apply to every child; `emit` reaches every child.
public final class ParentNamespace: @unchecked Sendable {
    private let predicate: NamespacePredicate
    private struct State {
        var middlewares: [NamespaceMiddleware] = []
        var connectionHandlers: [@Sendable (Socket) -> Void] = []
        var children: [Namespace] = []
    }
    private let state = Mutex(State())

    init(predicate: @escaping NamespacePredicate) { self.predicate = predicate }

    /// A regular expression that must match the whole namespace name.
    convenience init(pattern: String) throws(SocketIOError) {
        let regex: NSRegularExpression
        do { regex = try NSRegularExpression(pattern: pattern) } catch {
            throw .invalidNamespacePattern("\(pattern): \(error)")
        }
        // NSRegularExpression is immutable and documented thread-safe; the box only tells the compiler.
        let box = UncheckedRegex(regex)
        self.init { name, _ in
            let range = NSRange(name.startIndex..., in: name)
            guard let match = box.regex.firstMatch(in: name, range: range) else { return false }
            return match.range == range
        }
    }

    func matches(_ name: String, auth: JSONValue?) -> Bool { predicate(name, auth) }

    var middlewares: [NamespaceMiddleware] { state.withLock { $0.middlewares } }
    var connectionHandlers: [@Sendable (Socket) -> Void] { state.withLock { $0.connectionHandlers } }
    /// The namespaces created so far.
    public var children: [Namespace] { state.withLock { $0.children } }

    func adopt(_ child: Namespace) { state.withLock { $0.children.append(child) } }

    /// A middleware for every child namespace, run before the child's own.
    @discardableResult
    public func use(_ middleware: @escaping NamespaceMiddleware) -> Self {
        state.withLock { $0.middlewares.append(middleware) }
        return self
    }

    /// A connection handler for every child namespace; `socket.namespace.name` tells which.
    @discardableResult
    public func onConnection(_ handler: @escaping @Sendable (Socket) -> Void) -> Self {
        state.withLock { $0.connectionHandlers.append(handler) }
        return self
    }

    /// Emits to every socket of every child namespace.
    public func emit(_ event: String, _ args: JSONValue...) { emit(event, arguments: args) }

    /// Emits an argument list assembled at run time to every child namespace.
    public func emit(_ event: String, arguments args: [JSONValue]) {
        for child in children { child.emit(event, arguments: args) }
    }

    /// Emits a Codable value to every socket of every child namespace.
    public func emit(_ event: String, _ value: some Encodable) throws(SocketIOError) {
        let arg = try encodeArgument(value)
        for child in children { child.emit(event, arguments: [arg]) }
    }
}

private struct UncheckedRegex: @unchecked Sendable {
    let regex: NSRegularExpression
    init(_ regex: NSRegularExpression) { self.regex = regex }
}
