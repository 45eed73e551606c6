"""Which routes each e2e scenario needs, so one suite runs across Mastra releases.

The suite runs with clients generated from older releases' specs and against older
@mastra/server releases (``test_compat_e2e.py``). A scenario declares the routes it calls
(``@uses("POST /agents/{agentId}/generate", ...)``, or ``@pytest.mark.routes(...)`` on a
plain test); it is skipped, naming what is missing, when the client under test or the
running server lacks one of them, and must pass otherwise. Declarations are checked: every
request a scenario sends is matched to a route of the client's ``_api.json`` and must be
declared, so a scenario cannot quietly depend on a route it does not name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

ROUTES_ATTRIBUTE = "__mastra_routes__"
_F = TypeVar("_F", bound=Callable[..., Any])


UNROUTED_ATTRIBUTE = "__mastra_unrouted__"
SERVER_GAPS_ATTRIBUTE = "__mastra_server_gaps__"


def uses(*routes: str, unrouted: bool = False, server_gaps: dict[str, str] | None = None) -> Callable[[_F], _F]:
    """Declare the ``METHOD /path`` routes (as the spec writes them) a scenario calls.

    ``METHOD /path?name`` also needs the parameter or body field ``name`` of that route.
    ``unrouted``: the scenario also sends requests to paths that are no route at all (on purpose).
    ``server_gaps``: @mastra/server versions that have the routes but do not do what the
    scenario checks (with today's test app), and why; skipped there, the reason shown.
    """
    for route in routes:
        method, _, path = route.partition(" ")
        assert method.isupper() and path.startswith("/"), f"{route!r} is not 'METHOD /path'"

    def mark(fn: _F) -> _F:
        setattr(fn, ROUTES_ATTRIBUTE, frozenset(routes))
        setattr(fn, UNROUTED_ATTRIBUTE, unrouted)
        setattr(fn, SERVER_GAPS_ATTRIBUTE, dict(server_gaps or {}))
        return fn

    return mark


def routes_of(fn: Any) -> frozenset[str]:
    return getattr(fn, ROUTES_ATTRIBUTE, frozenset())


@cache
def client_routes(package_dir: Path) -> frozenset[str]:
    """The operations of a generated package, from its recorded API surface.

    Each as ``METHOD /path`` and, per parameter, ``METHOD /path?wire`` (a scenario that needs a
    parameter an older release lacks, like observe's ``offset``, names it so).
    """
    surface = json.loads((package_dir / "_api.json").read_text(encoding="utf-8"))
    routes: set[str] = set()
    for key, operation in surface["operations"].items():
        routes.add(key)
        routes.update(f"{key}?{param['wire']}" for param in (operation.get("params") or {}).values())
    return frozenset(routes)


def server_routes(api_url: str) -> frozenset[str]:
    """The operations the running server's own document lists, with their parameters as above."""
    document = httpx.get(f"{api_url}/openapi.json", timeout=60).json()
    schemas = (document.get("components") or {}).get("schemas") or {}
    routes: set[str] = set()
    for path, item in (document.get("paths") or {}).items():
        for method, operation in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            key = f"{method.upper()} {path}"
            routes.add(key)
            names = [p.get("name") for p in operation.get("parameters") or [] if isinstance(p, dict)]
            body = ((operation.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
            schema = body.get("schema") or {}
            if isinstance(schema.get("$ref"), str):
                schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1]) or {}
            names.extend((schema.get("properties") or {}).keys())
            routes.update(f"{key}?{name}" for name in names if isinstance(name, str))
    return frozenset(routes)


def skip_unless_available(needed: Iterable[str], client: frozenset[str], server: frozenset[str]) -> None:
    missing_client = sorted(set(needed) - client)
    missing_server = sorted(set(needed) - server)
    if missing_client or missing_server:
        reasons = []
        if missing_client:
            reasons.append(f"the client's release lacks {', '.join(missing_client)}")
        if missing_server:
            reasons.append(f"the server's release lacks {', '.join(missing_server)}")
        pytest.skip("; ".join(reasons))


class RouteMatcher:
    """Maps a request (method, URL path under the API prefix) to the spec route it calls."""

    def __init__(self, routes: Iterable[str], api_prefix: str = "/api") -> None:
        self._prefix = api_prefix
        self._patterns: list[tuple[int, re.Pattern[str], str]] = []
        for route in routes:
            if "?" in route:
                continue
            method, _, path = route.partition(" ")
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path))
            literal = sum(1 for part in path.split("/") if part and not part.startswith("{"))
            self._patterns.append((literal, re.compile(f"{method} {pattern}"), route))
        self._patterns.sort(key=lambda item: -item[0])  # /agents/providers before /agents/{agentId}

    def route(self, method: str, path: str) -> str | None:
        if path.startswith(self._prefix):
            path = path[len(self._prefix) :]
        request = f"{method} {path}"
        return next((route for _, pattern, route in self._patterns if pattern.fullmatch(request)), None)


class Recorder:
    """Collects the requests clients send while a scenario runs (installed as httpx event hooks)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] | None = None

    def sync_hook(self, request: httpx.Request) -> None:
        if self.requests is not None:
            self.requests.append((request.method, request.url.path))

    async def async_hook(self, request: httpx.Request) -> None:
        self.sync_hook(request)

    def install(self, client: Any) -> None:
        http = client._client  # the httpx client (created on first use)
        hook = self.async_hook if isinstance(http, httpx.AsyncClient) else self.sync_hook
        http.event_hooks = {**http.event_hooks, "request": [*http.event_hooks.get("request", []), hook]}


RECORDER = Recorder()


async def run_declared(
    fn: Callable[[Any], Any],
    c: Any,
    available: tuple[frozenset[str], frozenset[str]],
    matcher: RouteMatcher,
    server_version: str = "",
) -> None:
    """Run a scenario if its routes are available, and check it called no route it did not declare."""
    declared = routes_of(fn)
    assert hasattr(fn, ROUTES_ATTRIBUTE), f"{fn.__name__} declares no routes: add @uses(...)"
    skip_unless_available(declared, *available)
    gap = getattr(fn, SERVER_GAPS_ATTRIBUTE, {}).get(server_version)
    if gap:
        pytest.skip(f"@mastra/server {server_version}: {gap}")
    RECORDER.requests = []
    try:
        await fn(c)
    finally:
        sent, RECORDER.requests = RECORDER.requests or [], None
    unrouted = getattr(fn, UNROUTED_ATTRIBUTE, False)
    called = {
        route
        for method, path in sent
        if (route := matcher.route(method, path) or (None if unrouted else f"{method} {path} (no route of the client)"))
    }
    undeclared = sorted(called - {route.partition("?")[0] for route in declared})
    assert not undeclared, f"{fn.__name__} calls routes it does not declare in @uses: {undeclared}"
