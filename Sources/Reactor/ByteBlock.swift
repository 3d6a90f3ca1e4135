/// Immutable bytes at a stable address, shared by reference.
///
/// A broadcast is encoded once into a `ByteBlock` and every recipient's outbound queue holds the same
/// block, so `writev` can point straight at it without copying.
package final class ByteBlock: @unchecked Sendable {
    package let count: Int
    private let base: UnsafeMutableRawPointer

    package init(count: Int, initializingWith body: (UnsafeMutableRawBufferPointer) -> Void) {
        self.count = count
        self.base = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1), alignment: 16)
        body(UnsafeMutableRawBufferPointer(start: base, count: count))
    }

    package convenience init(_ bytes: some Collection<UInt8>) {
        self.init(count: bytes.count) { buffer in
            _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
        }
    }

    package convenience init(_ string: String) {
        var string = string
        let bytes = string.withUTF8 { Array($0) }
        self.init(bytes)
    }

    deinit { base.deallocate() }

    /// Valid for as long as this block is alive; the bytes never change.
    package var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    package var array: [UInt8] { Array(bytes) }
}
