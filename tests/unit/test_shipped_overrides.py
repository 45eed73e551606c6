"""Shipped overrides degrade entry by entry; a user's own overrides stay strict (issue 13, part 1).

The shipped files describe every Mastra release's routes. A document that lacks a route, a
parameter, a body field, an observe offset or a stream keeps everything else: the entry that
does not fit is left out and listed (``-v``). The same entry in a user's ``--overrides`` file is
a located error, since it describes the user's own server (a typo, or a renamed route).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mastra_codegen.build import build_operations, build_resources
from mastra_codegen.cli import main
from mastra_codegen.errors import CodegenError
from mastra_codegen.ir import FacadeMethod, Operation
from mastra_codegen.loader import canonical_document
from mastra_codegen.normalize import Normalizer
from mastra_codegen.overrides import Overrides, apply_to_document, for_document, load_overrides
from mastra_codegen.pipeline import skipped_entries

ROOT = Path(__file__).resolve().parents[2]
PINNED_SPEC = ROOT / "specs" / "mastra-server-1.67.0.openapi.json"

PATH_ID = {"name": "runId", "in": "path", "required": True, "schema": {"type": "string"}}


def _op(tag: str, params: list[dict[str, Any]] | None = None, body: dict[str, Any] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {
        "tags": [tag],
        "parameters": params or [],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}},
    }
    if body is not None:
        op["requestBody"] = {"content": {"application/json": {"schema": body}}}
    return op


# An "older server": it has the stream, but no observe offset, no clientTools field, no
# /runs/{runId}/cancel route and no `limit` parameter on the listing.
OLD_SERVER: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "old", "version": "1"},
    "paths": {
        "/runs": {"get": _op("Runs", [{"name": "page", "in": "query", "schema": {"type": "integer"}}])},
        "/runs/{runId}/stream": {
            "post": _op(
                "Runs",
                [PATH_ID],
                {"type": "object", "properties": {"messages": {"type": "array", "items": {"type": "string"}}}},
            )
        },
        "/runs/{runId}/observe": {
            "post": _op("Runs", [PATH_ID], {"type": "object", "properties": {"runId": {"type": "string"}}})
        },
    },
}

ENTRIES = """\
groups:
  Runs: runs
  Vanished Tag: vanished
components:
  CancelResult: {type: object, properties: {ok: {type: boolean}}}
chunks:
  RunChunk:
    types:
      tick: {payload: {type: object}}
operations:
  POST /runs/{runId}/stream:
    stream: {framing: sse, chunks: RunChunk}
    client_tools: clientTools
    resume: {via: "POST /runs/{runId}/observe", run_id: runId, offset: offset}
  POST /runs/{runId}/cancel:
    response: {$ref: "#/components/schemas/CancelResult"}
  GET /runs:
    params: {page: {required: false}, limit: {required: false}}
resources:
  Run:
    accessor: get_run
    params: {runId: run_id}
    methods:
      stream:
        operation: POST /runs/{runId}/stream
        positional: [messages, instructions]
      cancel: POST /runs/{runId}/cancel
client:
  list_runs: GET /runs
  cancel_run: POST /runs/{runId}/cancel
