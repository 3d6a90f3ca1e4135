import Foundation
import MessagePack
import SocketIO
import SocketIOParser

/// The message types of socket.io-adapter's `ClusterAdapter` protocol, which the Redis Streams adapter
/// (0.3.x) speaks.
enum ClusterMessageType: Int, Sendable {
    case initialHeartbeat = 1, heartbeat, broadcast, socketsJoin, socketsLeave, disconnectSockets,
         fetchSockets, fetchSocketsResponse, serverSideEmit, serverSideEmitResponse, broadcastClientCount,
         broadcastAck, adapterClose

    /// Types whose `data` may carry binary: those go into the stream as base64 msgpack.
    var mayContainBinary: Bool {
        switch self {
        case .broadcast, .fetchSocketsResponse, .serverSideEmit, .serverSideEmitResponse, .broadcastAck: true
        default: false
        }
    }

    var isResponse: Bool {
        switch self {
        case .fetchSocketsResponse, .serverSideEmitResponse, .broadcastClientCount, .broadcastAck: true
        default: false
        }
    }
}

/// `{uid, nsp, type, data}`: one message between the servers of a cluster.
struct ClusterMessage: Sendable, Equatable {
    var uid: String
    var nsp: String
    var type: ClusterMessageType
    var data: JSONValue?

    /// Broadcasts with acks, server-side emits and fetches go over pub/sub (nothing to replay later);
    /// everything else is appended to the stream.
    var isEphemeral: Bool {
        switch type {
        case .broadcast: data?["requestId"] != nil
        case .serverSideEmit, .fetchSockets: true
        default: false
        }
    }

    // MARK: Pub/sub form: the whole message as msgpack

    /// `{type, data, uid, nsp}` in msgpack (the key order Node's object gets: type and data first).
    func messagePack() -> [UInt8] {
        var object: JSONObject = ["type": .int(type.rawValue)]
        if let data { object["data"] = data }
        object["uid"] = .string(uid)
        object["nsp"] = .string(nsp)
        return ClassicCodec.messagePack(.object(object))
    }

    init(uid: String, nsp: String, type: ClusterMessageType, data: JSONValue?) {
        self.uid = uid; self.nsp = nsp; self.type = type; self.data = data
    }

    init(messagePack payload: [UInt8]) throws(ClassicDecodeError) {
        let value = try ClassicCodec.decode(payload)
        guard let uid = value["uid"]?.stringValue, let nsp = value["nsp"]?.stringValue,
              let code = value["type"]?.intValue, let type = ClusterMessageType(rawValue: code) else {
            throw .malformed("cluster message without uid, nsp or a known type")
        }
        self.init(uid: uid, nsp: nsp, type: type, data: value["data"])
    }

    // MARK: Stream form: `uid nsp type [data]` fields

    /// The fields of an `XADD`: `type` as a decimal string, `data` as JSON, or base64 msgpack when the
    /// type may carry binary and does.
    func streamFields() -> [String] {
        var fields = ["uid", uid, "nsp", nsp, "type", String(type.rawValue)]
        if let data {
            fields.append("data")
            if type.mayContainBinary && data.containsBinary {
                fields.append(Data(ClassicCodec.messagePack(data)).base64EncodedString())
            } else {
                fields.append(String(decoding: ClassicCodec.json(data), as: UTF8.self))
            }
        }
        return fields
    }

    init(streamFields fields: [String: String]) throws(ClassicDecodeError) {
        guard let uid = fields["uid"], let nsp = fields["nsp"], let code = fields["type"].flatMap({ Int($0) }),
              let type = ClusterMessageType(rawValue: code) else {
            throw .malformed("stream entry without uid, nsp or a known type")
        }
        var data: JSONValue? = nil
        if let raw = fields["data"] {
            if raw.hasPrefix("{") {
                data = try ClassicCodec.decode(Array(raw.utf8))
            } else {
                guard let bytes = Data(base64Encoded: raw) else { throw .malformed("data is neither JSON nor base64") }
                data = try ClassicCodec.decode([UInt8](bytes))
            }
        }
        self.init(uid: uid, nsp: nsp, type: type, data: data)
    }
}

/// Sixteen hex characters, as Node's `randomBytes(8).toString("hex")`: ClusterAdapter uids and request ids.
func randomHexID() -> String {
    var generator = SystemRandomNumberGenerator()
    let value: UInt64 = generator.next()
    let hex = String(value, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}

/// The stream of a namespace: `streamName`, or with `streamCount > 1` `streamName-<i>` where i is
/// JavaScript's `hashCode(nsp) % streamCount` (signed 32-bit over UTF-16 code units, so it may be negative).
func streamName(for namespace: String, base: String, count: Int) -> String {
    guard count > 1 else { return base }
    var hash: Int32 = 0
    for unit in namespace.utf16 { hash = hash &* 31 &+ Int32(unit) }
    return base + "-" + String(Int(hash) % count)
}
