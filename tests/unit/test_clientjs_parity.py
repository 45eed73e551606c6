"""Every public method of @mastra/client-js 1.47.0 has a Python facade, or a documented reason.

The list comes from the package's type declarations (tests/fixtures/clientjs/SOURCES.md says
how); the reasons live in tests/fixtures/clientjs/exceptions.yaml (``exceptions``: no facade,
and why; ``pending``: not mapped yet, each expected to fail until it is). A method is matched by its
class (``Run`` is ``WorkflowRun``, acronyms as Python writes them) and its name in snake_case,
on the sync and the async class; where client-js takes ``requestContext`` the Python method
takes ``request_context=``. The README's counts are checked too, so they cannot go stale.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

import mastra_client
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "clientjs"
METHODS: list[dict[str, Any]] = json.loads((FIXTURES / "clientjs-1.47.0.methods.json").read_text())
_LISTS: dict[str, dict[str, str] | None] = yaml.safe_load((FIXTURES / "exceptions.yaml").read_text()) or {}
EXCEPTIONS: dict[str, str] = _LISTS.get("exceptions") or {}
PENDING: dict[str, str] = _LISTS.get("pending") or {}

# client-js class -> Python class, where they differ by more than acronym spelling.
CLASS_NAMES = {"Run": "WorkflowRun"}
_ACRONYMS = (("A2AV1", "A2aV1"), ("A2A", "A2a"), ("MCP", "Mcp"), ("OM", "Om"))


def python_class(js_class: str) -> str:
    if js_class in CLASS_NAMES:
        return CLASS_NAMES[js_class]
    for upper, python in _ACRONYMS:
        js_class = js_class.replace(upper, python)
    return js_class


def python_name(js_name: str) -> str:
    """``getStoredMCPClient`` -> ``get_stored_mcp_client``, ``getA2AV1`` -> ``get_a2a_v1``."""
    for upper, python in _ACRONYMS:
        js_name = js_name.replace(upper, python)
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", js_name)
    return re.sub(r"(?<=[a-z])_?(?=V\d)", "_", words).lower().replace("a2a_v", "a2a_v")


def key(entry: dict[str, Any]) -> str:
    return f"{entry['class']}.{entry['member']}"


def classes_of(entry: dict[str, Any]) -> tuple[type | None, type | None]:
    name = "MastraClient" if entry["class"] == "MastraClient" else python_class(entry["class"])
    return getattr(mastra_client, name, None), getattr(mastra_client, "Async" + name, None)


def mapped(entry: dict[str, Any]) -> str:
    """ "" when the method has its facade on both classes, else what is missing."""
    sync_cls, async_cls = classes_of(entry)
    name = python_name(entry["member"])
    if sync_cls is None or async_cls is None:
        return f"no class {python_class(entry['class'])} / Async{python_class(entry['class'])}"
    for cls in (sync_cls, async_cls):
        member = inspect.getattr_static(cls, name, None)
        if member is None and entry["kind"] == "property" and name in inspect.signature(cls).parameters:
            continue  # an id the object is bound to: run.run_id
        if member is None:
            return f"{cls.__name__}.{name} is missing"
        takes_context = entry["kind"] == "method" and entry.get("request_context") and callable(member)
        if takes_context and "request_context" not in inspect.signature(member).parameters:
            return f"{cls.__name__}.{name} takes no request_context="
    return ""


def test_the_fixture_is_the_published_list() -> None:
    methods = [e for e in METHODS if e["kind"] == "method"]
    assert len(methods) == 421
    assert len({key(e) for e in METHODS}) == len(METHODS)


def test_every_exception_names_a_client_js_member_and_a_reason() -> None:
    known = {key(e) for e in METHODS}
    assert set(_LISTS) <= {"exceptions", "pending"}
    assert not set(EXCEPTIONS) & set(PENDING)
    for name, reason in {**EXCEPTIONS, **PENDING}.items():
        assert name in known, f"exceptions.yaml: {name} is not a client-js 1.47.0 member"
        assert isinstance(reason, str) and len(reason.split()) >= 4, f"exceptions.yaml: {name} needs a reason"


@pytest.mark.parametrize("entry", METHODS, ids=key)
def test_client_js_member_has_a_facade_or_a_reason(entry: dict[str, Any]) -> None:
    missing = mapped(entry)
    if key(entry) in EXCEPTIONS or key(entry) in PENDING:
        assert missing, f"{key(entry)} is implemented now: drop it from exceptions.yaml"
        if key(entry) in PENDING:
            pytest.xfail(f"pending: {PENDING[key(entry)]}")
        return
    assert not missing, missing


def parity_counts() -> tuple[int, int, int, int]:
    """(client-js members, with a facade, documented exceptions, pending)."""
    done = sum(1 for e in METHODS if not mapped(e))
    return len(METHODS), done, len(EXCEPTIONS), len(PENDING)


def readme_line() -> str:
    total, done, excepted, pending = parity_counts()
    line = (
        f"Of the {total} public members of @mastra/client-js 1.47.0, {done} have a Python facade and"
        f" {excepted} are documented exceptions"
    )
    return line + (f"; {pending} are still pending." if pending else ".")


def test_readme_shows_the_counts() -> None:
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert readme_line() in readme, f"README.md should say: {readme_line()!r}"
