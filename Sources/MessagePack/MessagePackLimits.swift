/// Bounds on what one `MessagePack.decode` call accepts. Each is checked before anything is allocated
/// for it, so a hostile message costs at most its own size.
package struct MessagePackLimits: Sendable, Equatable {
    /// Nesting of arrays and maps: 1 for `[1]`, 2 for `[[1]]`. The decoder keeps its own stack, so a
    /// large limit cannot overflow the thread's stack (deeply nested values are still slow to free).
    package var maxDepth = 64
    /// Values in one message, counting every container, map key, map value and element.
    package var maxItems = 1_000_000
    /// Input size in bytes.
    package var maxBytes = 64 * 1024 * 1024

    package init() {}

    package init(maxDepth: Int = 64, maxItems: Int = 1_000_000, maxBytes: Int = 64 * 1024 * 1024) {
        self.maxDepth = maxDepth
        self.maxItems = maxItems
        self.maxBytes = maxBytes
    }
}
