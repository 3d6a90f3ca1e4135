/// The index just past the blank line that ends an HTTP head at the start of `bytes`, or nil while the
/// head is incomplete. Shared by the load generator's clients and the ceiling server.
func httpHeadEnd(_ bytes: UnsafeRawBufferPointer) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for k in 3..<bytes.count where bytes[k] == 10 && bytes[k - 1] == 13 && bytes[k - 2] == 10 && bytes[k - 3] == 13 {
        return k + 1
    }
    return nil
}
