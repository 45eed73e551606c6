"""The runtime's server version check: ``GET /api/system/packages`` against the versions recorded at generation.

A client used against another Mastra release usually fails far from the cause (an odd
validation error); the check exists to name the cause once, without ever breaking a call.
Every client test runs for the blocking and the asyncio client alike.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import warnings
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import httpx
import pytest
from mastra_codegen.templates.runtime import _server_version
from mastra_codegen.templates.runtime._base_client import AsyncAPIClient, SyncAPIClient
from mastra_codegen.templates.runtime._errors import NotFoundError
from mastra_codegen.templates.runtime._server_version import (
    ServerVersionCheck,
    ServerVersionWarning,
    parse_packages,
    warn_once,
)

BASE_URL = "http://mastra.test"
PACKAGES_URL_PATH = "/api/system/packages"
GENERATED_FROM = {"@mastra/core": "1.71.0", "@mastra/server": "1.67.0"}
SAME = {"packages": [{"name": "@mastra/core", "version": "1.71.0"}, {"name": "@mastra/server", "version": "1.67.0"}]}
NEWER_SERVER = {
    "packages": [
        {"name": "@mastra/core", "version": "1.71.0"},
        {"name": "@mastra/server", "version": "1.69.0"},
        {"name": "@mastra/memory", "version": "1.2.0"},  # not recorded: not a difference
    ]
}

Kind = Literal["sync", "async"]
AnyClient = SyncAPIClient | AsyncAPIClient
KINDS: tuple[Kind, ...] = ("sync", "async")


class RecordedSync(SyncAPIClient):
    """What the generated client does: record the versions it was generated from."""

    _generated_from = GENERATED_FROM


class RecordedAsync(AsyncAPIClient):
    """The asyncio twin of ``RecordedSync``."""

    _generated_from = GENERATED_FROM


class Server:
    """Answers ``/system/packages`` as scripted and everything else with ``{"id": "a"}``; records the paths."""

    def __init__(self, packages: httpx.Response | Exception) -> None:
        self.packages = packages
        self.paths: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        if not request.url.path.endswith("/system/packages"):
            return httpx.Response(200, json={"id": "a"})
        assert request.method == "GET"
        if isinstance(self.packages, Exception):
            raise self.packages
        reply = self.packages
        return httpx.Response(reply.status_code, headers=reply.headers, content=reply.content)


def answer(body: object = SAME, status: int = 200) -> Server:
    """A server whose packages route answers ``body`` as JSON."""
    return Server(httpx.Response(status, json=body))


def raw_answer(content: bytes, content_type: str = "application/json") -> Server:
    """A server whose packages route answers raw bytes, to feed the parser what real proxies send."""
    return Server(httpx.Response(200, content=content, headers={"Content-Type": content_type}))


def make_client(kind: Kind, server: Server, *, recorded: bool = True, **options: Any) -> AnyClient:
    """A client on a MockTransport, without retries so a failing check costs one request."""
    options.setdefault("max_retries", 0)
    transport = httpx.MockTransport(server)
    if kind == "sync":
        sync_cls = RecordedSync if recorded else SyncAPIClient
        return sync_cls(base_url=BASE_URL, http_client=httpx.Client(transport=transport), **options)
    async_cls = RecordedAsync if recorded else AsyncAPIClient
    return async_cls(base_url=BASE_URL, http_client=httpx.AsyncClient(transport=transport), **options)


async def check(client: AnyClient) -> ServerVersionCheck:
    """``client.check_server_version()``, awaited when the client is the asyncio one."""
    if isinstance(client, AsyncAPIClient):
        return await client.check_server_version()
    return client.check_server_version()


async def get(client: AnyClient, path: str = "/agents/a") -> httpx.Response:
    """A user's own request."""
    if isinstance(client, AsyncAPIClient):
        return await client.request("GET", path)
    return client.request("GET", path)


async def stream_first_line(client: AnyClient, path: str = "/agents/a/stream") -> bytes:
    """A user's own streaming request."""
    if isinstance(client, AsyncAPIClient):
        async with client.stream("POST", path, json_body={}) as response:
            return await response.aread()
    with client.stream("POST", path, json_body={}) as response:
        return response.read()


def version_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    """Only our warnings: unrelated ones (deprecations of dependencies) must not change counts."""
    return [str(w.message) for w in caught if issubclass(w.category, ServerVersionWarning)]


@pytest.fixture(autouse=True)
def fresh_warned() -> Iterator[None]:
    """``warn_once`` remembers per process; each test starts (and leaves) with nothing warned."""
    _server_version._warned.clear()
    yield
    _server_version._warned.clear()


@pytest.fixture
def caught() -> Iterator[list[warnings.WarningMessage]]:
    """Every warning, unfiltered: Python's own once-per-location filter must not hide a second warning."""
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        yield records


