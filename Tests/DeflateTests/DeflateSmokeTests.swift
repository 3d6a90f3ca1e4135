import Testing
@testable import Deflate

@Test func DeflateModuleLinks() { #expect(Bool(true)) }
