/// A set that keeps one or a few elements without a hash table.
///
/// Most rooms are a socket's own room, with one member, and a socket is in a few rooms: a `Set` for
/// each cost ~170 bytes of every idle connection, and hashing on every join. Past `fewLimit` elements
/// it becomes a `Set`, so large rooms keep O(1) membership.
struct CompactSet<Element: Hashable & Sendable>: Sendable, Sequence {
    fileprivate enum Storage: Sendable {
        case empty
        case one(Element)
        case few([Element])
        case many(Set<Element>)
    }
    private var storage = Storage.empty
    static var fewLimit: Int { 8 }

    init() {}
    init(_ elements: some Sequence<Element>) { formUnion(elements) }

    var isEmpty: Bool { if case .empty = storage { true } else { false } }

    var count: Int {
        switch storage {
        case .empty: 0
        case .one: 1
        case .few(let elements): elements.count
        case .many(let set): set.count
        }
    }

    func contains(_ element: Element) -> Bool {
        switch storage {
        case .empty: false
        case .one(let only): only == element
        case .few(let elements): elements.contains(element)
        case .many(let set): set.contains(element)
        }
    }

    @discardableResult
    mutating func insert(_ element: Element) -> Bool {
        switch storage {
        case .empty:
            storage = .one(element)
        case .one(let only):
            guard only != element else { return false }
            storage = .few([only, element])
        case .few(var elements):
            guard !elements.contains(element) else { return false }
            storage = .empty  // keeps `elements` uniquely referenced while it grows
            elements.append(element)
            storage = elements.count > Self.fewLimit ? .many(Set(elements)) : .few(elements)
        case .many(var set):
            storage = .empty
            let inserted = set.insert(element).inserted
            storage = .many(set)
            return inserted
        }
        return true
    }

    @discardableResult
    mutating func remove(_ element: Element) -> Bool {
        switch storage {
        case .empty:
            return false
        case .one(let only):
            guard only == element else { return false }
            storage = .empty
        case .few(var elements):
            guard let index = elements.firstIndex(of: element) else { return false }
            storage = .empty
            elements.remove(at: index)
            storage = elements.count == 1 ? .one(elements[0]) : .few(elements)
        case .many(var set):
            storage = .empty
            let removed = set.remove(element) != nil
            storage = set.isEmpty ? .empty : .many(set)
            return removed
        }
        return true
    }

    mutating func formUnion(_ elements: some Sequence<Element>) {
        for element in elements { insert(element) }
    }

    var set: Set<Element> {
        switch storage {
        case .empty: []
        case .one(let only): [only]
        case .few(let elements): Set(elements)
        case .many(let set): set
        }
    }

    func makeIterator() -> Iterator { Iterator(storage) }

    struct Iterator: IteratorProtocol {
        private var one: Element?
        private var few: IndexingIterator<[Element]>?
        private var many: Set<Element>.Iterator?

        fileprivate init(_ storage: Storage) {
            switch storage {
            case .empty: break
            case .one(let only): one = only
            case .few(let elements): few = elements.makeIterator()
            case .many(let set): many = set.makeIterator()
            }
        }

        mutating func next() -> Element? {
            if let element = one {
                one = nil
                return element
            }
            if few != nil { return few!.next() }
            if many != nil { return many!.next() }
            return nil
        }
    }
}
