import HTTP1
import HTTPServer

/// CORS as the `cors` middleware in front of Node's engine.io answers it.
extension EngineServer {
    func corsHeaders(for request: HTTPRequest) -> HTTPHeaders {
        var headers = HTTPHeaders()
        guard let cors = options.cors else { return headers }
        let origin = request.headers["Origin"]
        if cors.origins.contains("*") {
            if cors.credentials, let origin {
                // `*` is not allowed with credentials, so reflect the origin.
                headers.add(name: "Access-Control-Allow-Origin", value: origin)
                headers.add(name: "Vary", value: "Origin")
            } else {
                headers.add(name: "Access-Control-Allow-Origin", value: "*")
            }
        } else {
            if let origin, cors.origins.contains(origin) {
                headers.add(name: "Access-Control-Allow-Origin", value: origin)
            }
            headers.add(name: "Vary", value: "Origin")
        }
        if cors.credentials { headers.add(name: "Access-Control-Allow-Credentials", value: "true") }
        return headers
    }

    func preflightResponse(for request: HTTPRequest, headers: HTTPHeaders) -> HTTPResponse {
        var headers = headers
        guard let cors = options.cors else { return HTTPResponse(status: 204, headers: headers) }
        headers.add(name: "Access-Control-Allow-Methods", value: cors.methods.joined(separator: ","))
        if let allowed = cors.allowedHeaders {
            headers.add(name: "Access-Control-Allow-Headers", value: allowed.joined(separator: ","))
        } else if let requested = request.headers["Access-Control-Request-Headers"] {
            headers.add(name: "Access-Control-Allow-Headers", value: requested)
            headers.add(name: "Vary", value: "Access-Control-Request-Headers")
        }
        headers.add(name: "Content-Length", value: "0")
        return HTTPResponse(status: 204, headers: headers)
    }
}
