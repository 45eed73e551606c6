"""Documents that are not Mastra's: what the corpus taught, each as a small document.

Every case here broke a real document (tgi, OpenAI, Stripe, Letta) before it was fixed:
shipped Mastra overrides clashing with a document's own names, defaults of the wrong
type, discriminators pydantic cannot honour, models split across modules so that an
annotation no longer resolves, and a cursor called ``page``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mastra_codegen.overrides import for_document, load_overrides, shipped_override_files
from mastra_codegen.pipeline import generate, prepare


def _doc(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Foreign", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas or {}},
    }


def _json(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _run(tmp_path: Path, document: dict[str, Any], code: str, name: str = "foreign") -> str:
    """Generate ``document`` as package ``name`` and run ``code`` against it in a fresh interpreter."""
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document))
    generate(str(spec), tmp_path / name)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


# ------------------------------------------------------------- shipped overrides


def test_shipped_overrides_leave_a_foreign_document_alone(tmp_path: Path) -> None:
    """A document with its own ``ErrorEvent`` and ``TextDeltaChunk`` (names of Mastra chunk
    classes) generates, and none of Mastra's extra models are added to it."""
    schemas = {
        "ErrorEvent": {"type": "object", "properties": {"message": {"type": "string"}}},
        "TextDeltaChunk": {"type": "object", "properties": {"delta": {"type": "string"}}},
    }
    paths = {
        "/events": {
            "get": {"operationId": "listEvents", "responses": {"200": {"description": "ok", **_json("ErrorEvent")}}}
        },
        "/chunks": {"get": {"responses": {"200": {"description": "ok", **_json("TextDeltaChunk")}}}},
    }
    out = _run(
        tmp_path,
        _doc(paths, schemas),
        "import foreign.models as m\n"
        "print(sorted(n for n in m.__all__))\n"
        "assert set(m.TextDeltaChunk.model_fields) == {'delta'}\n",
    )
    names = out.strip()
    assert "AgentGenerateResult" not in names and "AgentChunk" not in names and "AgentUsage" not in names


def test_shipped_chunks_and_components_follow_the_routes_a_document_has() -> None:
    overrides = load_overrides([], shipped=shipped_override_files())
    nothing = for_document(_doc({"/other": {"get": {"responses": {}}}}), overrides)
    assert not nothing.chunks and not nothing.components
    assert all(key not in nothing.operations for key in overrides.shipped_keys)
    stream_only = for_document(_doc({"/agents/{agentId}/stream": {"post": {"responses": {}}}}), overrides)
    assert "AgentChunk" in stream_only.chunks
    assert "POST /agents/{agentId}/stream" in stream_only.operations
    assert "AgentGenerateResult" not in stream_only.components  # only generate's answer uses it
    generate_only = for_document(_doc({"/agents/{agentId}/generate": {"post": {"responses": {}}}}), overrides)
    assert "AgentGenerateResult" in generate_only.components
    # its toolCalls are typed by chunk classes, so their union comes with it
    assert "AgentChunk" in generate_only.chunks


def test_a_users_chunks_and_components_always_apply(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "version: 1\n"
        "components:\n  Extra: {type: object, properties: {a: {type: string}}}\n"
        "chunks:\n  MyChunk:\n    types:\n      ping: {fields: {at: {type: integer}}}\n"
    )
    overrides = for_document(_doc({}), load_overrides([mine], shipped=shipped_override_files()))
    assert set(overrides.components) == {"Extra"}
    assert set(overrides.chunks) == {"MyChunk"}


# ---------------------------------------------------------------------- defaults

