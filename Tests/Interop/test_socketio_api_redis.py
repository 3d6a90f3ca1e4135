"""The whole server-API suite (test_socketio_api.py) again, with the server's namespaces on the Redis
adapter (`conformance-server --api-suite --redis URL`, one process on a real redis-server): a single
server behaves the same whichever adapter it runs, the cross-server paths included (fetchSockets,
socketsJoin, broadcasts with acks go through Redis and come back with nobody else answering)."""
import pytest

from project import is_python_reference, server_prefix
from redisproc import RedisServer
from test_socketio_api import *  # noqa: F401,F403 - the same tests, collected again here


@pytest.fixture(scope="module")
def api_redis():
    server = RedisServer().start()
    yield server
    server.cleanup()


@pytest.fixture
def api_server(start_server, request, api_redis):
    if is_python_reference(request.config):
        pytest.skip("the python reference server has no --api-suite mode")
    return start_server(server_prefix(request.config) + ["--api-suite", "--redis", api_redis.url], name="api-redis-server")
