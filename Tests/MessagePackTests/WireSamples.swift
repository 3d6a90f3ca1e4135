import Testing
@testable import MessagePack

/// Bytes captured from Node socket.io 4.8.3 + @socket.io/redis-adapter 8.3.0 servers on one Redis
/// (`../shared/reference/redis-wire-samples.md`), and the broadcast example of
/// `../shared/reference/redis-adapters.md` §1.4, with the values Node decoded from them.
enum WireSamples {
    struct Sample: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let value: MessagePackValue
        var testDescription: String { name }
    }

    static let broadcast = Sample(
        name: "io.emit('bc1', …) from server A",
        bytes: hex("93a65141364d514983a47479706502a46461746192a362633183a16ba666726f6d2d41a16e01a46c6973749401a374776fc0c3a36e7370a12f83a5726f6f6d7390a665786365707490a5666c61677380"),
        value: ["QA6MQI",
                ["type": 2, "data": ["bc1", ["k": "from-A", "n": 1, "list": [1, "two", nil, true]]], "nsp": "/"],
                ["rooms": [], "except": [], "flags": [:]]])

    /// The MONITOR line of the same message, as redis-cli escaped it.
    static let broadcastMonitor = #"\x93\xa6QA6MQI\x83\xa4type\x02\xa4data\x92\xa3bc1\x83\xa1k\xa6from-A\xa1n\x01\xa4list\x94\x01\xa3two\xc0\xc3\xa3nsp\xa1/\x83\xa5rooms\x90\xa6except\x90\xa5flags\x80"#

    static let roomBroadcast = Sample(
        name: "io.to('r1').emit('rm', …) from server A",
        bytes: hex("93a65141364d514983a47479706502a46461746192a2726d81a4726f6f6da27231a36e7370a12f83a5726f6f6d7391a27231a665786365707490a5666c61677380"),
        value: ["QA6MQI", ["type": 2, "data": ["rm", ["room": "r1"]], "nsp": "/"],
                ["rooms": ["r1"], "except": [], "flags": [:]]])

    static let broadcastWithAckRequest = Sample(
        name: "io.timeout(2000).emit('q', x, ack): the BROADCAST request",
        bytes: hex("85a3756964a65141364d5149a9726571756573744964a6556b36714444a47479706507a67061636b657483a47479706502a46461746192a17181a361736ba141a36e7370a12fa46f70747383a5726f6f6d7390a665786365707490a5666c61677381a774696d656f7574cd07d0"),
        value: ["uid": "QA6MQI", "requestId": "Uk6qDD", "type": 7,
                "packet": ["type": 2, "data": ["q", ["ask": "A"]], "nsp": "/"],
                "opts": ["rooms": [], "except": [], "flags": ["timeout": 2000]]])

    static let broadcastAckB1 = Sample(
        name: "BROADCAST_ACK from b1",
        bytes: hex("83a47479706509a9726571756573744964a6556b36714444a67061636b657482a466726f6da26231a17881a361736ba141"),
        value: ["type": 9, "requestId": "Uk6qDD", "packet": ["from": "b1", "x": ["ask": "A"]]])

    static let broadcastAckB2 = Sample(
        name: "BROADCAST_ACK from b2",
        bytes: hex("83a47479706509a9726571756573744964a6556b36714444a67061636b657482a466726f6da26232a17881a361736ba141"),
        value: ["type": 9, "requestId": "Uk6qDD", "packet": ["from": "b2", "x": ["ask": "A"]]])

    static let specExample = Sample(
        name: "redis-adapters.md §1.4 broadcast example",
        bytes: hex("93 a6 58 6b 33 66 39 51 83 a4 74 79 70 65 02 a4 64 61 74 61 92 a5 68 65 6c 6c 6f a5 77 6f 72 6c 64 a3 6e 73 70 a1 2f 83 a5 72 6f 6f 6d 73 91 a5 72 6f 6f 6d 31 a6 65 78 63 65 70 74 90 a5 66 6c 61 67 73 80"),
        value: ["Xk3f9Q", ["type": 2, "data": ["hello", "world"], "nsp": "/"],
                ["rooms": ["room1"], "except": [], "flags": [:]]])

    /// Every complete msgpack capture; notepack writes each of these exactly as our encoder does.
    static let complete = [broadcast, roomBroadcast, broadcastWithAckRequest, broadcastAckB1, broadcastAckB2, specExample]

    /// The first 200 of the 579 bytes of a broadcast carrying a 512-byte Buffer (`c5 02 00`, bin 16):
    /// the capture stops inside the binary.
    static let binaryBroadcastPrefix = hex("93a65141364d514983a47479706502a46461746192a362696e82a464617461c50200000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5")
    static let binaryBroadcastMonitorPrefix = ##"\x93\xa6QA6MQI\x83\xa4type\x02\xa4data\x92\xa3bin\x82\xa4data\xc5\x02\x00\x00\x01\x02\x03\x04\x05\x06\a\b\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\"##

    /// A JSON request from the same capture: not msgpack, the receiver tells them apart by `{`.
    static let jsonRequest = hex("7b22756964223a225141364d5149222c2274797065223a362c2264617461223a5b2270696e67222c7b2268656c6c6f223a2266726f6d2d41227d5d7d")
}
