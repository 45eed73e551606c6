"""Server versions: recorded when generating from a live server, checked by the client on request."""

from __future__ import annotations

import importlib
import json
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from mastra_codegen.cli import main

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def live_package(mastra_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """A client generated from the running server's URL, imported under its own name."""
    root = tmp_path_factory.mktemp("live")
    out = root / "live_versions_client"
    result = CliRunner().invoke(main, [f"{mastra_server.api_url}/openapi.json", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("live_versions_client")
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n.split(".")[0] == "live_versions_client"]:
            del sys.modules[name]


def _served(mastra_server: Any) -> dict[str, str]:
    answer = httpx.get(f"{mastra_server.api_url}/system/packages").json()
    return {p["name"]: p["version"] for p in answer["packages"]}


def test_generation_from_a_url_records_the_server_packages(mastra_server: Any, live_package: ModuleType) -> None:
    recorded = live_package._version.SERVER_PACKAGES
    assert recorded == _served(mastra_server)
    assert "@mastra/server" in recorded and "@mastra/core" in recorded
    marker = json.loads((Path(live_package.__file__).parent / ".mastra-codegen").read_text())
    assert marker["server_packages"] == recorded


def test_the_client_matches_the_server_it_was_generated_from(mastra_server: Any, live_package: ModuleType) -> None:
    with live_package.MastraClient(mastra_server.base_url) as client, warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning here would fail the test
        check = client.check_server_version()
    assert check.matches is True
    assert check.differences == {}


async def test_a_different_server_warns_once(
    mastra_server: Any, live_package: ModuleType, mastra_server_version: str
) -> None:
    class OlderClient(live_package.AsyncMastraClient):  # type: ignore[misc,name-defined]
        _generated_from = {**live_package._version.SERVER_PACKAGES, "@mastra/server": "0.0.1-test"}

    async with OlderClient(mastra_server.base_url) as client:
        with pytest.warns(
            live_package.ServerVersionWarning,
            match=rf"@mastra/server 0\.0\.1-test \(server: {re.escape(mastra_server_version)}\)",
        ):
            check = await client.check_server_version()
        assert check.matches is False
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            again = await client.check_server_version()  # once per server: no second warning
        assert again.matches is False


def test_automatic_check_before_the_first_request(mastra_server: Any, live_package: ModuleType) -> None:
    class OlderClient(live_package.MastraClient):  # type: ignore[misc,name-defined]
        _generated_from = {**live_package._version.SERVER_PACKAGES, "@mastra/core": "0.0.2-test"}

    with OlderClient(mastra_server.base_url, check_server_version=True) as client:
        with pytest.warns(live_package.ServerVersionWarning, match="@mastra/core"):
            agents = client.list_agents()
        assert "echo-agent" in agents


def test_the_checked_in_client_records_nothing_and_never_warns(client: Any) -> None:
    import mastra_client

    assert mastra_client._version.SERVER_PACKAGES == {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check = client.check_server_version()
    assert check.matches is None
    assert check.actual.get("@mastra/server")
