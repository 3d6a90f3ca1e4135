import CEpoll
import Glibc

/// Pinning threads to cores, so a benchmark's server and load generator do not share one.
package enum CPUAffinity {
    /// Restricts the calling thread, and every thread it starts afterwards, to `cpus`. Call it before
    /// the event loops start so they inherit the mask.
    package static func pinCurrentThread(to cpus: [Int]) throws(ReactorError) {
        var words = [UInt64](repeating: 0, count: 16)
        for cpu in cpus where (0..<(words.count * 64)).contains(cpu) {
            words[cpu / 64] |= 1 << UInt64(cpu % 64)
        }
        let rc = words.withUnsafeBufferPointer { cepoll_set_affinity($0.baseAddress, Int32($0.count)) }
        guard rc == 0 else { throw .systemCall("sched_setaffinity", errno: cepoll_errno()) }
    }

    /// Parses `0`, `0,1` or `0-3`.
    package static func parse(_ list: String) -> [Int]? {
        var cpus: [Int] = []
        for part in list.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0) }
            guard let first = bounds.first ?? nil, first >= 0 else { return nil }
            if bounds.count == 2, let last = bounds[1], last >= first { cpus.append(contentsOf: first...last) }
            else if bounds.count == 1 { cpus.append(first) }
            else { return nil }
        }
        return cpus.isEmpty ? nil : cpus
    }
}
