import Testing
@testable import HTTP1

/// What a parse produced, in a comparable form.
struct Parsed: Equatable, CustomStringConvertible {
    var method: String, target: String, minor: Int, headers: [String], body: [UInt8], keepAlive: Bool
    init(_ m: HTTPRequestMessage) {
        method = m.method; target = m.target; minor = m.minorVersion
        headers = m.headers.map { "\($0.name)=\($0.value)" }; body = m.body; keepAlive = m.keepAlive
    }
    var description: String { "\(method) \(target) 1.\(minor) \(headers) body=\(body.count) ka=\(keepAlive)" }
}

enum Outcome: Equatable {
    case requests([Parsed])
    case error(requests: [Parsed], status: Int)
}

/// Feeds `chunks` one after another, draining requests after each.
func run(_ chunks: [[UInt8]], maxHeader: Int = 1024, maxBody: Int = 4096) -> Outcome {
    var parser = HTTPRequestParser(maxHeaderBytes: maxHeader, maxBodyBytes: maxBody)
    var got: [Parsed] = []
    for chunk in chunks {
        parser.append(chunk)
        do {
            while let m = try parser.next() { got.append(Parsed(m)) }
        } catch {
            return .error(requests: got, status: error.status)
        }
    }
    return .requests(got)
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

let validFixtures: [(String, Parsed)] = {
    func p(_ method: String, _ target: String, _ minor: Int, _ headers: [String], _ body: String, _ ka: Bool) -> Parsed {
        var m = HTTPRequestMessage(method: method, target: target, minorVersion: minor, headers: HTTPHeaders(),
                                   body: bytes(body), keepAlive: ka)
        for h in headers { let kv = h.split(separator: "=", maxSplits: 1); m.headers.add(name: String(kv[0]), value: kv.count > 1 ? String(kv[1]) : "") }
        return Parsed(m)
    }
    return [
        ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", p("GET", "/", 1, ["Host=a"], "", true)),
        ("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x:3000\r\nAccept:  */* \r\n\r\n",
         p("GET", "/socket.io/?EIO=4&transport=polling", 1, ["Host=x:3000", "Accept=*/*"], "", true)),
        ("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
         p("POST", "/p", 1, ["Host=a", "Content-Length=5", "Connection=close"], "hello", false)),
        ("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n",
         p("POST", "/c", 1, ["Host=a", "Transfer-Encoding=chunked"], "hello0123456789", true)),
        ("GET /old HTTP/1.0\r\n\r\n", p("GET", "/old", 0, [], "", false)),
        ("GET /old HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", p("GET", "/old", 0, ["Connection=Keep-Alive"], "", true)),
        ("\r\nOPTIONS * HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Obs: caf\u{E9}\r\n\r\n",
         p("OPTIONS", "*", 1, ["Host=a", "X-Empty=", "X-Obs=caf\u{E9}"], "", true)),
        ("PUT /z HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", p("PUT", "/z", 1, ["Host=a", "Content-Length=0"], "", true)),
    ]
}()

let malformedFixtures: [(String, Int, String)] = [
    ("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400, "obs-fold"),
    ("GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n", 400, "space in name"),
    ("GET / HTTP/1.1\r\nHost: a\r\nName : x\r\n\r\n", 400, "space before colon"),
    ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{1}b\r\n\r\n", 400, "control in value"),
    ("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", 400, "bare CR"),
    ("GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", 400, "empty name"),
    ("GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", 400, "no colon"),
    ("GET / HTTP/1.1\nHost: a\n\n", 400, "bare LF"),
    ("G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad method"),
    ("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "space in target"),
    ("GET noslash HTTP/1.1\r\nHost: a\r\n\r\n", 400, "relative target"),
    ("GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400, "bad version"),
    ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "unsupported version"),
    ("post / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", 501, "lower-case method"),
    ("Get / HTTP/1.1\r\nHost: a\r\n\r\n", 501, "mixed-case method"),
    ("BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 501, "unknown method"),
    ("GET /\r\n\r\n", 400, "HTTP/0.9"),
    ("GET / HTTP/1.1\r\n\r\n", 400, "missing host"),
    ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "two hosts"),
    ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400, "duplicate CL"),
    ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabc", 400, "CL list"),
    ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400, "negative CL"),
    ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "CL and TE"),
    ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "unsupported TE"),
    ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 501, "chunked not last"),
    ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "TE in 1.0"),
    ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "bad chunk size"),
    ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400, "missing chunk CRLF"),
    ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\nabc\r\n", 400, "junk after size"),
    ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n", 413, "CL over limit"),
    ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 413, "CL overflow"),
    ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1001\r\n", 413, "chunk over limit"),
    ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n", 413, "chunk size overflow"),
    ("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "a", count: 1100) + "\r\n\r\n", 431, "head over limit"),
    ("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "a", count: 1100), 431, "unterminated head over limit"),
]

@Suite struct HTTPRequestParserTests {
    @Test(arguments: validFixtures.indices)
    func validFixtureWholeSplitAndPipelined(_ index: Int) {
        let (text, expected) = validFixtures[index]
        let input = bytes(text)
        #expect(run([input]) == .requests([expected]))
        for cut in 0...input.count {
            #expect(run([Array(input[..<cut]), Array(input[cut...])]) == .requests([expected]), "split at \(cut)")
        }
        #expect(run([input + input]) == .requests([expected, expected]))
        // The second copy split at every offset, with the first already in the buffer.
        for cut in 0...input.count {
            #expect(run([input + input[..<cut], Array(input[cut...])]) == .requests([expected, expected]), "pipelined split at \(cut)")
        }
        // Byte by byte.
        #expect(run(input.map { [$0] }) == .requests([expected]))
    }

    @Test(arguments: malformedFixtures.indices)
    func malformedFixtureWholeSplitAndAfterAGoodRequest(_ index: Int) {
        let (text, status, name) = malformedFixtures[index]
        let input = bytes(text)
        #expect(run([input]) == .error(requests: [], status: status), "\(name)")
        for cut in 0...input.count {
            #expect(run([Array(input[..<cut]), Array(input[cut...])]) == .error(requests: [], status: status), "\(name) split at \(cut)")
        }
        let good = bytes(validFixtures[0].0)
        #expect(run([good + input]) == .error(requests: [validFixtures[0].1], status: status), "\(name) pipelined")
    }

    /// Found by Fuzz/Targets/http1.swift: a head of exactly the limit, cut inside its blank line, was
    /// refused as too large although it is accepted whole.
    @Test func headOfExactlyTheLimitSplitAnywhere() {
        let head = "GET / HTTP/1.1\r\nHost: a\r\nX: "
        let atLimit = bytes(head + String(repeating: "a", count: 100 - head.utf8.count) + "\r\n\r\n")
        let overLimit = bytes(head + String(repeating: "a", count: 101 - head.utf8.count) + "\r\n\r\n")
        for cut in 0...atLimit.count {
            let outcome = run([Array(atLimit[..<cut]), Array(atLimit[cut...])], maxHeader: 100)
            if case .requests(let requests) = outcome, requests.count == 1 { continue }
            Issue.record("split at \(cut): \(outcome)")
        }
        for cut in 0...overLimit.count {
            #expect(run([Array(overLimit[..<cut]), Array(overLimit[cut...])], maxHeader: 100)
                == .error(requests: [], status: 431), "split at \(cut)")
        }
    }

    /// Found by Fuzz/Targets/http1.swift's split property: trailer lines (with their CRLFs) may fill
    /// `maxHeaderBytes`, but at the limit they were refused (431) when cut between the blank line's CR
    /// and LF, and a trailer line too long got 400 whole but 431 when cut.
    @Test func trailersOfExactlyTheLimitSplitAnywhere() {
        let head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n"
        func request(trailerLine: Int) -> [UInt8] {  // one trailer line of that many bytes, then the blank line
            bytes(head + "X:" + String(repeating: "a", count: trailerLine - 2) + "\r\n\r\n")
        }
        let atLimit = request(trailerLine: 98)  // 98 + CRLF + CRLF = 100 + 2
        for cut in 0...atLimit.count {
            let outcome = run([Array(atLimit[..<cut]), Array(atLimit[cut...])], maxHeader: 100)
            if case .requests(let requests) = outcome, requests.first?.body == [0x78] { continue }
            Issue.record("split at \(cut): \(outcome)")
        }
        for overLimit in [request(trailerLine: 99), request(trailerLine: 150)] {
            for cut in 0...overLimit.count {
                #expect(run([Array(overLimit[..<cut]), Array(overLimit[cut...])], maxHeader: 100)
                    == .error(requests: [], status: 431), "\(overLimit.count) bytes split at \(cut)")
            }
        }
    }

    @Test func continueExpectationAndRemainingBytes() throws {
        var parser = HTTPRequestParser()
        parser.append(bytes("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"))
        let none = try parser.next()
        #expect(none == nil)
        let first = parser.takeContinueRequest(), second = parser.takeContinueRequest()
        #expect(first && !second)
        #expect(parser.isReadingBody)
        parser.append(bytes("okGET /ws HTTP/1.1\r\nHost: a\r\n\r\n") + [0x81, 0x80])
        let post = try parser.next(), get = try parser.next()
        #expect(post?.body == bytes("ok"))
        #expect(get?.target == "/ws")
        let rest = parser.takeRemainingBytes()
        #expect(rest == [0x81, 0x80])
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func failedParserStaysFailed() {
        var parser = HTTPRequestParser()
        parser.append(bytes("BAD\r\n\r\n"))
        var failures = 0
        do { _ = try parser.next() } catch { failures += 1 }
        parser.append(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        do { _ = try parser.next() } catch { failures += 1 }
        #expect(failures == 2)
    }

    @Test func errorMessagesAreSpecific() {
        var parser = HTTPRequestParser(maxHeaderBytes: 100, maxBodyBytes: 10)
        parser.append(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n"))
        do { _ = try parser.next(); Issue.record("expected 413") } catch {
            #expect(error.status == 413)
            #expect(error.message.contains("10 bytes"))
        }
    }
}
