import Testing
@testable import EngineIOParser

@Test func EngineIOParserModuleLinks() { #expect(Bool(true)) }
