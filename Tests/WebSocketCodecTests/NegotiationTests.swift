import Testing
@testable import WebSocketCodec

@Suite struct NegotiationTests {
    func response(_ offer: String) -> String? {
        PerMessageDeflateParameters.negotiate(offer: offer)?.responseHeader
    }

    func parameters(_ offer: String) -> PerMessageDeflateParameters? {
        PerMessageDeflateParameters.negotiate(offer: offer)?.parameters
    }

    @Test func browserOffers() {
        // Chromium and Firefox respectively.
        #expect(response("permessage-deflate; client_max_window_bits") == "permessage-deflate")
        #expect(parameters("permessage-deflate; client_max_window_bits") == PerMessageDeflateParameters())
        #expect(response("permessage-deflate") == "permessage-deflate")
    }

    @Test func contextTakeoverFlags() {
        let offer = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
        #expect(response(offer) == offer)
        #expect(parameters(offer) == PerMessageDeflateParameters(serverNoContextTakeover: true, clientNoContextTakeover: true))
        #expect(parameters("permessage-deflate;client_no_context_takeover")
            == PerMessageDeflateParameters(clientNoContextTakeover: true))
    }

    @Test func windowBits() {
        #expect(response("permessage-deflate; server_max_window_bits=10; client_max_window_bits=12")
            == "permessage-deflate; server_max_window_bits=10; client_max_window_bits=12")
        #expect(parameters("permessage-deflate; server_max_window_bits=10; client_max_window_bits=12")
            == PerMessageDeflateParameters(serverMaxWindowBits: 10, clientMaxWindowBits: 12))
        #expect(parameters("permessage-deflate; server_max_window_bits=\"9\"")?.serverMaxWindowBits == 9)
        #expect(response("permessage-deflate; server_max_window_bits=8") == "permessage-deflate; server_max_window_bits=8")
        #expect(response("permessage-deflate; client_max_window_bits=15") == "permessage-deflate; client_max_window_bits=15")
    }

    @Test func invalidOffersAreDeclined() {
        for offer in [
            "", "foo", "permessage-deflate; foo", "permessage-deflate; foo=1",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
            "permessage-deflate; server_no_context_takeover=1", "permessage-deflate; client_no_context_takeover=\"x\"",
            "permessage-deflate; server_max_window_bits", "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=7", "permessage-deflate; server_max_window_bits=08",
            "permessage-deflate; client_max_window_bits=0", "permessage-deflate; client_max_window_bits=abc",
            "permessage-deflate; server_max_window_bits=\"1 0\"", "permessage-deflate; server_max_window_bits=\"10",
            "permessage-deflate;", "permessage-deflate; =10",
        ] {
            #expect(response(offer) == nil, "\(offer)")
        }
    }

    @Test func firstAcceptableOfferWins() {
        #expect(response("permessage-deflate; server_max_window_bits=16, permessage-deflate; client_no_context_takeover")
            == "permessage-deflate; client_no_context_takeover")
        #expect(response("x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=11, permessage-deflate")
            == "permessage-deflate; server_max_window_bits=11")
        #expect(response("foo; bar=\"a,b;c\", permessage-deflate") == "permessage-deflate")
        #expect(response("foo; bar=\"a\\\"b\", permessage-deflate") == "permessage-deflate")
        #expect(response(" , permessage-deflate ;  client_max_window_bits = 10 ")
            == "permessage-deflate; client_max_window_bits=10")
        #expect(response("PerMessage-Deflate") == "permessage-deflate")
    }

    @Test func extensionHeaderParsing() {
        let offers = ExtensionHeader.parse("a; x=1; y=\"two\", b;z")
        #expect(offers.count == 2)
        #expect(offers[0]?.name == "a")
        #expect(offers[0]?.parameters.map(\.name) == ["x", "y"])
        #expect(offers[0]?.parameters.map(\.value) == ["1", "two"])
        #expect(offers[1]?.parameters.first?.value == nil)
        #expect(ExtensionHeader.parse("a; x=\"unterminated").first! == nil)
    }
}
