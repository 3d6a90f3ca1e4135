// CONTRACT (transport helper implements; may add API, must keep these signatures).
/// Header fields in arrival order; names compare case-insensitively.
package struct HTTPHeaders: Sendable, Equatable, Sequence {
    package init() { fatalError("unimplemented") }
    package init(_ fields: [(name: String, value: String)]) { fatalError("unimplemented") }

    /// The first value for `name`, case-insensitive.
    package subscript(name: String) -> String? { fatalError("unimplemented") }
    /// Every value for `name`, in order.
    package func values(for name: String) -> [String] { fatalError("unimplemented") }
    package mutating func add(name: String, value: String) { fatalError("unimplemented") }
    /// Removes every field called `name`, then adds this one.
    package mutating func replaceOrAdd(name: String, value: String) { fatalError("unimplemented") }
    package mutating func remove(name: String) { fatalError("unimplemented") }
    /// True if a comma-separated header (e.g. `Connection`) lists `token`, case-insensitive.
    package func contains(name: String, token: String) -> Bool { fatalError("unimplemented") }

    package var count: Int { fatalError("unimplemented") }
    package func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fatalError("unimplemented") }
    package static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool { fatalError("unimplemented") }
}
