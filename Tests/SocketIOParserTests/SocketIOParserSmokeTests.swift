import Testing
@testable import SocketIOParser

@Test func SocketIOParserModuleLinks() { #expect(Bool(true)) }
