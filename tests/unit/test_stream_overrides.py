"""The override format for streams: chunk unions, stream specs, client tools; errors with file:line."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from mastra_codegen.build import build_operations
from mastra_codegen.errors import CodegenError
from mastra_codegen.normalize import Normalizer
from mastra_codegen.overrides import apply_to_document, load_overrides
from mastra_codegen.pipeline import assemble

DOC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/bots/{botId}/talk": {
            "post": {
                "tags": ["Bots"],
                "parameters": [{"name": "botId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"prompt": {"type": "string"}, "tools": {"type": "object"}},
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "a stream"}},
            }
        },
        "/feed": {"get": {"tags": ["Feed"], "responses": {"200": {"description": "ndjson"}}}},
    },
}

CHUNKS = """
chunks:
  BotChunk:
    envelope: {runId: {type: string}}
    types:
      word: {payload: {type: object, required: [text], properties: {text: {type: string}}}}
      done-now: {fields: {total: {type: integer}}}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def build(tmp_path: Path, text: str) -> Any:
    overrides = load_overrides([write(tmp_path, text)])
    normalized = Normalizer(apply_to_document(DOC, overrides), "t.json").run()
    return overrides, normalized, {op.key: op for op in build_operations(normalized, overrides)}


def test_a_stream_with_a_chunk_union(tmp_path: Path) -> None:
    text = (
        CHUNKS
        + """
operations:
  POST /bots/{botId}/talk:
    stream: {framing: sse, chunks: BotChunk, done: "[END]", finish: [done-now], errors: [oops], view: agent}
    client_tools: tools
  GET /feed: {stream: ndjson}
"""
    )
    overrides, normalized, ops = build(tmp_path, text)
    talk = ops["POST /bots/{botId}/talk"]
    assert talk.stream is not None and talk.stream.framing == "sse" and talk.stream.done == "[END]"
    assert talk.stream.union is not None
    assert talk.stream.union.variants == (("word", "WordChunk"), ("done-now", "DoneNowChunk"))
    assert talk.stream.union.fallback == "OtherBotChunk"
    assert talk.stream.stream_class == "AgentStream" and talk.stream.chunk_annotation == "_models.BotChunk"
    assert talk.client_tools == "tools"
    assert next(p for p in talk.params if p.py_name == "tools").annotation == "ClientToolsParam"
    feed = ops["GET /feed"]
    assert feed.stream is not None and feed.stream.framing == "ndjson" and feed.stream.union is None
    assert feed.stream.done is None and not feed.is_coroutine
    model = assemble(normalized, overrides, "pkg", "0" * 64)
    streams = next(m for m in model.model_modules if m.name == "_streams")
    assert "BotChunk = WordChunk | DoneNowChunk | OtherBotChunk" in streams.source
    assert "class WordChunk(BaseModel)" in streams.source
    assert model.model_index["BotChunk"] == "_streams"


def test_sse_shorthand_ends_at_done(tmp_path: Path) -> None:
    _, _, ops = build(tmp_path, "operations:\n  GET /feed: {stream: sse}\n")
    assert ops["GET /feed"].stream.done == "[DONE]"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("operations:\n  GET /feed:\n    stream: xml\n", 3, "unknown stream format 'xml'"),
        ("operations:\n  GET /feed:\n    stream: {framing: sse, colour: red}\n", 3, "unknown stream key 'colour'"),
        ("operations:\n  GET /feed:\n    stream:\n      framing: sse\n      view: movie\n", 5, "unknown stream view"),
        (
            "chunks:\n  BotChunk:\n    types:\n      word: {}\n",
            4,
            "chunk type 'word' has no model",
        ),
        (
            "chunks:\n  BotChunk:\n    types:\n      word:\n        payload: {}\n        colour: red\n",
            6,
            "unknown chunk type key 'colour'",
        ),
        ("chunks:\n  BotChunk:\n    types: {}\n", 3, "types maps each chunk type"),
        (
            "chunks:\n  BotChunk:\n    types:\n"
            "      a: {payload: {}, name: Same}\n      b: {payload: {}, name: Same}\n",
            2,
            "two chunk classes are named 'Same'",
        ),
    ],
)
def test_bad_stream_overrides_name_the_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CodegenError) as info:
        load_overrides([path])
    assert info.value.where == f"{path}:{line}"
    assert message in info.value.what


def test_unknown_chunk_union_is_located(tmp_path: Path) -> None:
    text = "operations:\n  GET /feed:\n    stream: {framing: sse, chunks: Nope}\n"
    with pytest.raises(CodegenError) as info:
        build(tmp_path, text)
    assert info.value.where.endswith("mine.yaml:2")
    assert "unknown chunk union 'Nope'" in info.value.what


def test_client_tools_field_must_exist(tmp_path: Path) -> None:
    text = "operations:\n  POST /bots/{botId}/talk:\n    client_tools: gadgets\n"
    with pytest.raises(CodegenError) as info:
        build(tmp_path, text)
    # located at the client_tools key
    assert "no body field 'gadgets'" in info.value.what and info.value.where.endswith("mine.yaml:3")


def test_chunk_class_clashing_with_a_schema(tmp_path: Path) -> None:
    doc = {**DOC, "components": {"schemas": {"WordChunk": {"type": "object"}}}}
    overrides = load_overrides([write(tmp_path, CHUNKS)])
    with pytest.raises(CodegenError) as info:
        apply_to_document(doc, overrides)
    assert "'WordChunk' is already a schema" in info.value.what


def test_two_unions_with_one_class_name(tmp_path: Path) -> None:
    text = CHUNKS + "  OtherChunk:\n    types:\n      word: {payload: {}}\n"
    overrides = load_overrides([write(tmp_path, text)])
    with pytest.raises(CodegenError) as info:
        apply_to_document(DOC, overrides)
    assert "two chunk unions define the class 'WordChunk'" in info.value.what
    assert info.value.where.endswith("mine.yaml:8")  # the second union


def test_chunk_classes_are_exported_and_a_name_exported_twice_is_an_error(tmp_path: Path) -> None:
    """Chunk classes join the package's ``__all__``; one named like another export fails the run."""
    from mastra_codegen.render import render_package

    stream = "\noperations:\n  POST /bots/{botId}/talk: {stream: {framing: sse, chunks: BotChunk}}\n"
    overrides, normalized, _ = build(tmp_path, CHUNKS + stream)
    init = render_package(assemble(normalized, overrides, "bots", "0" * 64))["__init__.py"]
    assert all(f'"{name}"' in init for name in ("BotChunk", "WordChunk", "DoneNowChunk", "OtherBotChunk"))
    clash = CHUNKS.replace("BotChunk:\n", "BotChunk:\n    fallback: NotGiven\n")
    overrides, normalized, _ = build(tmp_path, clash + stream)
    with pytest.raises(CodegenError, match="'NotGiven' names two things"):
        render_package(assemble(normalized, overrides, "bots", "0" * 64))