"""


def _build(
    document: dict[str, Any], shipped: list[Path], user: list[Path]
) -> tuple[Overrides, dict[str, Operation], dict[str, FacadeMethod]]:
    """What ``prepare`` and ``assemble`` do with the overrides, with shipped files of the test's own."""
    overrides = for_document(document, load_overrides(user, shipped=shipped))
    normalized = Normalizer(canonical_document(apply_to_document(document, overrides)), "spec.json").run()
    operations = build_operations(normalized, overrides)
    resources, client_methods = build_resources(overrides, operations)
    methods = {f"{r.name}.{m.name}": m for r in resources for m in r.methods}
    methods.update({f"client.{m.name}": m for m in client_methods})
    return overrides, {op.key: op for op in operations}, methods


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_shipped_file_leaves_out_what_the_document_lacks_and_keeps_the_rest(tmp_path: Path) -> None:
    shipped = _write(tmp_path, "shipped.yaml", ENTRIES)
    overrides, ops, methods = _build(copy.deepcopy(OLD_SERVER), [shipped], [])

    stream = ops["POST /runs/{runId}/stream"]
    assert stream.stream is not None and stream.stream.union is not None  # the stream entry applied...
    assert stream.stream.resume is None  # ...without the resume the observe route cannot serve
    assert stream.client_tools is None  # ...and without client tools: no such body field
    assert "POST /runs/{runId}/cancel" not in ops
    assert set(methods) == {"Run.stream", "client.list_runs"}
    assert [p.py_name for p in methods["Run.stream"].params if p.positional] == ["messages"]

    left_out = skipped_entries(overrides)
    expected = {
        3: "group of tag 'Vanished Tag': no operation has it",
        5: "component 'CancelResult': nothing of this spec uses it",
        13: "has no body field 'clientTools' (client_tools)",
        14: "'POST /runs/{runId}/observe' has no query or body parameter 'offset' (offset)",
        15: "'POST /runs/{runId}/cancel' is not a route of this spec",
        18: "parameter 'limit' is not a parameter of 'GET /runs'",
        24: "positional 'instructions' is not a parameter of 'POST /runs/{runId}/stream'",
        27: "operation 'POST /runs/{runId}/cancel' is not in the spec",
        30: "operation 'POST /runs/{runId}/cancel' is not in the spec",
    }
    assert len(left_out) == len(expected), "\n".join(left_out)
    for line, reason in expected.items():
        assert any(e.startswith(f"{shipped}:{line}: ") and reason in e for e in left_out), (line, left_out)


@pytest.mark.parametrize(
    ("user_text", "message"),
    [
        ("operations:\n  POST /runs/{runId}/cancel: {name: stop}\n", "'POST /runs/{runId}/cancel' is not in the spec"),
        ("operations:\n  GET /runs:\n    params: {limit: {required: false}}\n", "parameter 'limit' is not"),
        ("operations:\n  POST /runs/{runId}/stream: {client_tools: clientTools}\n", "no body field 'clientTools'"),
        (
            "operations:\n  POST /runs/{runId}/stream:\n    stream: sse\n"
            '    resume: {via: "POST /runs/{runId}/observe", run_id: runId, offset: offset}\n',
            "has no query or body parameter 'offset'",
        ),
        ("client:\n  cancel_run: POST /runs/{runId}/cancel\n", "'POST /runs/{runId}/cancel' is not in the spec"),
        (
            "resources:\n  Run:\n    params: {runId: run_id}\n    methods:\n      stream:\n"
            "        operation: POST /runs/{runId}/stream\n        positional: [instructions]\n",
            "positional 'instructions' is not a parameter",
        ),
    ],
)
def test_the_same_entry_in_a_users_file_is_a_located_error(tmp_path: Path, user_text: str, message: str) -> None:
    mine = _write(tmp_path, "mine.yaml", user_text)
    with pytest.raises(CodegenError) as info:
        _build(copy.deepcopy(OLD_SERVER), [], [mine])
    assert message in info.value.what
    assert info.value.where.startswith(f"{mine}:")


def test_a_users_part_of_a_shipped_entry_is_strict_and_the_shipped_parts_stay_lenient(tmp_path: Path) -> None:
    shipped = _write(tmp_path, "shipped.yaml", ENTRIES)
    mine = _write(tmp_path, "mine.yaml", "operations:\n  GET /runs:\n    params: {perPage: {required: false}}\n")
    with pytest.raises(CodegenError) as info:
        _build(copy.deepcopy(OLD_SERVER), [shipped], [mine])
    assert "parameter 'perPage' is not a parameter of 'GET /runs'" in info.value.what
    assert info.value.where == f"{mine}:3"

    fits = _write(tmp_path, "fits.yaml", "operations:\n  POST /runs/{runId}/stream: {name: watch}\n")
    overrides, ops, _ = _build(copy.deepcopy(OLD_SERVER), [shipped], [fits])
    assert ops["POST /runs/{runId}/stream"].py_name == "watch"
    assert any("no body field 'clientTools'" in e for e in skipped_entries(overrides))


