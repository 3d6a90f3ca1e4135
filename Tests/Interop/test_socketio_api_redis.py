"""The whole server-API suite (test_socketio_api.py) again, with the server's namespaces on each Redis
adapter (`conformance-server --api-suite --redis URL [--streams]`, one process on a real
redis-server): a single server behaves the same whichever adapter it runs, the cross-server paths
included (fetchSockets, socketsJoin, broadcasts with acks go through Redis with nobody else to answer)."""
import pytest

from project import is_python_reference, server_prefix
from redisproc import RedisServer
from test_socketio_api import *  # noqa: F401,F403 - the same tests, collected again here


@pytest.fixture(scope="module")
def api_redis():
    server = RedisServer().start()
    yield server
    server.cleanup()


@pytest.fixture(params=["classic", "streams"])
def api_server(start_server, request, api_redis):
    if is_python_reference(request.config):
        pytest.skip("the python reference server has no --api-suite mode")
    streams = ["--streams"] if request.param == "streams" else []
    return start_server(server_prefix(request.config) + ["--api-suite", "--redis", api_redis.url] + streams,
                        name=f"api-redis-{request.param}-server")
