import Testing
@testable import Reactor

@Test func ReactorModuleLinks() { #expect(Bool(true)) }
