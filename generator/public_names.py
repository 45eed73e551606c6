"""The names a generated package already gives to something other than a model.

No public name of a package means two things: ``mastra_client.Agent`` (the client-js style
facade) and ``mastra_client.models.Agent`` (the answer of ``GET /agents/{agentId}``) would be
two classes under one name. The facades keep their names (they are @mastra/client-js's, the
parity contract), and so do the runtime's classes and the area classes: a model whose name is
one of them is named with a suffix instead (``AgentDetails``: ``normalize.RENAMED_SUFFIX``).
The package's ``models`` module says so when the old name is asked for, and ``_api.json``
records each such model's first-choice name, so ``mastra-codegen diff`` reports a rename.
"""

from __future__ import annotations

from typing import Any

from .build import _group_name as group_name
from .errors import CodegenError
from .naming import pascal
from .normalize import HTTP_METHODS
from .overrides import Overrides

# What the package exports at its top level besides the facades (``templates/__init__.py.jinja``);
# tests/unit/test_public_names.py checks the generated package against this list.
RUNTIME_NAMES = frozenset(
    {
        "APIConnectionError",
        "AppCheck",
        "AppMismatchWarning",
        "APIError",
        "APIResponseValidationError",
        "APIStatusError",
        "APITimeoutError",
        "AgentStream",
        "AgentStreamResult",
        "AsyncAgentStream",
        "AsyncMastraClient",
        "AsyncStream",
        "AsyncStreamedResponse",
        "AsyncWorkflowStream",
        "AuthenticationError",
        "BadRequestError",
        "ClientTool",
        "ConflictError",
        "IncompleteStreamError",
        "InternalServerError",
        "JsonRpcError",
        "MastraClient",
        "MastraError",
        "NOT_GIVEN",
        "NotFoundError",
        "NotGiven",
        "PermissionDeniedError",
        "RateLimitError",
        "RawResponse",
        "RedirectError",
        "ResponseTooLargeError",
        "ServerVersionCheck",
        "ServerVersionWarning",
        "Stream",
        "StreamError",
        "StreamedResponse",
        "ToolExecutionError",
        "UnprocessableEntityError",
        "WorkflowStream",
        "WorkflowStreamResult",
    }
)


def reserved_names(document: dict[str, Any], overrides: Overrides) -> frozenset[str]:
    """Every class name the package built from ``document`` uses for other things than models.

    The facades of the overrides whose routes the document has (and a user's own, always),
    their aliases, the area classes (``AgentsResource``), the runtime's exports, each with its
    ``Async`` twin.
    """
    present: set[str] = set()
    groups: set[str] = set()
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            key = f"{method.upper()} {path}"
            present.add(key)
            patch = overrides.operations.get(key, {})
            if not patch.get("skip"):
                tags = op.get("tags")
                tag = str(tags[0]) if isinstance(tags, list) and tags else None
                groups.add(patch.get("group") or group_name(tag, path, overrides))
    names: set[str] = {pascal(g) + "Resource" for g in groups}
    for spec in overrides.resources.values():
        if any(m.operation in present or not m.shipped for m in spec.methods):
            names.update([spec.name, *spec.aliases])
    names |= {"Async" + n for n in names}
    return frozenset(names | RUNTIME_NAMES)


def check_override_names(overrides: Overrides, reserved: frozenset[str]) -> None:
    """A component or chunk class of the overrides may not take a reserved name: the overrides
    refer to it by that name (results, unions), so it cannot be given another."""
    for name in sorted(overrides.components):
        if name in reserved:
            where = overrides.component_origin.get(name, name)
            raise CodegenError(where, f"component {name!r} has the name of another class of the package")
    for union in overrides.chunks.values():
        for name in [*(t.name for t in union.types), union.fallback, union.name]:
            if name in reserved:
                raise CodegenError(union.where, f"chunk class {name!r} has the name of another class of the package")
