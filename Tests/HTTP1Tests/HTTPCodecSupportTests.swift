import Testing
@testable import HTTP1

@Suite struct HTTPTargetTests {
    @Test func decodesPathAndQuery() throws {
        let (path, items) = try HTTPTarget.parse("/a%20b/c%C3%A9?x=1&y=two+words&z=%26%3D&flag&bad=%zz#frag")
        #expect(path == "/a b/cé")
        #expect(items.map(\.name) == ["x", "y", "z", "flag", "bad"])
        #expect(items.map(\.value) == ["1", "two words", "&=", "", "%zz"])
        let plus = try HTTPTarget.parse("/a+b")
        #expect(plus.path == "/a+b") // `+` is a space only in the query
    }

    @Test(arguments: ["/%zz", "/%4", "/%", "/%C3", "/a%00b", "/%FF"])
    func rejectsInvalidPathEncodings(_ target: String) {
        do {
            _ = try HTTPTarget.parse(target)
            Issue.record("accepted \(target)")
        } catch {
            #expect(error.status == 400)
        }
    }

    @Test func absoluteFormAndAsterisk() throws {
        #expect(try HTTPTarget.parse("http://example.com/p?q=1").path == "/p")
        #expect(try HTTPTarget.parse("http://example.com").path == "/")
        #expect(try HTTPTarget.parse("*").path == "*")
    }
}

@Suite struct HTTPHeadersTests {
    @Test func caseInsensitiveLookupAndTokens() {
        var h = HTTPHeaders([("Content-Type", "text/plain"), ("connection", "keep-alive, Upgrade")])
        #expect(h["content-type"] == "text/plain")
        #expect(h.contains(name: "CONNECTION", token: "upgrade"))
        #expect(!h.contains(name: "connection", token: "close"))
        let listed = HTTPHeaders([("Accept-Encoding", " br ,\tGZIP;q=1.0 ,"), ("TE", ",,")])
        #expect(listed.contains(name: "accept-encoding", token: "gzip"))
        #expect(listed.contains(name: "accept-encoding", token: "br"))
        #expect(!listed.contains(name: "accept-encoding", token: "gzi"))
        #expect(!listed.contains(name: "accept-encoding", token: "q=1.0"))
        #expect(!listed.contains(name: "te", token: "trailers"))
        #expect(!listed.contains(name: "te", token: ""))                  // empty items are no items
        h.add(name: "Set-Cookie", value: "a=1")
        h.add(name: "set-cookie", value: "b=2")
        #expect(h.values(for: "SET-COOKIE") == ["a=1", "b=2"])
        h.replaceOrAdd(name: "Set-Cookie", value: "c=3")
        #expect(h.values(for: "set-cookie") == ["c=3"])
        h.remove(name: "CONTENT-type")
        #expect(h["content-type"] == nil)
        #expect(h.count == 2)
        #expect(HTTPHeaders([("A", "1")]) == HTTPHeaders([("a", "1")]))
        #expect(HTTPHeaders([("A", "1")]) != HTTPHeaders([("a", "2")]))
        let accept = HTTPHeaders([("Accept-Encoding", "br;q=1.0, gzip;q=0.8")])
        #expect(accept.contains(name: "accept-encoding", token: "gzip"))
    }
}

@Suite struct HTTPResponseSerializerTests {
    @Test func statusLineHeadersAndLength() {
        let out = HTTPResponseSerializer.serialize(status: 404, headers: ["Content-Type": "text/plain"],
                                                   body: Array("nope".utf8), date: "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(String(decoding: out, as: UTF8.self) ==
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\nContent-Length: 4\r\n\r\nnope")
    }

    @Test func headOmitsBodyAndNoBodyStatusesOmitLength() {
        let head = HTTPResponseSerializer.serialize(status: 200, headers: HTTPHeaders(), body: Array("abc".utf8), omitBody: true)
        #expect(String(decoding: head, as: UTF8.self) == "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n")
        let notModified = HTTPResponseSerializer.serialize(status: 304, headers: ["ETag": "\"x\""], body: [])
        #expect(String(decoding: notModified, as: UTF8.self) == "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n")
    }

    @Test func headerInjectionIsNeutralised() {
        let out = HTTPResponseSerializer.serialize(status: 200, headers: ["X": "a\r\nSet-Cookie: evil"], body: [])
        #expect(!String(decoding: out, as: UTF8.self).contains("\r\nSet-Cookie"))
    }

    @Test func imfFixdate() {
        #expect(HTTPDate.format(epochSeconds: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(epochSeconds: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(epochSeconds: 1_709_251_199) == "Thu, 29 Feb 2024 23:59:59 GMT")
    }
}
