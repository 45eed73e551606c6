"""One real Mastra server per test session (Node 22 from npm, mock models, LibSQL in a temp dir).

``MASTRA_E2E_SERVER`` picks the @mastra/server version (see ``mastra_server.SERVER_DIRS``),
so the same suite checks a client against the server of its spec.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from .mastra_server import MastraTestServer, selected_server_version, server_dir_for
from .routes import RECORDER, RouteMatcher, client_routes, server_routes, skip_unless_available


def _client_package_dir() -> Path:
    """The ``mastra_client`` under test: generated/, or the one in $MASTRA_E2E_CLIENT_DIR."""
    import mastra_client

    return Path(mastra_client.__file__).resolve().parent


@pytest.fixture(scope="session")
def mastra_server_version() -> str:
    """The @mastra/server version this session runs against (env ``MASTRA_E2E_SERVER``)."""
    return selected_server_version()


@pytest.fixture(scope="session")
def mastra_server(mastra_server_version: str) -> Iterator[MastraTestServer]:
    with MastraTestServer(server_dir_for(mastra_server_version)) as server:
        yield server


@pytest.fixture(scope="session")
def client(mastra_server: MastraTestServer) -> Iterator[object]:
    from mastra_client import MastraClient

    with MastraClient(mastra_server.base_url, max_retries=0) as c:
        RECORDER.install(c)
        yield c


@pytest.fixture(scope="session")
async def aclient(mastra_server: MastraTestServer) -> AsyncIterator[object]:
    from mastra_client import AsyncMastraClient

    async with AsyncMastraClient(mastra_server.base_url, max_retries=0) as c:
        RECORDER.install(c)
        yield c


@pytest.fixture(params=["sync", "async"])
def any_client(request: pytest.FixtureRequest, client: Any, aclient: Any) -> Any:
    """Each scenario runs twice: with MastraClient and with AsyncMastraClient."""
    return client if request.param == "sync" else aclient


@pytest.fixture(scope="session")
def available_routes(mastra_server: MastraTestServer) -> tuple[frozenset[str], frozenset[str]]:
    """(routes of the client under test, routes of the running server): a scenario needs both."""
    return client_routes(_client_package_dir()), server_routes(mastra_server.api_url)


@pytest.fixture(scope="session")
def route_matcher() -> RouteMatcher:
    return RouteMatcher(client_routes(_client_package_dir()))


@pytest.fixture(autouse=True)
def _skip_without_marked_routes(request: pytest.FixtureRequest) -> None:
    """``@pytest.mark.routes("GET /agents", ...)``: skipped where the client or the server lacks one."""
    marker = request.node.get_closest_marker("routes")
    if marker is not None:
        skip_unless_available(marker.args, *request.getfixturevalue("available_routes"))
