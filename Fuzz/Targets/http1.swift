import HTTP1

// HTTP/1.1 request parser (Sources/HTTP1).
// Input: two bytes choosing the limits (small, so inputs reach them and one past them), a 2-byte split
// offset, then the bytes a client sends.
// Properties: fed whole or in two pieces it yields the same requests and the same error; no request
// passes the limits; a request written back out parses to itself.

private struct Limits {
    var maxHeaderBytes: Int  // 16...526
    var maxBodyBytes: Int  // 0...1020
}

/// A parsed request as a comparable value (`HTTPRequestMessage` is not `Equatable`).
private struct Request: Equatable {
    var method: String, target: String, minorVersion: Int
    var headers: HTTPHeaders, body: [UInt8], keepAlive: Bool

    init(_ message: HTTPRequestMessage) {
        method = message.method; target = message.target; minorVersion = message.minorVersion
        headers = message.headers; body = message.body; keepAlive = message.keepAlive
    }
}

private struct Outcome: Equatable {
    var requests: [Request] = []
    var continues: [Bool] = []
    var error: HTTPParseError?
    var midRequest = false
}

private func parse(_ chunks: [[UInt8]], _ limits: Limits) -> Outcome {
    var parser = HTTPRequestParser(maxHeaderBytes: limits.maxHeaderBytes, maxBodyBytes: limits.maxBodyBytes)
    var outcome = Outcome()
    for chunk in chunks {
        parser.append(chunk)
        do throws(HTTPParseError) {
            while let message = try parser.next() {
                outcome.requests.append(Request(message))
                outcome.continues.append(parser.takeContinueRequest())
            }
        } catch {
            outcome.error = error
            return outcome
        }
    }
    outcome.midRequest = parser.isMidRequest
    return outcome
}

/// The request's headers with its body framed by Content-Length (chunked framing is not kept).
private func reframed(_ headers: HTTPHeaders, body: [UInt8]) -> HTTPHeaders {
    var fields = HTTPHeaders(headers.filter {
        let name = $0.name.lowercased()
        return name != "content-length" && name != "transfer-encoding"
    })
    if !body.isEmpty { fields.add(name: "Content-Length", value: "\(body.count)") }
    return fields
}

private func serialize(_ request: Request) -> [UInt8] {
    var text = "\(request.method) \(request.target) HTTP/1.\(request.minorVersion)\r\n"
    for (name, value) in reframed(request.headers, body: request.body) { text += "\(name):\(value)\r\n" }
    return Array((text + "\r\n").utf8) + request.body
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP1(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(fuzzBytes(data, size))
    let limits = Limits(maxHeaderBytes: 16 + 2 * Int(reader.byte()), maxBodyBytes: 4 * Int(reader.byte()))
    let split = reader.splitOffset()
    let bytes = reader.payload

    let whole = parse([bytes], limits)
    let pieces = parse([Array(bytes[..<split]), Array(bytes[split...])], limits)
    check(whole == pieces, "split at \(split) differs: whole \(whole), split \(pieces)")

    for request in whole.requests {
        check(request.body.count <= limits.maxBodyBytes, "body of \(request.body.count) bytes")
        // Each raw byte of the head yields at most one Unicode scalar, even where bad UTF-8 is replaced.
        let headScalars = request.headers.reduce(request.method.count + request.target.count) {
            $0 + $1.name.unicodeScalars.count + $1.value.unicodeScalars.count
        }
        check(headScalars <= limits.maxHeaderBytes, "head of \(headScalars) scalars")

        // Written back out (values may have grown by U+FFFD replacement, hence the roomier limit).
        let again = parse([serialize(request)], Limits(maxHeaderBytes: 4 * limits.maxHeaderBytes, maxBodyBytes: limits.maxBodyBytes))
        var expected = request
        expected.headers = reframed(request.headers, body: request.body)
        check(again.error == nil && again.requests == [expected] && !again.midRequest,
              "re-serialized request parses as \(again), expected \(expected)")
    }
    return 0
}
