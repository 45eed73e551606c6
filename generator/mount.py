"""Where the API is mounted: the generated client adds ``/api`` (``api_prefix``) to every path.

Mastra's documents list paths under that mount (``/agents``) and say so in ``servers``
(``[{url: "/api"}]``). The first 1.x releases (@mastra/deployer 1.0.x) wrote the mount into
nearly every path instead (``/api/agents``; the A2A routes were written without it) and named
no server. Such a document is read as the later ones are written, so its routes match the
shipped overrides and the client does not ask for ``/api/api/agents``.
"""

from __future__ import annotations

from typing import Any

API_MOUNT = "/api"
MOUNTED_SHARE = 0.9  # of the paths under API_MOUNT, for the document to count as written with it


def _names_a_mount(servers: Any) -> bool:
    """Whether ``servers`` puts the API under a path of its own (then the paths are relative to it)."""
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return False
    url = servers[0].get("url")
    if not isinstance(url, str):
        return False
    path = url.split("://", 1)[-1]
    path = path[path.find("/") :] if "://" in url else path
    return path.strip("/") != "" if "/" in path else False


def hoist_api_mount(document: dict[str, Any]) -> dict[str, Any]:
    """``/api/agents`` -> ``/agents`` with ``servers: [{url: /api}]``, when (nearly) every path has the mount.

    Only for a document that names no server path of its own: there the paths are already
    relative to the mount, whatever they look like. The few paths without the mount are kept
    as written, relative to it like every other (as later releases list the A2A routes).
    """
    paths = document.get("paths")
    if not isinstance(paths, dict) or not paths or _names_a_mount(document.get("servers")):
        return document
    prefix = API_MOUNT + "/"
    mounted = [p for p in paths if isinstance(p, str) and p.startswith(prefix)]
    if len(mounted) < MOUNTED_SHARE * len(paths):
        return document
    hoisted = dict(document)
    stripped = {p[len(API_MOUNT) :] for p in mounted}
    if any(p in stripped for p in paths if p not in mounted):
        return document  # /api/x and /x both: they are different routes
    hoisted["paths"] = {p[len(API_MOUNT) :] if p in mounted else p: item for p, item in paths.items()}
    servers = document.get("servers")
    root = servers[0].get("url") if isinstance(servers, list) and servers and isinstance(servers[0], dict) else None
    # the mount under the server the document names (its host kept), else under the spec's own
    hoisted["servers"] = [{"url": (root.rstrip("/") if isinstance(root, str) else "") + API_MOUNT}]
    return hoisted
