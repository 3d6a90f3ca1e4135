import Foundation
import Glibc

/// CPU time and memory of this process (getrusage) and of the server (/proc/<pid>).
enum ProcessStats {
    /// User + system CPU seconds of this process, all threads.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private static func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }

    /// User + system CPU seconds of `pid` (fields 14 and 15 of /proc/pid/stat, in clock ticks).
    static func cpuSeconds(pid: Int) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after the command name, which may itself contain spaces; index 0 here is field 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident set size of `pid` in KiB (VmRSS).
    static func rssKiB(pid: Int) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        }
        return nil
    }

    /// Raises the soft descriptor limit to the hard one; returns the new soft limit.
    @discardableResult
    static func raiseFileLimit() -> Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return Int(limit.rlim_cur)
    }
}

/// A one-line JSON object, keys in insertion order.
struct JSONLine {
    private var parts: [String] = []

    mutating func add(_ key: String, _ value: Int) { parts.append("\"\(key)\":\(value)") }
    mutating func add(_ key: String, _ value: Bool) { parts.append("\"\(key)\":\(value)") }
    mutating func add(_ key: String, _ value: Double, digits: Int = 3) {
        parts.append("\"\(key)\":" + (value.isFinite ? String(format: "%.\(digits)f", value) : "null"))
    }
    mutating func add(_ key: String, _ value: String) {
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: " ")
        parts.append("\"\(key)\":\"\(escaped)\"")
    }
    mutating func add(_ key: String, _ value: Int?) {
        if let value { add(key, value) } else { parts.append("\"\(key)\":null") }
    }
    mutating func add(_ key: String, _ value: Double?, digits: Int = 3) {
        if let value { add(key, value, digits: digits) } else { parts.append("\"\(key)\":null") }
    }

    var text: String { "{" + parts.joined(separator: ",") + "}" }
}
