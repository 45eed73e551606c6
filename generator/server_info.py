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

from .errors import CodegenError

PACKAGES_ROUTE = "system/packages"


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
    """The server's packages, or ``({}, why not)``: a server without the route still gets a client."""
    import httpx

    url = packages_url(spec_url, document)
    try:
        with httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True) as client:
            response = client.get(url, headers=headers)
    except httpx.HTTPError as exc:
        return {}, f"GET {url} failed: {exc}"
    if response.status_code != 200:
        return {}, f"GET {url} answered HTTP {response.status_code}"
    try:
        packages = parse_packages(response.json(), url)
    except (ValueError, CodegenError) as exc:
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
