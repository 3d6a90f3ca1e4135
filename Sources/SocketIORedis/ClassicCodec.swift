import MessagePack
import SocketIO
import SocketIOParser

/// Why a message from Redis was skipped (counted, never fatal: a peer of another version, or
/// something else publishing on our channels).
enum ClassicDecodeError: Error, Sendable, Equatable {
    case malformed(String)
}

/// Bytes ↔ values of the classic protocol. A payload starting with `{` is JSON, anything else
/// msgpack (the Node adapter's own rule); both decode to a `JSONValue` so one code path reads them.
enum ClassicCodec {
    static let limits: MessagePackLimits = {
        var limits = MessagePackLimits()
        limits.maxDepth = 64
        return limits
    }()

    static func decode(_ payload: [UInt8]) throws(ClassicDecodeError) -> JSONValue {
        guard let first = payload.first else { throw .malformed("empty message") }
        if first == UInt8(ascii: "{") {
            do { return try JSONCodec.decode(payload) } catch { throw .malformed("bad JSON: \(error)") }
        }
        do {
            return try JSONValue(messagePack: MessagePack.decode(payload, limits: limits))
        } catch {
            throw .malformed("bad msgpack: \(error)")
        }
    }

    static func json(_ value: JSONValue) -> [UInt8] { JSONCodec.encode(value) }
    static func messagePack(_ value: JSONValue) -> [UInt8] { MessagePack.encode(value.messagePackValue) }

    // MARK: Packets and options

    /// `{type: 2, data: [event, ...args], nsp}`: always EVENT, never an id or attachments (the receiver
    /// assigns its own ack id and carries binary as msgpack `bin`).
    static func packet(_ packet: OutgoingPacket) -> JSONValue {
        .object(["type": 2, "data": .array([.string(packet.event)] + packet.arguments), "nsp": .string(packet.namespace)])
    }

    /// The event of a packet another server sent, for `namespace`; nil when it is not an event of it.
    /// A packet without `nsp` is the main namespace's (classic) or the receiver's (`unnamed`, cluster protocol).
    static func outgoingPacket(_ value: JSONValue?, namespace: String, ackID: Int? = nil,
                               unnamed: String = "/") -> OutgoingPacket? {
        guard let value, case .array(let data)? = value["data"], case .string(let event)? = data.first else { return nil }
        let nsp = value["nsp"]?.stringValue ?? unnamed
        guard nsp == namespace else { return nil }
        if let type = value["type"]?.intValue, type != 2 && type != 5 { return nil }
        return OutgoingPacket(namespace: namespace, event: event, arguments: Array(data.dropFirst()), ackID: ackID)
    }

    /// `{rooms, except, flags}`; `flags` only when asked (utilities send none).
    static func options(_ options: BroadcastOptions, withFlags: Bool = true) -> JSONValue {
        var object: JSONObject = [
            "rooms": .array(options.rooms.sorted().map { .string($0) }),
            "except": .array(options.except.sorted().map { .string($0) }),
        ]
        if withFlags {
            var flags = JSONObject()
            if options.flags.volatile { flags["volatile"] = true }
            if let compress = options.flags.compress { flags["compress"] = .bool(compress) }
            if let timeout = options.flags.timeout { flags["timeout"] = .int(milliseconds(timeout)) }
            object["flags"] = .object(flags)
        }
        return .object(object)
    }

    static func options(_ value: JSONValue?) -> BroadcastOptions {
        var options = BroadcastOptions(rooms: roomSet(value?["rooms"]), except: roomSet(value?["except"]))
        if let flags = value?["flags"] {
            options.flags.volatile = flags["volatile"]?.boolValue ?? false
            options.flags.compress = flags["compress"]?.boolValue
            if let ms = flags["timeout"]?.intValue { options.flags.timeout = .milliseconds(ms) }
        }
        return options
    }

    /// Rooms are strings, but a JavaScript peer may send numbers (`io.to(123)`): they become the
    /// string JavaScript would print.
    static func roomSet(_ value: JSONValue?) -> Set<Room> {
        Set(value?.arrayValue?.compactMap(roomName) ?? [])
    }

    static func roomName(_ value: JSONValue) -> Room? {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : String(d)
        default: return nil
        }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}

/// Six random characters of `[A-Za-z0-9]`: server uids and request ids, as Node's `uid2(6)`.
func randomID(_ length: Int = 6) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    var generator = SystemRandomNumberGenerator()
    return String(decoding: (0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] },
                  as: UTF8.self)
}
