"""Where python-engineio / python-socketio (our reference servers) differ from Node's socket.io,
whose behaviour our server follows. Tests named here are expected to fail against the python
reference (marked xfail, not strict); against our server they must pass."""

PYTHON_REFERENCE: dict[str, str] = {
    # Engine.IO
    "test_polling_handshake_values": "advertises pingInterval in whole seconds (1000, not 300)",
    "test_websocket_handshake_values": "advertises pingInterval in whole seconds (1000, not 300)",
    "test_polling_post_answers_ok": "answers a POST with 'OK'; Node answers 'ok'",
    "test_polling_payload_over_max_is_413": "never answers an oversized POST (client times out)",
    "test_polling_payload_at_max_is_accepted": "reads only the first 128000 bytes of a POST body",
    "test_concurrent_polls_close_the_session": "does not end the session on overlapping GETs",
    "test_error_body_as_node": "error bodies are plain-text strings, not Node's JSON",
    "test_transport_mismatch_is_bad_request": "opens a new session instead of 400 code 3",
    "test_error_status[missing_transport]": "defaults a missing transport to polling (200)",
    "test_upgrade_from_polling": "the 400 for a polling GET after the upgrade has a plain-text body",
    "test_cors_preflight": "answers the OPTIONS preflight with 200; Node's cors answers 204",
    "test_websocket_message_of_exactly_max_payload_is_echoed": "resets the connection on a 1,000,000-byte WebSocket message",
    "test_websocket_message_one_over_max_payload_closes_1009": "drops the connection without a close frame (no 1009)",
    "test_deflate_is_off_unless_enabled": "aiohttp's WebSocket server negotiates permessage-deflate by default",
    "test_client_close_packet_releases_the_held_poll_with_a_noop": "answers the held poll with 400, not a noop",
    "test_polling_sent_right_after_the_upgrade_packet_is_refused_every_time": "the 400 has a plain-text body, not Node's JSON",
    # Socket.IO
    "test_connect_without_auth": "passes auth=None (no argument), Node passes {}",
    "test_raw_connect_packet": "emits '2[\"auth\"]' without auth; Node's handshake.auth is {}",
    "test_raw_unknown_namespace_error_as_node": "refuses with '4/nope,\"Unable to connect\"'",
    "test_many_acks_in_flight[polling]": "rejects a POST payload of more than 16 packets (max_decode_packets)",
    "test_malformed_packet_closes_connection": "logs the parse error and keeps the connection",
    "test_attachment_without_binary_packet_closes_connection": "logs the parse error and keeps the connection",
}