# --------------------------------------------------------------------------- parsing and the result


def test_parse_packages_keeps_only_well_formed_entries() -> None:
    body = {
        "packages": [
            {"name": "@mastra/core", "version": "1.71.0"},
            {"name": "@mastra/server"},  # no version
            {"name": 3, "version": "1.0.0"},
            "@mastra/memory@1.0.0",
            {"name": "@mastra/pg", "version": "1.1.0", "extra": True},
        ]
    }
    assert parse_packages(body) == {"@mastra/core": "1.71.0", "@mastra/pg": "1.1.0"}


@pytest.mark.parametrize("body", [None, [], "packages", 42, {}, {"packages": None}, {"packages": {"a": "1"}}])
def test_parse_packages_of_anything_else_is_empty(body: object) -> None:
    assert parse_packages(body) == {}


def test_a_package_the_server_lacks_is_a_difference() -> None:
    result = ServerVersionCheck(GENERATED_FROM, {"@mastra/core": "1.71.0", "@mastra/pg": "1.0.0"}, BASE_URL)
    assert result.matches is False
    assert result.differences == {"@mastra/server": ("1.67.0", None)}
    assert "@mastra/server 1.67.0 (server: absent)" in str(result)


def test_warn_once_is_per_server_and_recorded_versions(caught: list[warnings.WarningMessage]) -> None:
    newer = {"@mastra/core": "1.71.0", "@mastra/server": "1.69.0"}
    warn_once(ServerVersionCheck(GENERATED_FROM, newer, BASE_URL))
    warn_once(ServerVersionCheck(GENERATED_FROM, newer, BASE_URL))
    warn_once(ServerVersionCheck(GENERATED_FROM, newer, "http://other.test"))
    warn_once(ServerVersionCheck({"@mastra/server": "1.68.0"}, newer, BASE_URL))
    warn_once(ServerVersionCheck(GENERATED_FROM, GENERATED_FROM, "http://third.test"))  # matches: silent
    assert len(version_warnings(caught)) == 3


# --------------------------------------------------------------------------- check_server_version()


@pytest.mark.parametrize("kind", KINDS)
async def test_matching_versions(kind: Kind, caught: list[warnings.WarningMessage]) -> None:
    server = answer(SAME)
    result = await check(make_client(kind, server))
    assert isinstance(result, ServerVersionCheck)
    assert result.matches is True
    assert result.differences == {}
    assert result.expected == GENERATED_FROM
    assert result.actual == GENERATED_FROM
    assert BASE_URL in str(result)
    assert server.paths == [PACKAGES_URL_PATH]
    assert version_warnings(caught) == []


@pytest.mark.parametrize("kind", KINDS)
async def test_different_server_version_warns_once(kind: Kind, caught: list[warnings.WarningMessage]) -> None:
    client = make_client(kind, answer(NEWER_SERVER))
    first = await check(client)
    second = await check(client)
    assert first.matches is False
    assert first.differences == {"@mastra/server": ("1.67.0", "1.69.0")}
    assert first.actual["@mastra/memory"] == "1.2.0"
    text = str(first)
    for part in ("@mastra/server", "1.67.0", "1.69.0", BASE_URL):
        assert part in text, text
    assert "@mastra/core" not in text  # only what differs is named
    assert second.matches is False
    assert version_warnings(caught) == [text]


@pytest.mark.parametrize("kind", KINDS)
async def test_the_warning_points_at_the_callers_line(kind: Kind, caught: list[warnings.WarningMessage]) -> None:
    """``stacklevel`` must skip the runtime's own frames, so the warning says where the user asked."""
    await check(make_client(kind, answer(NEWER_SERVER)))
    [warning] = [w for w in caught if issubclass(w.category, ServerVersionWarning)]
    assert warning.filename == __file__


@pytest.mark.parametrize("kind", KINDS)
async def test_nothing_recorded_compares_nothing(kind: Kind, caught: list[warnings.WarningMessage]) -> None:
    result = await check(make_client(kind, answer(NEWER_SERVER), recorded=False))
    assert result.matches is None
    assert result.expected == {}
    assert "records no package versions" in str(result)
    assert version_warnings(caught) == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("body", [{"packages": []}, {}])
async def test_server_lists_no_packages(kind: Kind, body: object, caught: list[warnings.WarningMessage]) -> None:
    result = await check(make_client(kind, answer(body)))
    assert result.matches is None
    assert "the server lists none" in str(result)
    assert version_warnings(caught) == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"<html><body>Mastra</body></html>", "text/html"),
        (b"", "application/json"),
        (b"{not json", "application/json"),
        (b"\xff\xfe\xfa", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'"1.67.0"', "application/json"),
        (b'{"packages": "@mastra/server@1.69.0"}', "application/json"),
        (b'{"packages": [{"name": "@mastra/server", "version": 169}]}', "application/json"),
    ],
)
async def test_odd_answers_compare_nothing(
    kind: Kind, content: bytes, content_type: str, caught: list[warnings.WarningMessage]
) -> None:
    result = await check(make_client(kind, raw_answer(content, content_type)))
    assert result.matches is None
    assert result.actual == {}
    assert version_warnings(caught) == []


