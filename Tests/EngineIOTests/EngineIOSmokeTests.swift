import Testing
@testable import EngineIO

@Test func EngineIOModuleLinks() { #expect(Bool(true)) }
