// sio-bench: the benchmark server (the bench contract) and the load generator that measures it.
//
//   sio-bench serve --port P [--loops N] [--pin CPUS] [--redis URL] [--recovery]   (--redis: the cluster
//                   mode's servers; --recovery: connection state recovery on, to measure its cost)
//   sio-bench ceiling --port P [--pin CPUS]   the least any server can do (CeilingServer.swift)
//   sio-bench load --scenario fanout|echo|connect|polling --port P [options]   (see LoadOptions.swift)
import Foundation
import Reactor

let argv = CommandLine.arguments
guard argv.count >= 2 else {
    fail("usage: sio-bench serve --port P [--loops N] [--pin CPUS] | sio-bench ceiling --port P [--pin CPUS] | sio-bench load --scenario S --port P ...")
}

func pin(_ list: String?) {
    guard let list else { return }
    guard let cpus = CPUAffinity.parse(list) else { fail("--pin takes a CPU list such as 0, 0,1 or 0-3") }
    do { try CPUAffinity.pinCurrentThread(to: cpus) } catch { fail("\(error)") }
}

switch argv[1] {
case "serve":
    var args = Arguments(argv.dropFirst(2), flags: ["recovery"])
    let port = args.int("port", 3000)
    let loops = args.int("loops", 1)
    let redis = args.optionalString("redis")
    let recovery = args.flag("recovery")
    pin(args.optionalString("pin"))
    args.rejectUnknown()
    BenchServer.run(port: port, loops: loops, redis: redis, recovery: recovery)
case "ceiling":
    var args = Arguments(argv.dropFirst(2), flags: [])
    let port = args.int("port", 3000)
    pin(args.optionalString("pin"))
    args.rejectUnknown()
    CeilingServer.run(port: port)
case "load":
    var args = Arguments(argv.dropFirst(2), flags: [])
    let options = LoadOptions(&args)
    pin(args.optionalString("pin"))
    args.rejectUnknown()
    LoadRunner(options).run()
default:
    fail("unknown mode \(argv[1]): use serve, ceiling or load")
}
