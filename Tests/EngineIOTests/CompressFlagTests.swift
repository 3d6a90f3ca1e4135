import Foundation
import Testing
import Reactor
import HTTPServer
@testable import EngineIO

/// Node's per-packet `compress` option: with permessage-deflate negotiated, `compress: false` goes out
/// as a plain frame (RSV1 clear) while the default is deflated, except under Node's 1 KiB threshold.
@Test func compressFalseSkipsPermessageDeflate() throws {
    let group = EventLoopGroup(loopCount: 1)
    defer { group.shutdown() }
    var options = EngineOptions()
    options.path = "/engine.io/"
    let engine = EngineServer(options: options)
    let text = String(repeating: "compressible ", count: 100)
    engine.onConnection = { socket in
        socket.send(.text(text))
        socket.send(.text(text), compress: false)
    }
    var httpOptions = HTTPServerOptions()
    httpOptions.host = "127.0.0.1"
    httpOptions.port = 0
    httpOptions.perMessageDeflate = true
    options.apply(to: &httpOptions)
    let http = HTTPServer(options: httpOptions, group: group, handler: engine)
    try http.start()
    defer { http.stop() }

    let ws = try TestWebSocketClient(port: http.port, target: "/engine.io/?EIO=4&transport=websocket",
                                     extraHeaders: "Sec-WebSocket-Extensions: permessage-deflate\r\n")
    #expect(ws.status == 101)
    let open = try #require(ws.readFrame())
    #expect(!open.compressed)                                  // under the 1 KiB threshold
    let deflated = try #require(ws.readFrame())
    #expect(deflated.compressed)
    #expect(deflated.payload.count < text.utf8.count)
    let plain = try #require(ws.readFrame())
    #expect(!plain.compressed)
    #expect(plain.text == "4" + text)
}
