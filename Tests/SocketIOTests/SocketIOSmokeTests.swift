import Testing
@testable import SocketIO

@Test func SocketIOModuleLinks() { #expect(Bool(true)) }
