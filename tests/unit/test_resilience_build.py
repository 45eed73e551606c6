"""The generator's side of issue 4: retry opt-in, resumable streams and pagination in the IR and the output.

Documents here are not Mastra's, so the detection rules are checked on other shapes too
(bare arrays, offset/limit, 1-based pages, nested ``pagination`` objects).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from mastra_codegen.build import build_operations
from mastra_codegen.errors import CodegenError
from mastra_codegen.normalize import Normalizer
from mastra_codegen.overrides import apply_to_document, load_overrides
from mastra_codegen.pipeline import generate


def query(name: str, kind: str = "integer", **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": {"type": kind, **schema}}


def listing(params: list[dict[str, Any]], schema: dict[str, Any], method: str = "get") -> dict[str, Any]:
    return {
        method: {
            "tags": ["Things"],
            "parameters": params,
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}},
        }
    }


THING = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
ARRAY = {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}

DOC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "components": {"schemas": {"Thing": THING}},
    "paths": {
        "/things": listing([query("offset"), query("limit")], ARRAY),
        "/pages": listing(
            [query("page", minimum=1), query("page_size")],
            {"type": "object", "properties": {"data": ARRAY, "meta": {"type": "object"}}},
        ),
        "/two-lists": listing(
            [query("page"), query("perPage")],
            {"type": "object", "properties": {"a": ARRAY, "b": ARRAY}},
        ),
        "/no-size": listing([query("page")], ARRAY),
        "/search": {
            "post": {
                "tags": ["Things"],
                "parameters": [query("page"), query("perPage")],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": ARRAY}}}},
            }
        },
        "/runs/{runId}/stream": {
            "post": {
                "tags": ["Runs"],
                "parameters": [{"name": "runId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "a stream"}},
            }
        },
        "/runs/{runId}/watch": {
            "post": {
                "tags": ["Runs"],
                "parameters": [
                    {"name": "runId", "in": "path", "required": True, "schema": {"type": "string"}},
                    query("from"),
                ],
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"type": "object", "properties": {"run": {"type": "string"}}}}
                    }
                },
                "responses": {"200": {"description": "a stream"}},
            }
        },
        "/flaky": {"post": {"tags": ["Things"], "responses": {"200": {"description": "ok"}}}},
    },
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def operations(tmp_path: Path, text: str = "") -> dict[str, Any]:
    overrides = load_overrides([write(tmp_path, text or "{}\n")], shipped=[])
    normalized = Normalizer(apply_to_document(DOC, overrides), "t.json").run()
    return {op.key: op for op in build_operations(normalized, overrides)}


def test_pagination_is_found_from_parameters_and_the_answer(tmp_path: Path) -> None:
    ops = operations(tmp_path)
    things = ops["GET /things"].pagination
    assert things is not None and things.style == "offset" and things.items is None
    assert (things.position, things.size, things.method_name) == ("offset", "limit", "iter_things")
    assert things.item_annotation == "_models.Thing"
    pages = ops["GET /pages"].pagination
    assert pages is not None and pages.style == "page" and pages.items == "data"
    assert pages.first == 1 and pages.size == "page_size"  # the spec's minimum
    assert ops["GET /two-lists"].pagination is None  # which list? not guessed
    assert ops["GET /no-size"].pagination is None
    assert ops["POST /search"].pagination is None  # only GETs unless the overrides say so


def test_pagination_overrides(tmp_path: Path) -> None:
    text = """
    operations:
      GET /two-lists: {paginate: {items: b, first: 1}}
      GET /things: {paginate: false}
      POST /search: {paginate: {style: page}}
    """
    ops = operations(tmp_path, text)
    two = ops["GET /two-lists"].pagination
    assert two is not None and two.items == "b" and two.first == 1
    assert ops["GET /things"].pagination is None
    assert ops["POST /search"].pagination is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("operations:\n  GET /things:\n    paginate: {items: 3}\n", "'items' must be the name"),
        ("operations:\n  GET /things:\n    paginate: {style: cursor}\n", "unknown paging style 'cursor'"),
        ("operations:\n  GET /things:\n    paginate: {pages: 2}\n", "unknown paginate key 'pages'"),
        ("operations:\n  GET /things:\n    paginate: {first: -1}\n", "'first' must be a page number"),
        (
            "operations:\n  POST /runs/{runId}/stream:\n    resume: {via: nowhere, run_id: a, offset: b}\n",
            "is not 'METHOD /path'",
        ),
        ("operations:\n  POST /runs/{runId}/stream:\n    resume: {via: POST /x, offset: b}\n", "resume needs 'run_id'"),
    ],
)
def test_bad_overrides_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CodegenError) as info:
        load_overrides([path], shipped=[])
    assert info.value.where.startswith(str(path)) and message in info.value.what


RESUMABLE = """
operations:
  POST /runs/{runId}/stream:
    stream: records
    resume: {via: "POST /runs/{runId}/watch", run_id: run, offset: from, starts_run: false}
  POST /runs/{runId}/watch: {stream: records, safe: true}
"""


def test_resume_is_resolved_against_the_observe_operation(tmp_path: Path) -> None:
    ops = operations(tmp_path, RESUMABLE)
    resume = ops["POST /runs/{runId}/stream"].stream.resume
    assert resume is not None
    assert resume.path_expression == "/runs/{path_param(run_id)}/watch"
    assert resume.run_id == ("body", "run") and resume.offset == ("query", "from")
    assert not resume.starts_run and resume.run_id_param is None
    assert ops["POST /runs/{runId}/watch"].retry_safe and not ops["POST /flaky"].retry_safe


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (RESUMABLE.replace("offset: from", "offset: since"), "has no query or body parameter 'since'"),
        (RESUMABLE.replace('/watch", run_id', '/gone", run_id'), "unknown operation 'POST /runs/{runId}/gone'"),
        (
            'operations:\n  POST /flaky:\n    resume: {via: "POST /runs/{runId}/watch", run_id: run, offset: from}\n',
            "is not a stream",
        ),
    ],
)
def test_bad_resume_is_located(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CodegenError) as info:
        operations(tmp_path, text)
    assert message in info.value.what and "mine.yaml" in info.value.where


def test_generated_methods_take_the_new_keyword_arguments(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(__import__("json").dumps(DOC))
    out = tmp_path / "pkg"
    generate(str(spec), out, [write(tmp_path, RESUMABLE)], {})
    things = (out / "resources" / "things.py").read_text()
    assert "def iter_things(" in things and "-> Iterator[_models.Thing]:" in things
    assert "-> AsyncIterator[_models.Thing]:" in things
    assert 'Pager("offset", offset, 0, limit, None)' in things
    runs = (out / "resources" / "runs.py").read_text()
    assert "resumable: bool | int = False," in runs and "idle_timeout: float | None | NotGiven = NOT_GIVEN," in runs
    flaky = things[things.index("def flaky(") :]
    assert "retry_unsafe: bool = False," in flaky and "retry_unsafe=retry_unsafe," in flaky
