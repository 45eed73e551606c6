"""One real Mastra server per test session (Node 22 from npm, mock models, LibSQL in a temp dir).

``MASTRA_E2E_SERVER`` picks the @mastra/server version (see ``mastra_server.SERVER_DIRS``),
so the same suite checks a client against the server of its spec.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from .mastra_server import MastraTestServer, selected_server_version, server_dir_for


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
        yield c


@pytest.fixture(scope="session")
async def aclient(mastra_server: MastraTestServer) -> AsyncIterator[object]:
    from mastra_client import AsyncMastraClient

    async with AsyncMastraClient(mastra_server.base_url, max_retries=0) as c:
        yield c


@pytest.fixture(params=["sync", "async"])
def any_client(request: pytest.FixtureRequest, client: Any, aclient: Any) -> Any:
    """Each scenario runs twice: with MastraClient and with AsyncMastraClient."""
    return client if request.param == "sync" else aclient
