import SocketIO

/// What the classic Redis adapter needs from Redis: publish, ask how many servers listen, and listen.
///
/// `RedisPubSub` is the real one (a publisher and a subscriber connection to a Redis server);
/// tests also run several servers over an in-process `LocalPubSub`. Every method is callable from
/// any thread; messages are delivered on the transport's own thread, one at a time.
package protocol PubSubTransport: AnyObject, Sendable {
    /// Queues a PUBLISH without waiting. Returns false (and the message is dropped) while the
    /// transport is disconnected.
    @discardableResult
    func publish(_ channel: String, _ payload: [UInt8]) -> Bool
    /// `PUBSUB NUMSUB channel`: how many connections listen on `channel`.
    func subscriberCount(_ channel: String) async throws(SocketIOError) -> Int
    /// Subscribes to channels and patterns (a glob ending in `*`), sending each message to
    /// `handler`; returns once the subscriptions are confirmed, so `subscriberCount` counts them.
    func subscribe(channels: [String], patterns: [String], handler: @escaping PubSubHandler) async throws(SocketIOError)
    /// Ends the subscriptions of `subscribe`.
    func unsubscribe(channels: [String], patterns: [String])
}

/// One message: the channel it was published on, and its bytes.
package typealias PubSubHandler = @Sendable (_ channel: String, _ payload: [UInt8]) -> Void
