import Foundation
import Testing
@testable import EngineIO

/// Node's per-packet `compress` option: with permessage-deflate negotiated, `compress: false` goes out
/// as a plain frame (RSV1 clear) while the default is deflated, except under Node's 1 KiB threshold.
@Test func compressFalseSkipsPermessageDeflate() throws {
    let server = try EchoEngine(loops: 1, perMessageDeflate: true) { $0.pingInterval = .seconds(10) }
    defer { server.stop() }
    let text = String(repeating: "compressible ", count: 100)
    server.engine.onConnection = { socket in
        socket.send(.text(text))
        socket.send(.text(text), compress: false)
    }

    let ws = try TestWebSocketClient(port: server.http.port, target: "/engine.io/?EIO=4&transport=websocket",
                                     extraHeaders: "Sec-WebSocket-Extensions: permessage-deflate\r\n")
    #expect(ws.status == 101)
    let open = try #require(ws.readFrame())
    #expect(!open.rsv1)                                        // under the 1 KiB threshold
    let deflated = try #require(ws.readFrame())
    #expect(deflated.rsv1)
    #expect(deflated.payload.count < text.utf8.count)
    let plain = try #require(ws.readFrame())
    #expect(!plain.rsv1)
    #expect(plain.text == "4" + text)
}
