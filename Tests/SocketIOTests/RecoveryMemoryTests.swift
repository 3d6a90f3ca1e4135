import Foundation
import Glibc
import Testing
import SocketIOParser
@testable import SocketIO

/// What the replay buffer costs per kept packet: the figure the README states.
@Suite(.serialized) struct RecoveryMemoryTests {
    @Test func theReplayBufferCountsEachPacketsEncodingPlusItsBookkeeping() {
        var settings = ConnectionStateRecovery()
        settings.maxReplayBytes = 1 << 30
        let store = RecoveryStore(settings)
        let payload = JSONValue.string(String(repeating: "x", count: 32))
        let options = BroadcastOptions(rooms: ["bench"])
        let count = 100_000
        var encoded = 0
        let before = residentBytes()
        for _ in 0..<count {
            store.record(OutgoingPacket(namespace: "/", event: "fan", arguments: [payload]), options: options) { _, prepared in
                encoded = prepared.byteCount
            }
        }
        let after = residentBytes()
        let perPacket = Double(after - before) / Double(count)
        print("replay buffer: \(perPacket) bytes per packet, of which \(encoded) encoded (\(count) packets: \(after - before) bytes)")
        #expect(store.counts.packets == count)
        // Offsets grow from 1 to 6 digits, so earlier packets are a few bytes shorter than the last.
        let counted = encoded + RecoveryStore.entryOverhead
        #expect(store.counts.bytes > count * (counted - 6) && store.counts.bytes <= count * counted)
        // The resident-memory figure is printed, not asserted: other suites run in this process at the
        // same time. Run alone (`--filter RecoveryMemoryTests`) it came out at 254-272 bytes here,
        // against the 255 `maxReplayBytes` counts.
        _ = perPacket
    }
}

/// Resident memory of this process, from /proc (pages of 4 KiB): coarse, hence the many packets.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}