DROPPED = object()


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "integer", "default": "1024"}, 1024),
        ({"type": "integer", "default": 10.0}, 10),
        ({"type": "boolean", "default": "false"}, False),
        ({"type": "number", "default": "0.5"}, 0.5),
        ({"type": "integer", "nullable": True, "default": "7"}, 7),
        ({"type": "string", "default": False}, DROPPED),  # nothing it plainly means
        ({"type": "string", "enum": ["a", "b"], "default": "c"}, DROPPED),
        ({"type": "string", "default": None}, DROPPED),
        ({"oneOf": [{"type": "string"}, {"type": "integer"}], "default": None}, DROPPED),
        ({"oneOf": [{"type": "string"}, {"type": "null"}], "default": None}, None),
        ({"type": "string", "default": "kept"}, "kept"),
        ({"type": "string", "nullable": True, "default": None}, None),
    ],
)
def test_defaults_the_schema_rejects_are_read_or_dropped(
    tmp_path: Path, schema: dict[str, Any], expected: object
) -> None:
    body = {"type": "object", "properties": {"value": schema}}
    document = _doc(
        {"/things": {"post": {"requestBody": {"content": {"application/json": {"schema": body}}}, "responses": {}}}}
    )
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document))
    normalized = prepare(str(spec)).normalized
    (model,) = [s for s in normalized["components"]["schemas"].values() if "value" in (s.get("properties") or {})]
    value = model["properties"]["value"]
    if expected is DROPPED:
        assert "default" not in value
    else:
        assert "default" in value
        assert value["default"] == expected and type(value["default"]) is type(expected)


# ---------------------------------------------------------------- discriminators


def _tagged(tag: str, extra: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string", "enum": [tag]}, extra: {"type": "string"}},
    }


def test_discriminators_pydantic_cannot_honour_become_plain_unions(tmp_path: Path) -> None:
    """tgi's ``Completion``: inline allOf members, and both members tagged ``text_completion``."""
    ref = {"$ref": "#/components/schemas/Chunk"}
    schemas = {
        "Chunk": {"type": "object", "properties": {"id": {"type": "string"}}},
        "Final": {"type": "object", "properties": {"usage": {"type": "integer"}}},
        "Completion": {
            "oneOf": [
                {"allOf": [ref, _tagged("text_completion", "a")]},
                {"allOf": [{"$ref": "#/components/schemas/Final"}, _tagged("text_completion", "b")]},
            ],
            "discriminator": {"propertyName": "kind"},
        },
        "Cat": _tagged("cat", "meow"),
        "Dog": _tagged("dog", "bark"),
        "Twin": _tagged("cat", "purr"),
        "Pet": {
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
            "discriminator": {"propertyName": "kind"},
        },
        "Clash": {  # two members answer to "cat"
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Twin"}],
            "discriminator": {"propertyName": "kind"},
        },
    }
    paths = {
        f"/{name.lower()}": {"get": {"responses": {"200": {"description": "ok", **_json(name)}}}}
        for name in ("Completion", "Pet", "Clash")
    }
    code = (
        "from foreign.models import Completion, Pet, Clash\n"
        "assert Completion.model_validate({'kind': 'text_completion', 'usage': 3}).root.usage == 3\n"
        "assert type(Pet.model_validate({'kind': 'dog'}).root).__name__ == 'Dog'\n"
        "assert Clash.model_validate({'kind': 'cat', 'purr': 'x'}).root is not None\n"
        "import inspect, foreign.models._shared as s, foreign.models as m\n"
        "src = inspect.getsource(inspect.getmodule(m.Pet))\n"
        "print('discriminator=\"kind\"' in src, src.count('discriminator='))\n"
    )
    kept, count = _run(tmp_path, _doc(paths, schemas), code).split()
    assert kept == "True" and count == "1"  # only Pet keeps its discriminator


# ------------------------------------------------------------ model module split


