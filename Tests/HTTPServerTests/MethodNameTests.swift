import Synchronization
import Testing
import TestSupport
@testable import HTTPServer

/// Method names are case-sensitive (RFC 9110 §9.1): `post` is an unknown method, answered 501 by the
/// server before any handler sees it, never served as if it were `POST`.
@Test(arguments: ["post", "Get", "BREW"])
func anUnknownOrWrongCaseMethodIs501AndReachesNoHandler(method: String) throws {
    let reached = Atomic<Int>(0)
    let server = try LiveServer { request, responder in
        reached.add(1, ordering: .relaxed)
        responder.send(text(200, request.method))
    }
    defer { server.stop() }
    let client = try server.client()
    client.send("\(method) /p HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
    let response = client.readResponse()
    #expect(response?.status == 501)
    #expect(response?.text.contains("case-sensitive") == true)
    #expect(client.waitForClose())
    #expect(reached.load(ordering: .relaxed) == 0)
}

