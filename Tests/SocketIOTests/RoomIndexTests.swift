import Testing
@testable import SocketIO

@Suite struct RoomIndexTests {
    /// a: {a, r1, r2}, b: {b, r1}, c: {c, r2, muted}, d: {d}
    func sample() -> RoomIndex {
        var index = RoomIndex()
        index.addAll("a", rooms: ["a", "r1", "r2"])
        index.addAll("b", rooms: ["b", "r1"])
        index.addAll("c", rooms: ["c", "r2", "muted"])
        index.addAll("d", rooms: ["d"])
        return index
    }

    @Test func noRoomsMeansEveryone() {
        #expect(Set(sample().recipients(BroadcastOptions())) == ["a", "b", "c", "d"])
    }

    @Test func unionOfRoomsEachSocketOnce() {
        let ids = sample().recipients(BroadcastOptions(rooms: ["r1", "r2"]))
        #expect(ids.count == 3)
        #expect(Set(ids) == ["a", "b", "c"])
    }

    @Test func exceptRemovesMembersOfAnyExceptedRoom() {
        #expect(Set(sample().recipients(BroadcastOptions(rooms: ["r1", "r2"], except: ["muted"]))) == ["a", "b"])
        #expect(Set(sample().recipients(BroadcastOptions(except: ["r1"]))) == ["c", "d"])
        // A socket id is a room: this is how `socket.broadcast` leaves the sender out.
        #expect(Set(sample().recipients(BroadcastOptions(except: ["a"]))) == ["b", "c", "d"])
    }

    @Test func unknownRoomsMatchNobody() {
        #expect(sample().recipients(BroadcastOptions(rooms: ["nope"])).isEmpty)
        #expect(sample().sockets(["nope"]).isEmpty)
    }

    @Test func delRemovesEmptyRooms() {
        var index = sample()
        index.del("b", room: "r1")
        #expect(index.rooms["r1"] == ["a"])
        index.del("a", room: "r1")
        #expect(index.rooms["r1"] == nil)
        #expect(index.sids["a"] == ["a", "r2"])
    }

    @Test func delAllForgetsTheSocket() {
        var index = sample()
        index.delAll("c")
        #expect(index.sids["c"] == nil)
        #expect(index.rooms["muted"] == nil)
        #expect(index.rooms["r2"] == ["a"])
        #expect(index.sockets([]) == ["a", "b", "d"])
    }

    @Test func socketsInRoomsIsAUnion() {
        #expect(sample().sockets(["r1", "muted"]) == ["a", "b", "c"])
    }
}
