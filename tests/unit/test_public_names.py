"""Names a user sees: no public name means two things, signatures use the operation's own
names, counts are ints; and the models' own methods (to_dict, to_json) stay reachable."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import mastra_client
import pytest
from mastra_client import models
from mastra_codegen.apidiff import diff_surfaces
from mastra_codegen.build import build_operations
from mastra_codegen.errors import CodegenError
from mastra_codegen.normalize import RENAMED_KEY, SITE_NAMES_KEY, Normalizer
from mastra_codegen.overrides import Overrides, for_document
from mastra_codegen.pipeline import prepare, spec_surface
from mastra_codegen.public_names import RUNTIME_NAMES
from mastra_codegen.render_models import run_datamodel_codegen


def _doc(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    if schemas:
        out["components"] = {"schemas": schemas}
    return out


def _get(schema: Any, tag: str = "Agents") -> dict[str, Any]:
    return {
        "tags": [tag],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}},
    }


def _post(schema: Any, tag: str = "Things") -> dict[str, Any]:
    return {
        "tags": [tag],
        "requestBody": {"content": {"application/json": {"schema": schema}}},
        "responses": {"200": {"description": "ok"}},
    }


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


AGENT = _obj(name={"type": "string"}, model=_obj(provider={"type": "string"}, id={"type": "string"}))
BOT_FACADE = """
resources:
  Bot:
    accessor: get_bot
    params: {botId: bot_id}
    methods:
      details: GET /bots/{botId}
