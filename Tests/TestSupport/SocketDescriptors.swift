import Foundation

/// Descriptors this process holds for TCP sockets whose local port is `port`: a server's listener and
/// the server side of its connections, not the clients of that port in the same process.
///
/// Tests run in parallel in one process, so a process-wide descriptor count moves with whatever the
/// other tests open; counting one server's sockets tells whether that server leaks.
public func socketDescriptors(onLocalPort port: Int) -> Int {
    var inodes = Set<Substring>()
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
        for line in text.split(separator: "\n").dropFirst() {
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
            let fields = line.split(separator: " ")
            guard fields.count > 9, let colon = fields[1].lastIndex(of: ":"),
                  Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port else { continue }
            inodes.insert(fields[9])
        }
    }
    let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    return descriptors.filter { fd in
        guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"),
              link.hasPrefix("socket:[") else { return false }
        return inodes.contains(link.dropFirst(8).dropLast())
    }.count
}
