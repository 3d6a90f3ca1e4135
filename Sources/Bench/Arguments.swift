import Foundation

/// `--name value` pairs and bare `--flag`s, read by name with typed accessors; unknown names fail,
/// so a typo never silently runs the default.
struct Arguments {
    private var values: [String: String] = [:]
    private var used: Set<String> = []

    init(_ argv: ArraySlice<String>, flags: Set<String>) {
        var rest = argv
        while let arg = rest.popFirst() {
            guard arg.hasPrefix("--") else { fail("unexpected argument \(arg)") }
            let name = String(arg.dropFirst(2))
            if flags.contains(name) {
                values[name] = "true"
            } else {
                guard let value = rest.popFirst() else { fail("\(arg) needs a value") }
                values[name] = value
            }
        }
    }

    mutating func string(_ name: String, _ fallback: String) -> String {
        used.insert(name)
        return values[name] ?? fallback
    }

    mutating func optionalString(_ name: String) -> String? {
        used.insert(name)
        return values[name]
    }

    mutating func int(_ name: String, _ fallback: Int) -> Int {
        used.insert(name)
        guard let text = values[name] else { return fallback }
        guard let value = Int(text) else { fail("--\(name) needs an integer, got \(text)") }
        return value
    }

    mutating func double(_ name: String, _ fallback: Double) -> Double {
        used.insert(name)
        guard let text = values[name] else { return fallback }
        guard let value = Double(text) else { fail("--\(name) needs a number, got \(text)") }
        return value
    }

    mutating func flag(_ name: String) -> Bool {
        used.insert(name)
        return values[name] != nil
    }

    /// Call after reading every option.
    func rejectUnknown() {
        for name in values.keys where !used.contains(name) { fail("unknown option --\(name)") }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("sio-bench: \(message)\n".utf8))
    exit(2)
}

func note(_ message: String) {
    FileHandle.standardError.write(Data("sio-bench: \(message)\n".utf8))
}