@pytest.mark.parametrize("kind", KINDS)
async def test_an_explicit_check_raises_the_request_error(kind: Kind) -> None:
    """Asked for explicitly, a failing check is the caller's to see (only the automatic one is quiet)."""
    with pytest.raises(NotFoundError):
        await check(make_client(kind, answer({"error": "Not Found"}, status=404)))


@pytest.mark.parametrize("kind", KINDS)
async def test_the_check_goes_under_the_api_prefix(kind: Kind) -> None:
    server = answer(SAME)
    await check(make_client(kind, server, api_prefix="/custom/api/"))
    assert server.paths == ["/custom/api/system/packages"]


# --------------------------------------------------------------------------- check_server_version=True


@pytest.mark.parametrize("kind", KINDS)
async def test_auto_check_runs_once_before_the_first_request(kind: Kind, caught: list[warnings.WarningMessage]) -> None:
    server = answer(SAME)
    client = make_client(kind, server, check_server_version=True)
    assert server.paths == []  # constructing a client sends nothing
    for _ in range(3):
        assert (await get(client)).json() == {"id": "a"}
    assert server.paths == [PACKAGES_URL_PATH, "/api/agents/a", "/api/agents/a", "/api/agents/a"]
    assert version_warnings(caught) == []


@pytest.mark.parametrize("kind", KINDS)
async def test_auto_check_warns_on_a_different_server(kind: Kind, caught: list[warnings.WarningMessage]) -> None:
    server = answer(NEWER_SERVER)
    client = make_client(kind, server, check_server_version=True)
    await get(client)
    await get(client)
    assert server.paths == [PACKAGES_URL_PATH, "/api/agents/a", "/api/agents/a"]
    [message] = version_warnings(caught)
    assert "@mastra/server 1.67.0 (server: 1.69.0)" in message


