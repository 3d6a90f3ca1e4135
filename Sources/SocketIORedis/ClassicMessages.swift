import SocketIO
import SocketIOParser

/// The messages of the classic protocol, byte for byte as the Node adapter and emitter write them
/// (key order included: receivers don't care, but fixtures captured from Node do).
enum ClassicMessages {
    /// msgpack `[uid, packet, opts]`, published on the broadcast channel.
    static func broadcast(uid: String, packet: OutgoingPacket, options: BroadcastOptions) -> [UInt8] {
        ClassicCodec.messagePack([.string(uid), ClassicCodec.packet(packet), ClassicCodec.options(options)])
    }

    /// msgpack `{uid, requestId, type: 7, packet, opts}`, published on the request channel.
    static func broadcastWithAck(uid: String, requestID: String, packet: OutgoingPacket, options: BroadcastOptions) -> [UInt8] {
        ClassicCodec.messagePack(.object([
            "uid": .string(uid), "requestId": .string(requestID), "type": .int(ClassicRequestType.broadcast.rawValue),
            "packet": ClassicCodec.packet(packet), "opts": ClassicCodec.options(options),
        ]))
    }

    /// JSON `{uid, requestId, type, ...body}`: a request that expects one answer per server.
    static func request(uid: String, requestID: String, type: ClassicRequestType, body: JSONObject) -> [UInt8] {
        var message: JSONObject = ["uid": .string(uid), "requestId": .string(requestID), "type": .int(type.rawValue)]
        for (key, value) in body { message[key] = value }
        return ClassicCodec.json(.object(message))
    }

    /// JSON `{uid, type, opts: {rooms, except}, ...extra}` for `socketsJoin` / `socketsLeave` /
    /// `disconnectSockets`; the emitter sends it without `uid`.
    static func utility(uid: String?, type: ClassicRequestType, rooms: [Room], except: [Room], extra: JSONObject) -> [UInt8] {
        var message = JSONObject()
        if let uid { message["uid"] = .string(uid) }
        message["type"] = .int(type.rawValue)
        message["opts"] = ["rooms": .array(rooms.map { .string($0) }), "except": .array(except.map { .string($0) })]
        for (key, value) in extra { message[key] = value }
        return ClassicCodec.json(.object(message))
    }

    /// JSON `{uid, type: 6, data: [event, ...args]}` (plus `requestId` when acks are wanted).
    static func serverSideEmit(uid: String, data: [JSONValue]) -> [UInt8] {
        ClassicCodec.json(["uid": .string(uid), "type": .int(ClassicRequestType.serverSideEmit.rawValue), "data": .array(data)])
    }

    /// JSON `{type: 6, requestId, data}`: one server's answer to `serverSideEmitWithAck`.
    static func serverSideEmitResponse(requestID: String, data: JSONValue) -> [UInt8] {
        ClassicCodec.json(["type": .int(ClassicRequestType.serverSideEmit.rawValue), "requestId": .string(requestID), "data": data])
    }

    /// JSON `{type: 8, requestId, clientCount}`, sent by every server (even with 0 clients).
    static func clientCount(requestID: String, count: Int) -> [UInt8] {
        ClassicCodec.json(["type": .int(ClassicRequestType.broadcastClientCount.rawValue),
                           "requestId": .string(requestID), "clientCount": .int(count)])
    }

    /// msgpack `{type: 9, requestId, packet: firstAckArgument}`.
    static func broadcastAck(requestID: String, argument: JSONValue) -> [UInt8] {
        ClassicCodec.messagePack(["type": .int(ClassicRequestType.broadcastAck.rawValue),
                                  "requestId": .string(requestID), "packet": argument])
    }

    /// JSON `{requestId, ...body}`: the answer to sockets / allRooms / fetchSockets / legacy requests.
    static func response(requestID: String, body: JSONObject) -> [UInt8] {
        var message: JSONObject = ["requestId": .string(requestID)]
        for (key, value) in body { message[key] = value }
        return ClassicCodec.json(.object(message))
    }
}