def test_a_document_the_shipped_files_are_not_about_lists_nothing(tmp_path: Path) -> None:
    shipped = _write(tmp_path, "shipped.yaml", ENTRIES)
    other = {"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {"/x": {"get": _op("X")}}}
    overrides, ops, methods = _build(other, [shipped], [])
    assert list(ops) == ["GET /x"] and methods == {}
    assert overrides.skipped and skipped_entries(overrides) == ()


def test_shipped_added_routes_fill_gaps_of_mastra_documents_only(tmp_path: Path) -> None:
    shipped = _write(
        tmp_path,
        "shipped.yaml",
        ENTRIES + "add_operations:\n  GET /runs/{runId}/extra: {tags: [Runs], responses: {'200': {description: ok}}}\n",
    )
    other = {"openapi": "3.1.0", "info": {"title": "x", "version": "1"}, "paths": {"/x": {"get": _op("X")}}}
    _, foreign_ops, _ = _build(other, [shipped], [])
    assert list(foreign_ops) == ["GET /x"]
    _, ops, _ = _build(OLD_SERVER, [shipped], [])
    assert "GET /runs/{runId}/extra" in ops
    user = _write(tmp_path, "user.yaml", "add_operations:\n  GET /y: {responses: {'200': {description: ok}}}\n")
    _, with_user, _ = _build(other, [shipped], [user])
    assert sorted(with_user) == ["GET /x", "GET /y"]


def _older_mastra_spec(tmp_path: Path) -> Path:
    """The pinned spec as a server before workflow observe took an offset (1.15, 1.24) would serve it."""
    document = json.loads(PINNED_SPEC.read_text(encoding="utf-8"))
    observe = document["paths"]["/workflows/{workflowId}/observe"]["post"]
    observe["parameters"] = [p for p in observe.get("parameters") or [] if p.get("name") != "offset"]
    del document["paths"]["/agents/{agentId}/observe"]
    path = tmp_path / "older.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_an_older_mastra_spec_generates_and_v_lists_what_was_left_out(tmp_path: Path) -> None:
    """The reported failure: exit 2 on 'has no query or body parameter offset' for 1.15.0 and 1.24.0."""
    spec = _older_mastra_spec(tmp_path)
    out = tmp_path / "mastra_client"
    verbose = CliRunner().invoke(main, [str(spec), "-o", str(out), "-v"], catch_exceptions=False)
    assert verbose.exit_code == 0, verbose.output
    listed = [line for line in verbose.output.splitlines() if line.startswith("mastra-codegen: left out: ")]
    # + 2: the older POST /v1/responses body has no stream/store to make optional (mastra_protocols.yaml)
    assert len(listed) == 9, verbose.output
    assert any("'POST /workflows/{workflowId}/observe' has no query or body parameter 'offset'" in x for x in listed)
    assert any("'POST /agents/{agentId}/observe' is not a route of this spec" in x for x in listed)
    workflows = (out / "resources" / "workflows.py").read_text(encoding="utf-8")
    agents = (out / "resources" / "agents.py").read_text(encoding="utf-8")
    assert "resumable: bool | int = False" not in workflows  # not resumable there, the streams are kept
    assert "def stream_workflow(" in workflows or "def stream(" in workflows
    assert "def observe(" not in agents

    diffed = CliRunner().invoke(main, ["diff", str(PINNED_SPEC), str(spec), "-v"], catch_exceptions=False)
    assert diffed.exit_code == 0, diffed.output
    assert "POST /agents/{agentId}/observe" in diffed.output