@pytest.mark.parametrize("kind", KINDS)
async def test_auto_check_also_precedes_a_first_stream(kind: Kind) -> None:
    server = answer(SAME)
    client = make_client(kind, server, check_server_version=True)
    assert await stream_first_line(client) == b'{"id":"a"}'
    assert server.paths == [PACKAGES_URL_PATH, "/api/agents/a/stream"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("options", [{}, {"check_server_version": False}])
async def test_no_auto_check_unless_asked(kind: Kind, options: dict[str, bool]) -> None:
    server = answer(NEWER_SERVER)
    client = make_client(kind, server, **options)
    await get(client)
    await get(client)
    assert server.paths == ["/api/agents/a", "/api/agents/a"]


@pytest.mark.parametrize("kind", KINDS)
async def test_auto_check_with_nothing_recorded_sends_nothing(kind: Kind) -> None:
    """Without recorded versions there is nothing to compare, so no extra request is worth it."""
    server = answer(NEWER_SERVER)
    client = make_client(kind, server, recorded=False, check_server_version=True)
    await get(client)
    assert server.paths == ["/api/agents/a"]


@pytest.mark.parametrize("kind", KINDS)
async def test_a_failing_auto_check_is_logged_and_the_request_proceeds(
    kind: Kind, caplog: pytest.LogCaptureFixture, caught: list[warnings.WarningMessage]
) -> None:
    server = answer({"error": "Not Found"}, status=404)
    client = make_client(kind, server, check_server_version=True, max_retries=2)
    with caplog.at_level(logging.WARNING, logger="mastra_codegen"):
        assert (await get(client)).json() == {"id": "a"}
        assert (await get(client)).json() == {"id": "a"}
    # 404 is not retried and the check is not attempted again on the next request.
    assert server.paths == [PACKAGES_URL_PATH, "/api/agents/a", "/api/agents/a"]
    records = [r for r in caplog.records if r.name == "mastra_codegen" and r.levelno == logging.WARNING]
    assert len(records) == 1, caplog.text
    assert "server's version" in records[0].getMessage()
    assert "404" in records[0].getMessage()
    assert version_warnings(caught) == []


@pytest.mark.parametrize("kind", KINDS)
async def test_a_dropped_connection_of_the_auto_check_is_logged_too(
    kind: Kind, caplog: pytest.LogCaptureFixture
) -> None:
    server = Server(httpx.ReadError("connection reset by peer"))
    client = make_client(kind, server, check_server_version=True)
    with caplog.at_level(logging.WARNING, logger="mastra_codegen"):
        assert (await get(client)).json() == {"id": "a"}
    assert server.paths == [PACKAGES_URL_PATH, "/api/agents/a"]
    assert any("server's version" in r.getMessage() for r in caplog.records if r.name == "mastra_codegen")


async def test_concurrent_first_requests_share_one_async_check() -> None:
    server = answer(SAME)
    client = make_client("async", server, check_server_version=True)
    await asyncio.gather(*(get(client) for _ in range(5)))
    assert server.paths.count(PACKAGES_URL_PATH) == 1
    assert server.paths[0] == PACKAGES_URL_PATH
    assert len(server.paths) == 6


@pytest.mark.parametrize("kind", KINDS)
async def test_with_options_keeps_the_option(kind: Kind) -> None:
    server = answer(SAME)
    client = make_client(kind, server, check_server_version=True)
    copy = client.with_options(timeout=5.0, api_prefix="/v2")
    assert type(copy) is type(client)
    await get(copy)
    assert server.paths == ["/v2/system/packages", "/v2/agents/a"]


@pytest.mark.parametrize("kind", KINDS)
async def test_with_options_can_switch_the_check_on_and_off(kind: Kind) -> None:
    server = answer(SAME)
    on = make_client(kind, server).with_options(check_server_version=True)
    await get(on)
    assert server.paths == [PACKAGES_URL_PATH, "/api/agents/a"]
    off = make_client(kind, server, check_server_version=True).with_options(check_server_version=False)
    await get(off)
    assert server.paths == [PACKAGES_URL_PATH, "/api/agents/a", "/api/agents/a"]


# --------------------------------------------------------------------------- the generated client


def test_generated_client_exposes_the_check() -> None:
    import mastra_client
    from mastra_client import AsyncMastraClient, MastraClient
    from mastra_client import ServerVersionCheck as GeneratedCheck
    from mastra_client import ServerVersionWarning as GeneratedWarning
    from mastra_client._version import SERVER_PACKAGES

    assert isinstance(SERVER_PACKAGES, dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in SERVER_PACKAGES.items())
    assert issubclass(GeneratedWarning, UserWarning)
    assert {"ServerVersionCheck", "ServerVersionWarning"} <= set(mastra_client.__all__)
    for cls in (MastraClient, AsyncMastraClient):
        parameter = inspect.signature(cls).parameters["check_server_version"]
        assert parameter.default is False
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        assert cls._generated_from == SERVER_PACKAGES
    assert not inspect.iscoroutinefunction(MastraClient.check_server_version)
    assert inspect.iscoroutinefunction(AsyncMastraClient.check_server_version)
    assert inspect.signature(MastraClient.check_server_version).return_annotation in (
        "ServerVersionCheck",
        GeneratedCheck,
    )


def _packages_body(packages: Mapping[str, str]) -> dict[str, list[dict[str, str]]]:
    """The server's answer listing exactly ``packages``."""
    return {"packages": [{"name": name, "version": version} for name, version in packages.items()]}


def test_generated_client_checks_against_what_it_recorded(caught: list[warnings.WarningMessage]) -> None:
    """Told the recorded versions back, the generated client agrees (or has nothing to compare)."""
    from mastra_client import MastraClient
    from mastra_client import ServerVersionCheck as GeneratedCheck
    from mastra_client._version import SERVER_PACKAGES

    server = answer(_packages_body(SERVER_PACKAGES) if SERVER_PACKAGES else SAME)
    with MastraClient(BASE_URL, http_client=httpx.Client(transport=httpx.MockTransport(server))) as client:
        result = client.check_server_version()
    assert isinstance(result, GeneratedCheck)
    assert result.expected == SERVER_PACKAGES
    assert result.matches is (True if SERVER_PACKAGES else None)
    assert server.paths == [PACKAGES_URL_PATH]
    assert version_warnings(caught) == []


def test_generated_client_auto_check_failure_logs_on_the_package_logger(caplog: pytest.LogCaptureFixture) -> None:
    """The generated package logs under its own name (``mastra_client``), where users look."""
    from mastra_client import MastraClient

    server = answer({"error": "Not Found"}, status=404)
    transport = httpx.MockTransport(server)

    class Recorded(MastraClient):
        _generated_from = GENERATED_FROM

    with (
        caplog.at_level(logging.WARNING, logger="mastra_client"),
        Recorded(BASE_URL, http_client=httpx.Client(transport=transport), check_server_version=True) as client,
    ):
        response = client.request("GET", "/agents/a")
    assert response.json() == {"id": "a"}
    assert server.paths == [PACKAGES_URL_PATH, "/api/agents/a"]
    assert [r.name for r in caplog.records if "server's version" in r.getMessage()] == ["mastra_client"]
