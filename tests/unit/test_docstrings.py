"""Docstrings of the generated package (issue 16): every argument of every public method described,
one shared text per per-call option, lines within the line length, areas titled by their tags.

The share is measured by introspection (tests/docstring_audit.py): every public method of the
clients, areas and facades, each parameter looked up in its docstring's ``Args:`` section.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from mastra_codegen.docstrings import CALL_OPTIONS, LINE_LENGTH, rewrap_docstring, wrap
from mastra_codegen.errors import CodegenError
from mastra_codegen.pipeline import generate, prepare

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from docstring_audit import audit_package, documented_args  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
TGI = ROOT / "tests" / "fixtures" / "corpus" / "tgi" / "tgi-3.3.6.openapi.json"


def _spec_tags(document: dict[str, Any]) -> set[str]:
    return {
        op["tags"][0]
        for item in document["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and op.get("tags")
    }


# ------------------------------------------------------------------ the checked-in client


def test_every_parameter_of_the_checked_in_client_is_documented() -> None:
    audit = audit_package("mastra_client")
    assert audit.parameters > 10000  # the clients, every area and every facade were looked at
    assert audit.undocumented == [], f"{len(audit.undocumented)} undocumented, e.g. {audit.undocumented[:5]}"
    assert audit.share == 1.0


def test_no_docstring_line_of_the_checked_in_client_is_too_long() -> None:
    """Runtime, models and methods alike; a line that is one long word (a URL) cannot wrap."""
    assert audit_package("mastra_client").long_lines == []


def test_the_facades_document_their_own_parameters() -> None:
    """Agent.generate and WorkflowRun.start were documented by nothing: now by the shipped overrides."""
    from mastra_client import Agent, AsyncWorkflowRun, WorkflowRun

    doc = " ".join((inspect.getdoc(Agent.generate) or "").split())
    assert "messages: The conversation to answer" in doc
    assert "client_tools: Declarations of tools the caller runs itself" in doc
    assert "Tools run in this process" in doc  # what the client adds to the field
    assert "A pydantic model class" in doc  # structured_output
    assert "memory: Where the conversation is remembered" in doc
    for method in (WorkflowRun.start, AsyncWorkflowRun.stream):
        assert "input_data: The workflow's input" in " ".join((inspect.getdoc(method) or "").split())


def test_per_call_options_share_one_description() -> None:
    """The same text everywhere, taken from one place in the generator."""
    from mastra_client import Agent, AsyncMastraClient
    from mastra_client.resources.agents import AgentsResource

    for method in (AsyncMastraClient.list_agents, Agent.stream, AgentsResource.generate):
        doc = " ".join((inspect.getdoc(method) or "").split())
        for option in ("extra_headers", "extra_body", "timeout", "max_retries", "max_response_bytes"):
            assert f"{option}: {CALL_OPTIONS[option]}" in doc
    assert f"idle_timeout: {CALL_OPTIONS['idle_timeout']}" in " ".join((inspect.getdoc(Agent.stream) or "").split())


def test_areas_are_titled_by_their_tags_as_written(pinned_spec: Path) -> None:
    from mastra_client.resources.mcp import AsyncMcpResource, McpResource

    assert "MCP operations" in (McpResource.__doc__ or "")
    assert "Mcp" not in (AsyncMcpResource.__doc__ or "")
    tags = _spec_tags(json.loads(pinned_spec.read_text()))
    for cls, doc in audit_package("mastra_client").docstrings.items():
        if ".resources." in cls and cls.count(".") == 3:  # an area's class
            assert any(tag in doc for tag in tags), cls


# ------------------------------------------------------------------ any document


def test_a_foreign_document_is_documented_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """tgi has a top-level tag with a description: it describes the area's class."""
    generate(str(TGI), tmp_path / "tgi_docs_client")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        audit = audit_package("tgi_docs_client")
        assert audit.parameters > 100
        assert audit.undocumented == []
        assert audit.long_lines == []
        area = next(doc for cls, doc in audit.docstrings.items() if ".resources." in cls)
        assert "Text Generation Inference operations" in area
        assert "Hugging Face Text Generation Inference API" in area
    finally:
        for name in [m for m in sys.modules if m.split(".")[0] == "tgi_docs_client"]:
            del sys.modules[name]


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "docs", "version": "1"},
    "tags": [{"name": "Things", "description": "All about things.\n\n- one\n- two"}],
    "paths": {
        "/things/{thingId}": {
            "post": {
                "tags": ["Things"],
                "parameters": [
                    {"name": "thingId", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "filter", "in": "query", "schema": {"type": "object"}},
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                ],
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string", "description": "The document's own text."},
                                    "size": {"type": "integer"},
                                },
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


def _operation_params(tmp_path: Path, overrides: str = "") -> dict[str, str]:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(DOCUMENT))
    paths = []
    if overrides:
        (tmp_path / "mine.yaml").write_text(overrides)
        paths.append(tmp_path / "mine.yaml")
    (op,) = prepare(str(spec), paths).operations
    return {p.py_name: p.description for p in op.params}


def test_describe_fills_what_the_document_leaves_out(tmp_path: Path) -> None:
    mine = "version: 1\noperations:\n  POST /things/{thingId}:\n    describe:\n"
    mine += "      size: How big.\n      name: Not used.\n"
    params = _operation_params(tmp_path, mine)
    assert params["size"] == "How big."
    assert params["name"] == "The document's own text."  # the document's text comes first


def test_describe_of_an_unknown_field_is_a_located_error(tmp_path: Path) -> None:
    mine = "version: 1\noperations:\n  POST /things/{thingId}:\n    describe:\n      colour: Red.\n"
    with pytest.raises(CodegenError) as caught:
        _operation_params(tmp_path, mine)
    assert "mine.yaml:5" in str(caught.value)
    assert "no parameter or body field 'colour'" in str(caught.value)


def test_undescribed_parameters_say_where_they_travel(tmp_path: Path) -> None:
    generate(_write(tmp_path), tmp_path / "docs_client")
    source = (tmp_path / "docs_client" / "resources" / "things.py").read_text()
    assert "thing_id: Path parameter ``thingId``." in source
    assert "filter: Query parameter ``filter``, sent as JSON." in source
    assert "x_trace: Header ``X-Trace``." in source
    assert "size: Field ``size`` of the JSON body." in source
    assert "name: The document's own text." in source
    # the tag's description, its list kept
    assert "All about things.\n\n    - one\n    - two" in source


def _write(tmp_path: Path) -> str:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(DOCUMENT))
    return str(spec)