def test_models_split_across_modules_all_resolve(tmp_path: Path) -> None:
    """An unused schema refers to a model one area uses; an area model inherits from a shared
    base whose field is typed by a model only the base refers to."""
    schemas = {
        "Content": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "WithContent": {
            "type": "object",
            "required": ["content"],
            "properties": {"content": {"$ref": "#/components/schemas/Content"}},
        },
        "Base": {"type": "object", "properties": {"role": {"type": "string"}}},
        "Message": {"allOf": [{"$ref": "#/components/schemas/WithContent"}, {"$ref": "#/components/schemas/Base"}]},
        "Chat": {
            "type": "object",
            "properties": {"messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}}},
        },
        "Unused": {"type": "object", "properties": {"only": {"$ref": "#/components/schemas/OnlyChat"}}},
        "OnlyChat": {"type": "object", "properties": {"n": {"type": "integer"}}},
        "Other": {"type": "object", "properties": {"base": {"$ref": "#/components/schemas/WithContent"}}},
    }
    paths = {
        "/chat": {
            "post": {
                "tags": ["chat"],
                "requestBody": _json("Chat"),
                "responses": {"200": {"description": "ok", **_json("OnlyChat")}},
            }
        },
        "/other": {"get": {"tags": ["other"], "responses": {"200": {"description": "ok", **_json("Other")}}}},
    }
    code = (
        "import foreign.models as m\n"
        "for name in m.__all__:\n"
        "    cls = getattr(m, name)\n"
        "    if hasattr(cls, 'model_rebuild') and not cls.__pydantic_complete__:\n"
        "        cls.model_rebuild(raise_errors=True)\n"
        "chat = m.Chat.model_validate({'messages': [{'content': ['a'], 'role': 'user'}]})\n"
        "assert chat.messages[0].content.root == ['a']\n"
    )
    _run(tmp_path, _doc(paths, schemas), code)
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", "/dev/null", "foreign"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout[-3000:]


# -------------------------------------------------------------------- pagination


def test_a_page_cursor_string_is_not_a_page_number(tmp_path: Path) -> None:
    listing = {"type": "object", "properties": {"data": {"type": "array", "items": {"type": "string"}}}}

    def route(page_type: str) -> dict[str, Any]:
        return {
            "get": {
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": page_type}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": listing}}}},
            }
        }

    paths = {"/search": route("string"), "/numbered": route("integer")}
    out = _run(
        tmp_path,
        _doc(paths),
        "import foreign\nc = foreign.MastraClient('http://localhost:1')\n"
        "print(sorted(n for g in ('search', 'numbered') for n in dir(getattr(c, g)) if n.startswith('iter_')))\n",
    )
    assert "iter_numbered" in out and "iter_search" not in out


# ------------------------------------------------------------------------- names


def test_names_are_the_same_on_every_python() -> None:
    """Soft keywords (``match``, ``case``, ``type``) are names; their list grows with Python."""
    from mastra_codegen.naming import snake

    assert [snake(n) for n in ("match", "case", "type", "_", "class", "from", "async")] == [
        "match",
        "case",
        "type",
        "value",
        "class_",
        "from_",
        "async_",
    ]


def test_a_tag_named_like_a_client_method_does_not_hide_it(tmp_path: Path) -> None:
    ok = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}}
    paths = {
        "/close": {"get": {"tags": ["close"], "responses": ok}},
        "/stream": {"get": {"tags": ["Stream"], "responses": ok}},
        "/_private": {"get": {"responses": ok}},
    }
    _run(
        tmp_path,
        _doc(paths),
        "import foreign, inspect\n"
        "c = foreign.MastraClient('http://localhost:1')\n"
        "assert inspect.ismethod(c.close) and inspect.ismethod(c.stream)\n"
        "assert callable(c.close_.get_close) and callable(c.stream_.get_stream)\n"
        "assert callable(c.private.get_private)\n",
    )


def test_invalid_python_in_the_output_is_reported_where_it_is(tmp_path: Path) -> None:
    from mastra_codegen.errors import CodegenError
    from mastra_codegen.fmt import format_and_check

    (tmp_path / "fine.py").write_text("x = 1\n")
    (tmp_path / "broken.py").write_text("if True:\n")
    with pytest.raises(CodegenError) as caught:
        format_and_check(tmp_path)
    assert f"{tmp_path / 'broken.py'}:" in str(caught.value) and "invalid Python" in str(caught.value)
