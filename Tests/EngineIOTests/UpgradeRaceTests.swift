import Foundation
import Synchronization
import Testing
import TestSupport
@testable import EngineIO

/// Polling racing the `5` that completes an upgrade: the client sends `5` on its WebSocket and at once
/// an HTTP request with the same sid on a keep-alive connection that the listener may have handed to
/// another loop. Whatever loop reads the request first, the client sent it after `5`, so it must get
/// 400 code 3 and never a 200 (a poll held, then released by the upgrade with a noop).
@Test(arguments: ["GET", "POST"])
func pollingSentRightAfterTheUpgradePacketIsRefusedOnEveryLoop(method: String) throws {
    let server = try EchoEngine(loops: 4) { $0.pingInterval = .seconds(30) }
    defer { server.stop() }
    let sessionsPerThread = 40
    let threads = 8
    let outcomes = Mutex<[String: Int]>([:])
    let done = DispatchGroup()
    for thread in 0..<threads {
        done.enter()
        Thread {
            defer { done.leave() }
            for round in 0..<sessionsPerThread {
                let outcome = (try? raceOnce(server: server, method: method, tag: "\(thread).\(round)")) ?? "client error"
                outcomes.withLock { $0[outcome, default: 0] += 1 }
            }
        }.start()
    }
    done.wait()
    let seen = outcomes.withLock { $0 }
    #expect(seen == ["400 code 3": threads * sessionsPerThread], "answers to HTTP sent after 5: \(seen)")
}

/// One session: handshake, probe, `5` and the HTTP request back to back; returns what HTTP answered.
private func raceOnce(server: EchoEngine, method: String, tag: String) throws -> String {
    let sid = try handshake(server.client).sid
    // Open (and so spread over the loops) before the race, so the request leaves right behind the `5`.
    let http = try BlockingSocket.connect(port: server.http.port)
    let ws = try TestWebSocketClient(port: server.http.port, target: "/engine.io/?EIO=4&transport=websocket&sid=\(sid)")
    guard ws.status == 101 else { return "upgrade \(ws.status)" }
    ws.sendText("2probe")
    guard ws.readFrame()?.text == "3probe" else { return "no 3probe" }
    let body = method == "POST" ? "4after upgrade \(tag)" : ""
    let request = "\(method) /engine.io/?EIO=4&transport=polling&sid=\(sid) HTTP/1.1\r\nHost: t\r\n"
        + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    ws.sendText("5")
    try http.write(Array(request.utf8))
    guard let head = http.readUntil([13, 10, 13, 10]) else { return "no answer" }
    let response = try TestHTTPClient.parse(head + [13, 10, 13, 10])
    let length = Int(response.headers["content-length"] ?? "0") ?? 0
    let answer = String(decoding: http.read(length) ?? [], as: UTF8.self)
    if response.status == 400, answer == "{\"code\":3,\"message\":\"Bad request\"}" { return "400 code 3" }
    return "\(response.status) \(answer)"
}