# ------------------------------------------------------------------ wrapping


def test_wrap_keeps_lines_within_the_width_and_long_words_whole() -> None:
    url = "https://example.com/" + "x" * 130
    text = "word " * 40 + url + " end"
    wrapped = wrap(text, indent=8, first=11)
    lines = wrapped.split("\n")
    assert len(lines[0]) + 11 <= LINE_LENGTH
    assert all(len(line) <= LINE_LENGTH for line in lines[1:] if url not in line)
    assert any(line.strip() == url for line in lines)
    assert " ".join(wrapped.split()) == " ".join(text.split())


def test_wrap_hangs_list_items_and_escapes() -> None:
    wrapped = wrap("- " + "item " * 30 + '\nclosing """ quotes', indent=4, first=4)
    first, second = wrapped.split("\n")[:2]
    assert first.startswith("- item")
    assert second.startswith("      item")  # under the item's text
    assert '\\"\\"\\"' in wrapped


def test_args_sections_are_read_as_google_style() -> None:
    doc = """Summary.

    Args:
        a: First.
            Continued, with b: inside.
        c_d: Second.

    Returns:
        e: not an argument.
    """
    assert documented_args(doc) == {"a", "c_d"}


def test_rewrap_docstring_only_touches_long_docstring_lines() -> None:
    """As for datamodel-code-generator's classes: a schema's description is one long line there."""
    code = 'x = 1\n\n\nclass A:\n    """\n    ' + "word " * 40 + '\n    """\n\n    y: str = "' + "a " * 80 + '"\n'
    lines = code.splitlines()
    node = ast.parse(code).body[1]
    out = rewrap_docstring(lines[3:], node, offset=3, width=60)
    assert out[-1] == lines[-1]  # code is not docstring
    body = [line for line in out if "word" in line]
    assert len(body) > 1 and all(len(line) <= 60 for line in body)
    assert " ".join(" ".join(out).split()) == " ".join(" ".join(lines[3:]).split())
    compile("\n".join(out), "<test>", "exec")


def test_form_raw_and_whole_bodies_say_what_they_are(tmp_path: Path) -> None:
    from mastra_codegen.docstrings import param_text

    def post(media: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "post": {
                "requestBody": {"content": {media: {"schema": schema}}},
                "responses": {"200": {"description": "ok"}},
            }
        }

    file_schema = {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "bodies", "version": "1"},
        "paths": {
            "/upload": post("multipart/form-data", file_schema),
            "/raw": post("application/octet-stream", {"type": "string", "format": "binary"}),
            "/list": post("application/json", {"type": "array", "items": {"type": "string"}}),
        },
    }
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document))
    texts = {op.path: [param_text(p, op) for p in op.params] for op in prepare(str(spec)).operations}
    assert texts == {
        "/upload": ["Field ``file`` of the multipart body (a file)."],
        "/raw": ["The request body, sent as ``application/octet-stream``."],
        "/list": ["The JSON request body."],
    }


def test_the_shared_texts_match_the_runtime() -> None:
    """``resumable``'s text names the runtime's default number of attempts."""
    runtime = (ROOT / "templates" / "runtime" / "_streams.py").read_text(encoding="utf-8")
    (attempts,) = re.findall(r"^DEFAULT_RESUME_ATTEMPTS = (\d+)", runtime, re.M)
    assert f"up to {attempts} attempts" in CALL_OPTIONS["resumable"]
