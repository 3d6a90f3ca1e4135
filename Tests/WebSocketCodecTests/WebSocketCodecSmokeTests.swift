import Testing
@testable import WebSocketCodec

@Test func WebSocketCodecModuleLinks() { #expect(Bool(true)) }
