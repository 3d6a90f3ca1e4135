import Synchronization

/// How many connections the server turned away, by reason (for tests now, metrics later).
package struct HTTPRefusalCounts: Sendable, Equatable {
    /// Over `maxConnections`.
    package var atConnectionLimit = 0
    /// Over `maxConnectionsPerAddress`.
    package var perAddressLimit = 0
}

/// The admission bookkeeping of one server: open connections per remote address and the refusal
/// counters. Touched when a connection opens or closes, never per request or message, and not at all
/// for addresses while `maxConnectionsPerAddress` is off.
final class ConnectionLimits: Sendable {
    let perAddressLimit: Int?
    private let openByAddress = Mutex<[String: Int]>([:])
    private let refusedAtLimit = Atomic<Int>(0)
    private let refusedPerAddress = Atomic<Int>(0)

    init(perAddressLimit: Int?) { self.perAddressLimit = perAddressLimit }

    /// Counts a new connection from `address`; false (and counted as refused) when that address is
    /// already at its limit.
    func admit(_ address: String) -> Bool {
        guard let limit = perAddressLimit else { return true }
        let admitted = openByAddress.withLock { open in
            let count = open[address, default: 0]
            guard count < limit else { return false }
            open[address] = count + 1
            return true
        }
        if !admitted { refusedPerAddress.add(1, ordering: .relaxed) }
        return admitted
    }

    /// A connection `admit` let in has closed.
    func release(_ address: String) {
        guard perAddressLimit != nil else { return }
        openByAddress.withLock { open in
            guard let count = open[address] else { return }
            if count <= 1 { open.removeValue(forKey: address) } else { open[address] = count - 1 }
        }
    }

    func refusedAtConnectionLimit() { refusedAtLimit.add(1, ordering: .relaxed) }

    var refusals: HTTPRefusalCounts {
        HTTPRefusalCounts(atConnectionLimit: refusedAtLimit.load(ordering: .relaxed),
                          perAddressLimit: refusedPerAddress.load(ordering: .relaxed))
    }

    /// Open connections from `address` (tests).
    func openConnections(from address: String) -> Int { openByAddress.withLock { $0[address, default: 0] } }
}
