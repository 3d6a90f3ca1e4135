// swift-tools-version:6.0
// Zero package dependencies by design: everything below Socket.IO is ours (see README "Architecture").
import PackageDescription

let package = Package(
    name: "SwiftSocketIO",
    products: [
        .library(name: "SocketIO", targets: ["SocketIO"]),
        .library(name: "SocketIORedis", targets: ["SocketIORedis"]),
        .executable(name: "chat", targets: ["ChatServer"]),
        .executable(name: "conformance-server", targets: ["ConformanceServer"]),
        .executable(name: "sio-bench", targets: ["Bench"]),
    ],
    targets: [
        // C shims: epoll/eventfd/timerfd (not all exported by Glibc) and the system zlib.
        .target(name: "CEpoll"),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),

        // Pure codecs: bytes in, values out, no I/O.
        .target(name: "HTTP1"),
        .target(name: "Deflate", dependencies: ["CZlib"]),
        .target(name: "WebSocketCodec", dependencies: ["Deflate"]),
        .target(name: "EngineIOParser"),
        .target(name: "MessagePack"),
        .target(name: "SocketIOParser", dependencies: ["MessagePack"]),
        .target(name: "RESP"),

        // I/O layers, each importing only the layers below it.
        .target(name: "Reactor", dependencies: ["CEpoll"]),
        .target(name: "HTTPServer", dependencies: ["Reactor", "HTTP1", "WebSocketCodec", "Deflate"]),
        .target(name: "EngineIO", dependencies: ["HTTPServer", "EngineIOParser", "Reactor", "HTTP1"]),
        .target(name: "SocketIO", dependencies: ["EngineIO", "SocketIOParser", "HTTPServer", "Reactor", "HTTP1"]),
        .target(name: "Redis", dependencies: ["Reactor", "RESP"]),
        // Scale-out adapters: rooms and broadcasts shared through Redis (SocketIO never imports Redis).
        .target(name: "SocketIORedis", dependencies: ["SocketIO", "SocketIOParser", "MessagePack", "Redis", "Reactor"]),

        // Executables.
        .executableTarget(name: "ChatServer", dependencies: ["SocketIO", "SocketIORedis"]),
        .executableTarget(name: "ConformanceServer", dependencies: ["SocketIO", "SocketIORedis"]),
        .executableTarget(name: "Bench", dependencies: ["SocketIO", "SocketIORedis", "WebSocketCodec", "CEpoll"]),

        // One test target per module, plus what several of them share.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HTTP1Tests", dependencies: ["HTTP1"]),
        .testTarget(name: "DeflateTests", dependencies: ["Deflate"]),
        .testTarget(name: "WebSocketCodecTests", dependencies: ["WebSocketCodec"]),
        .testTarget(name: "EngineIOParserTests", dependencies: ["EngineIOParser"]),
        .testTarget(name: "SocketIOParserTests", dependencies: ["SocketIOParser", "MessagePack"]),
        .testTarget(name: "MessagePackTests", dependencies: ["MessagePack"]),
        .testTarget(name: "ReactorTests", dependencies: ["Reactor"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"]),
        .testTarget(name: "EngineIOTests", dependencies: ["EngineIO", "TestSupport"]),
        .testTarget(name: "SocketIOTests", dependencies: ["SocketIO", "TestSupport", "WebSocketCodec"]),
        .testTarget(name: "RESPTests", dependencies: ["RESP"]),
        .testTarget(name: "RedisTests", dependencies: ["Redis", "RESP", "Reactor", "TestSupport"]),
        .testTarget(name: "SocketIORedisTests", dependencies: ["SocketIORedis", "SocketIO", "SocketIOParser", "Redis", "Reactor", "TestSupport"]),
    ]
)
