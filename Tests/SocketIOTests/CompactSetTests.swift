import Testing
@testable import SocketIO

@Suite struct CompactSetTests {
    @Test func behavesLikeASetThroughEveryStorageForm() {
        var compact = CompactSet<Int>()
        var reference = Set<Int>()
        // Grow past the few-element limit and shrink back to empty, checking each step.
        let steps = Array(0..<20) + [3, 3, 19] + Array((0..<20).reversed()) + [42]
        for (n, value) in steps.enumerated() {
            let insert = n < 23 || n == steps.count - 1
            if insert {
                let inserted = compact.insert(value)
                #expect(inserted == reference.insert(value).inserted)
            } else {
                let removed = compact.remove(value)
                #expect(removed == (reference.remove(value) != nil))
            }
            #expect(compact.count == reference.count)
            #expect(compact.isEmpty == reference.isEmpty)
            #expect(compact.set == reference)
            #expect(Set(compact) == reference)
            #expect(compact.contains(value) == reference.contains(value))
        }
        let removedAbsent = compact.remove(7)
        #expect(!removedAbsent)
        #expect(compact.set == [42])
    }
}
