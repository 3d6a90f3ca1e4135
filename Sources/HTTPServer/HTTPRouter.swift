import HTTP1
import Synchronization

/// Tries routes in the order they were added; the first whose predicate accepts the request answers.
/// Unmatched requests get 404 text/plain. Routes may be added at any time from any thread.
package final class HTTPRouter: HTTPRequestHandler, @unchecked Sendable {
    package typealias Predicate = @Sendable (HTTPRequest) -> Bool
    package typealias Closure = @Sendable (HTTPRequest, HTTPResponder) -> Void

    private enum Target {
        case handler(any HTTPRequestHandler)
        case closure(Closure)
    }
    private struct Route {
        let predicate: Predicate
        let target: Target
    }

    private let routes = Mutex<[Route]>([])

    package init() {}

    package func add(when predicate: @escaping Predicate, handler: any HTTPRequestHandler) {
        routes.withLock { $0.append(Route(predicate: predicate, target: .handler(handler))) }
    }

    package func add(when predicate: @escaping Predicate, _ closure: @escaping Closure) {
        routes.withLock { $0.append(Route(predicate: predicate, target: .closure(closure))) }
    }

    /// Requests whose decoded path starts with `prefix`.
    package func add(pathPrefix prefix: String, handler: any HTTPRequestHandler) {
        add(when: { $0.path.hasPrefix(prefix) }, handler: handler)
    }

    /// Requests with exactly this method and decoded path.
    package func add(method: String, path: String, _ closure: @escaping Closure) {
        add(when: { $0.method == method && $0.path == path }, closure)
    }

    package func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        // Copy the table out and release the lock before calling user code.
        let table = routes.withLock { $0 }
        for route in table where route.predicate(request) {
            switch route.target {
            case .handler(let handler): handler.handle(request, responder: responder)
            case .closure(let closure): closure(request, responder)
            }
            return
        }
        responder.send(HTTPResponse(status: 404, headers: ["Content-Type": "text/plain; charset=utf-8"],
                                    body: Array("Not Found: no route for \(request.method) \(request.path)".utf8)))
    }
}