"""


def _prepare(tmp_path: Path, document: dict[str, Any], overrides: str = "") -> dict[str, Any]:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document))
    paths = []
    if overrides:
        paths.append(tmp_path / "overrides.yaml")
        paths[0].write_text("version: 1\n" + overrides)
    return prepare(str(spec), paths).normalized


# --------------------------------------------------------------------------- one meaning per name


def test_a_model_named_like_a_facade_gets_the_suffix_and_keeps_its_nested_names(tmp_path: Path) -> None:
    document = _doc({"/bots/{botId}": {"get": _get(AGENT)}})
    plain = _prepare(tmp_path, document)["components"]
    assert "Bot" in plain["schemas"] and "BotModel" in plain["schemas"]  # no facade: the first choice
    with_facade = _prepare(tmp_path, document, BOT_FACADE)["components"]
    assert "Bot" not in with_facade["schemas"] and "BotDetails" in with_facade["schemas"]
    assert "BotModel" in with_facade["schemas"]  # nested shapes keep their names (no BotDetailsModel)
    assert with_facade[RENAMED_KEY] == {"BotDetails": "Bot"}


@pytest.mark.parametrize("taken", ["Stream", "APIError", "MastraClient", "ThingsResource", "AsyncThingsResource"])
def test_runtime_and_area_class_names_are_taken_in_any_document(tmp_path: Path, taken: str) -> None:
    document = _doc(
        {"/things": {"get": _get({"$ref": f"#/components/schemas/{taken}"}, tag="Things")}},
        {taken: _obj(x={"type": "string"})},
    )
    schemas = _prepare(tmp_path, document)["components"]["schemas"]
    assert taken not in schemas and taken + "Details" in schemas


def test_an_operation_alias_named_like_a_facade_gets_the_suffix(tmp_path: Path) -> None:
    # GET /bots/{botId} answers the same shape as GET /t/{id} (whose name wins).
    document = _doc({"/t/{id}": {"get": _get(AGENT, tag="T")}, "/bots/{botId}": {"get": _get(AGENT)}})
    out = _prepare(tmp_path, document, BOT_FACADE)
    aliases = out["components"]["x-codegen-aliases"]
    assert "Bot" not in aliases and aliases["BotDetails"] in out["components"]["schemas"]
    ref = out["paths"]["/bots/{botId}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ref == {"$ref": "#/components/schemas/BotDetails"}
    assert out["components"][RENAMED_KEY] == {"BotDetails": "Bot"}


def test_an_override_component_may_not_take_a_taken_name(tmp_path: Path) -> None:
    document = _doc({"/bots/{botId}": {"get": _get({"$ref": "#/components/schemas/Bot"})}})
    with pytest.raises(CodegenError, match="component 'Bot' has the name of another class"):
        _prepare(tmp_path, document, BOT_FACADE + "components:\n  Bot: {type: object}\n")


def test_diff_reports_the_rename_once_and_reads_old_labels_with_new_names() -> None:
    fields = {"name": {"type": "string", "required": True}}
    op = {"name": "agents.get_agent", "params": {}, "returns": "", "result": "Agent"}
    old = {
        "operations": {"GET /agents/{agentId}": op},
        "models": {"Agent": {"used_in": ["response"], "fields": fields}},
    }
    new = {
        "operations": {"GET /agents/{agentId}": {**op, "result": "AgentDetails"}},
        "models": {"AgentDetails": {"used_in": ["response"], "fields": fields, "renamed_from": "Agent"}},
    }
    changes = diff_surfaces(old, new).changes
    assert [(c.kind, c.key, c.name, c.change, c.breaking) for c in changes] == [
        ("model", "Agent", "AgentDetails", "changed", True)
    ]
    assert changes[0].details[0].describe() == "name changed: Agent -> AgentDetails"


# --------------------------------------------------------------------------- the generated package


def test_models_does_not_answer_to_a_facade_name_and_says_what_to_use() -> None:
    with pytest.raises(AttributeError, match="the model is 'AgentDetails'"):
        models.Agent  # noqa: B018
    assert mastra_client.Agent is not models.AgentDetails


def test_no_public_name_of_the_package_means_two_things() -> None:
    facades = {
        name
        for module in (importlib.import_module(f"mastra_client.{m}") for m in ("_resources", "_group_facades"))
        for name, value in vars(module).items()
        if isinstance(value, type) and value.__module__ == module.__name__
    }
    model_names = set(models.__all__)
    for name in mastra_client.__all__:
        if name in model_names:  # exported from both: it must be one class
            assert getattr(mastra_client, name) is getattr(models, name), name
        elif name[:1].isupper() and name not in RUNTIME_NAMES:
            assert name in facades, f"{name}: a top-level class public_names.RUNTIME_NAMES does not know"
    surface = json.loads((Path(mastra_client.__file__).parent / "_api.json").read_text())
    resources = [r for r in mastra_client.__all__ if r in facades]
    assert {"Agent", "AsyncAgent", "Workflow", "WorkflowRun", "MemoryThread"} <= set(resources)
    assert not set(resources) & model_names
    areas = {
        cls
        for path in (Path(mastra_client.__file__).parent / "resources").glob("*.py")
        for cls in re.findall(r"^class (\w+)", path.read_text(), re.M)
    }
    assert "AgentsResource" in areas
    assert not areas & model_names
    renamed = {v["renamed_from"]: k for k, v in surface["models"].items() if "renamed_from" in v}
    assert renamed["Agent"] == "AgentDetails" and renamed["WorkflowRun"] == "WorkflowRunDetails"


def test_signature_of_an_operation_uses_its_own_aliases_of_shared_shapes() -> None:
    source = (Path(mastra_client.__file__).parent / "resources" / "stored_agents.py").read_text()
    create = source[source.index("    def create_stored_agent(") :]
    signature = create[: create.index(") -> ")]
    used = set(re.findall(r"_models\.(\w+)", signature))
    assert "StoredAgentsCreateRequestModelWithName" in used
    assert used and all(name.startswith("StoredAgentsCreateRequest") for name in used), used
    assert models.StoredAgentsCreateRequestModelWithName is models.StoredScorerUpdateRequestModel


# --------------------------------------------------------------------------- own names in signatures


def test_an_operation_types_its_fields_with_aliases_named_after_itself() -> None:
    nested = _obj(provider={"type": "string"}, name={"type": "string"})
    body = _obj(model={"anyOf": [nested, {"type": "array", "items": _obj(when={"type": "string"})}]})
    document = _doc({"/a": {"post": _post(body)}, "/longer-things": {"post": _post(body)}})
    normalized = Normalizer(document, "spec.json").run()
    ops = {op.key: op for op in build_operations(normalized, Overrides())}
    for key in ("POST /a", "POST /longer-things"):
        op = ops[key]
        root = (op.body_model or "").removeprefix("_models.")
        model = next(p for p in op.params if p.name == "model")
        used = re.findall(r"_models\.(\w+)", model.annotation)
        assert len(used) == 2 and all(n.startswith(root) for n in used), (key, model.annotation)
    assert normalized["components"][SITE_NAMES_KEY]  # the second operation's own names


# --------------------------------------------------------------------------- integers


def test_counts_named_in_the_overrides_and_integral_numbers_are_int() -> None:
    answer = _obj(
        total={"type": "number"},
        failedCount={"type": ["number", "null"]},
        perPage={"anyOf": [{"type": "number"}, {"const": False}]},
        ratio={"type": "number"},
        big={"type": "number", "format": "int64"},
        step={"type": "number", "multipleOf": 1, "default": 2.0},
    )
    document = _doc({"/runs": {"get": _get(answer, tag="Runs")}})
    normalized = Normalizer(document, "spec.json", integers=["total", "*Count", "perPage"]).run()
    (schema,) = normalized["components"]["schemas"].values()
    props = schema["properties"]
    assert props["total"]["type"] == "integer" and props["failedCount"]["type"] == ["integer", "null"]
    assert props["perPage"]["anyOf"][0] == {"type": "integer"}
    assert props["ratio"]["type"] == "number"  # a number not named: float
    assert props["big"]["type"] == "integer" and props["step"] == {"type": "integer", "default": 2}  # said whole
    plain = Normalizer(document, "spec.json").run()
    assert next(iter(plain["components"]["schemas"].values()))["properties"]["total"]["type"] == "number"


def test_shipped_integer_patterns_apply_to_mastra_documents_only() -> None:
    overrides = Overrides(integers=["total", "mine"], shipped_integers={"total"})
    assert for_document(_doc({"/x": {"get": _get({})}}), overrides).integers == ["mine"]


def test_the_pinned_client_types_counts_as_int(pinned_spec: Path) -> None:
    surface = spec_surface(prepare(str(pinned_spec)))
    assert surface["models"]["WorkflowRunsResponse"]["fields"]["total"]["type"] == "integer"
    assert models.WorkflowRunsResponse.model_validate({"runs": [], "total": 1}).total.__class__ is int


# --------------------------------------------------------------------------- the models' methods


def test_a_field_named_like_a_model_method_is_renamed() -> None:
    source = run_datamodel_codegen(
        {"A": _obj(to_dict={"type": "string"}, toJson={"type": "integer"}, name={"type": "string"})}
    ).text
    assert "to_dict_: str | None = Field(None, alias='to_dict')" in source
    assert "to_json_: int | None = Field(None, alias='toJson')" in source
    assert "from .._runtime._base_model import BaseModel" in source
    assert not re.search(r"from pydantic import [^\n]*\bBaseModel\b", source)
