"""The versions of the Mastra packages a server runs (``GET /api/system/packages``).

Mastra's ``info.version`` in the OpenAPI document is always ``1.0.0``; the
package list is the only reliable record of what a client was generated
from. It is recorded in the generated package so the client can tell, on
request, when it talks to a different server.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from . import fetch
from .errors import CodegenError

PACKAGES_ROUTE = "system/packages"
MAX_ANSWER_BYTES = 1024 * 1024  # a real answer lists a few dozen packages: about 3 KB
DEADLINE = 30.0  # seconds; past it the package versions are left out, with a warning


def packages_url(spec_url: str, document: Mapping[str, Any]) -> str:
    """The route next to the API the document describes: its first server URL, else the spec's folder."""
    servers = document.get("servers")
    base = spec_url
    if isinstance(servers, list) and servers and isinstance(servers[0], Mapping):
        url = servers[0].get("url")
        if isinstance(url, str) and url and "{" not in url:
            base = urljoin(spec_url, url)
    return urljoin(base.rstrip("/") + "/", PACKAGES_ROUTE)


def parse_packages(data: Any, where: str) -> dict[str, str]:
    """``{"packages": [{"name", "version"}...]}`` (or the bare list) as ``{name: version}``, sorted."""
    items = data.get("packages") if isinstance(data, Mapping) else data
    if not isinstance(items, list):
        raise CodegenError(where, "expected {'packages': [{'name': ..., 'version': ...}, ...]}")
    out: dict[str, str] = {}
    for index, item in enumerate(items):
        if not (
            isinstance(item, Mapping) and isinstance(item.get("name"), str) and isinstance(item.get("version"), str)
        ):
            raise CodegenError(f"{where}: packages[{index}]", "each package needs a string 'name' and 'version'")
        out[item["name"]] = item["version"]
    return dict(sorted(out.items()))


def fetch_server_packages(
    spec_url: str, document: Mapping[str, Any], headers: dict[str, str]
) -> tuple[dict[str, str], str]:
    """The server's packages, or ``({}, why not)``: a server without the route still gets a client.

    Fetched like the spec (``fetch.get``): the headers go only to the spec's own origin (the
    document's ``servers`` may name any host), within ``MAX_ANSWER_BYTES`` once decompressed and
    ``DEADLINE`` seconds in all.
    """
    url = packages_url(spec_url, document)
    try:
        answer = fetch.get(
            url,
            headers=headers,
            origins={fetch.origin(spec_url)},
            max_bytes=MAX_ANSWER_BYTES,
            deadline=DEADLINE,
            hint="",
        )
    except fetch.BadStatus as exc:
        return {}, f"GET {url} answered HTTP {exc.status}"
    except CodegenError as exc:
        return {}, f"GET {url}: {exc.what}"
    try:
        packages = parse_packages(json.loads(answer.body), url)
    except (ValueError, RecursionError) as exc:
        return {}, f"GET {url}: not JSON: {str(exc) or type(exc).__name__}"
    except CodegenError as exc:
        return {}, f"GET {url}: {exc}"
    if not packages:
        return {}, f"GET {url} lists no packages (the server was not started by `mastra dev` / `mastra build`)"
    return packages, ""


def read_packages_file(path: Path) -> dict[str, str]:
    """A saved answer of ``GET /api/system/packages`` (``--server-packages FILE``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CodegenError(str(path), f"cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise CodegenError(str(path), f"invalid JSON: {exc}") from None
    return parse_packages(data, str(path))
