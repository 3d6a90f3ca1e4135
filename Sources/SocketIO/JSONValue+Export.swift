import SocketIOParser

// The payload types are defined with their codec in SocketIOParser; these names let a program that
// imports only SocketIO spell them (`let v: JSONValue = ["a": 1]`).
public typealias JSONValue = SocketIOParser.JSONValue
public typealias JSONObject = SocketIOParser.JSONObject
