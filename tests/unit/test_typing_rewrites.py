"""The rewrites of generated models that make results typed: fallback chunks, structured outputs."""

from __future__ import annotations

import ast
import textwrap

import pytest
from mastra_codegen.errors import CodegenError
from mastra_codegen.render_models import ModelSource, generic_object_models, type_fallback_chunks


def source(text: str) -> ModelSource:
    text = textwrap.dedent(text)
    return ModelSource(text, ast.parse(text))


def test_a_fallback_chunk_tag_is_any_tag_and_its_payload_any() -> None:
    models = source(
        """
        class OtherBotChunk(BaseModel):
            event_kind: str | None = Field(None, alias="event-kind")
            payload: Any | None = None
            run_id: str | None = Field(None, alias="runId")

        class WordChunk(BaseModel):
            event_kind: Literal["word"] = Field(..., alias="event-kind")
            payload: Any | None = None
        """
    )
    text = type_fallback_chunks(models, {"OtherBotChunk": "event-kind"}).text
    assert 'event_kind: AnyTag | None = Field(None, alias="event-kind")' in text
    assert "    payload: Any = None\n    run_id: str | None" in text  # the fallback's only
    assert text.count("payload: Any | None = None") == 1  # the known class keeps its own
    assert text.startswith("from .._runtime._types import AnyTag\n")


def test_a_structured_output_result_is_generic_in_its_object() -> None:
    models = source(
        """
        class Result(BaseModel):
            text: str | None = None
            object: Any | None = None
        """
    )
    text = generic_object_models(models, {"Result"}).text
    assert "class Result(BaseModel, Generic[ObjectT]):" in text and "object: ObjectT | None = None" in text
    with pytest.raises(CodegenError, match="no field 'object'"):
        generic_object_models(source("class Other(BaseModel):\n    text: str\n"), {"Other"})
    assert generic_object_models(models, set()) is models
