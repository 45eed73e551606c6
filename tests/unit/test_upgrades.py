"""Regenerating on a server upgrade: deterministic output, ``--check``, ``diff`` and the surface file."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mastra_codegen.apidiff import diff_surfaces
from mastra_codegen.cli import main
from mastra_codegen.labels import relation, schema_label, union_members
from mastra_codegen.loader import canonical_sha256
from mastra_codegen.surface import read_surface
from mastra_codegen.writer import read_files


def _object(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def spec_v1() -> dict[str, Any]:
    """A small API: list and create things, read one, and a status enum."""
    thing = _object(
        {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "status": {"type": "string", "enum": ["draft", "published"]},
            "size": {"type": "number"},
        },
        ["id", "name"],
    )
    return {
        "openapi": "3.1.0",
        "info": {"title": "Things", "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "tags": ["Things"],
                    "parameters": [
                        {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["draft", "published"]}}
                    ],
                    "responses": {"200": {"description": "ok", **_json({"type": "array", "items": thing})}},
                },
                "post": {
                    "tags": ["Things"],
                    "requestBody": {
                        "required": True,
                        **_json(_object({"name": {"type": "string"}, "size": {"type": "number"}}, ["name"])),
                    },
                    "responses": {"200": {"description": "ok", **_json(thing)}},
                },
            },
            "/things/{thingId}": {
                "get": {
                    "tags": ["Things"],
                    "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", **_json(thing)}},
                },
                "delete": {
                    "tags": ["Things"],
                    "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", **_json(_object({"ok": {"type": "boolean"}}, ["ok"]))}},
                },
            },
        },
    }


def spec_v2() -> dict[str, Any]:
    """The next release: one route gone, one added, a new required body field, a widened enum."""
    spec = copy.deepcopy(spec_v1())
    del spec["paths"]["/things/{thingId}"]["delete"]
    spec["paths"]["/things/{thingId}/archive"] = {
        "post": {
            "tags": ["Things"],
            "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", **_json(_object({"ok": {"type": "boolean"}}, ["ok"]))}},
        }
    }
    body = spec["paths"]["/things"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    body["properties"]["owner"] = {"type": "string"}
    body["required"].append("owner")
    spec["paths"]["/things"]["get"]["parameters"][0]["schema"]["enum"].append("archived")
    return spec


def write_spec(folder: Path, name: str, spec: dict[str, Any]) -> Path:
    path = folder / name
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def shuffled(value: Any, rnd: random.Random) -> Any:
    """The same document with every mapping's keys in a random order (arrays untouched)."""
    if isinstance(value, dict):
        items = list(value.items())
        rnd.shuffle(items)
        return {k: shuffled(v, rnd) for k, v in items}
    if isinstance(value, list):
        return [shuffled(v, rnd) for v in value]
    return value


# ------------------------------------------------------------------ determinism


def test_key_order_and_syntax_do_not_change_a_byte(tmp_path: Path) -> None:
    spec = spec_v1()
    first = write_spec(tmp_path, "a.json", spec)
    second = write_spec(tmp_path, "b.json", shuffled(spec, random.Random(7)))
    yaml_path = tmp_path / "c.yaml"
    import yaml

    yaml_path.write_text(yaml.safe_dump(shuffled(spec, random.Random(8)), sort_keys=False), encoding="utf-8")
    outputs = []
    for index, source in enumerate((first, second, yaml_path)):
        out = tmp_path / f"out{index}" / "things_client"
        assert run(str(source), "-o", str(out), "-q").exit_code == 0
        outputs.append(read_files(out))
    assert outputs[0] == outputs[1] == outputs[2]


def test_every_file_names_the_generator_and_only_version_py_the_spec_sha256(tmp_path: Path) -> None:
    spec = spec_v1()
    source = write_spec(tmp_path, "spec.json", spec)
    out = tmp_path / "things_client"
    assert run(str(source), "-o", str(out), "-q").exit_code == 0
    sha = canonical_sha256(json.loads(json.dumps(spec, sort_keys=True)))
    files = read_files(out)
    for name, text in files.items():
        if name.endswith(".py"):
            assert text.splitlines()[0].startswith("# Generated by mastra-codegen 0.1.0."), name
    # in one file only, so that an upgrade changes only the files whose content changed
    assert [name for name, text in files.items() if sha in text] == ["_version.py"]
    assert f'SPEC_SHA256 = "{sha}"' in files["_version.py"]
    assert read_surface(out)["spec_sha256"] == sha  # what `diff` of packages shows


def test_canonical_sha_ignores_key_order_but_not_content() -> None:
    spec = spec_v1()
    assert canonical_sha256(spec) == canonical_sha256(shuffled(spec, random.Random(1)))
    assert canonical_sha256(spec) != canonical_sha256(spec_v2())


# ------------------------------------------------------------------ --check


def test_check_passes_on_fresh_output_and_writes_nothing(tmp_path: Path) -> None:
    source = write_spec(tmp_path, "spec.json", spec_v1())
    out = tmp_path / "things_client"
    assert run(str(source), "-o", str(out), "-q").exit_code == 0
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    siblings = sorted(p.name for p in tmp_path.iterdir())
    result = run(str(source), "-o", str(out), "--check")
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == siblings  # no staging dir left beside it


def test_check_reports_edits_missing_and_extra_files(tmp_path: Path) -> None:
    source = write_spec(tmp_path, "spec.json", spec_v1())
    out = tmp_path / "things_client"
    assert run(str(source), "-o", str(out), "-q").exit_code == 0
    (out / "_client.py").write_text("# edited by hand\n", encoding="utf-8")
    (out / "py.typed").unlink()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = run(str(source), "-o", str(out), "--check")
    assert result.exit_code == 1
    assert "1 changed, 1 missing, 1 unexpected" in result.output
    assert "~ _client.py" in result.output and "+ py.typed" in result.output and "- notes.txt" in result.output
    assert (out / "_client.py").read_text() == "# edited by hand\n"  # nothing was repaired


def test_check_summarizes_the_api_change_of_a_new_spec(tmp_path: Path) -> None:
    out = tmp_path / "things_client"
    assert run(str(write_spec(tmp_path, "v1.json", spec_v1())), "-o", str(out), "-q").exit_code == 0
    result = run(str(write_spec(tmp_path, "v2.json", spec_v2())), "-o", str(out), "--check")
    assert result.exit_code == 1
    assert "API changes:" in result.output
    assert "operations: 1 added, 1 removed" in result.output
    assert "DELETE /things/{thingId}" in result.output


def test_check_of_a_missing_package_fails_without_creating_it(tmp_path: Path) -> None:
    source = write_spec(tmp_path, "spec.json", spec_v1())
    out = tmp_path / "things_client"
    result = run(str(source), "-o", str(out), "--check")
    assert result.exit_code == 1
    assert not out.exists()


def test_check_with_a_broken_spec_is_an_error_not_a_difference(tmp_path: Path) -> None:
    source = write_spec(tmp_path, "spec.json", spec_v1())
    out = tmp_path / "things_client"
    assert run(str(source), "-o", str(out), "-q").exit_code == 0
    source.write_text("{ not json", encoding="utf-8")
    result = run(str(source), "-o", str(out), "--check")
    assert result.exit_code == 2
    assert "invalid JSON" in result.output


# ------------------------------------------------------------------ diff


def test_diff_text_flags_breaking_changes(tmp_path: Path) -> None:
    old = write_spec(tmp_path, "v1.json", spec_v1())
    new = write_spec(tmp_path, "v2.json", spec_v2())
    result = run("diff", str(old), str(new))
    assert result.exit_code == 0, result.output
    text = result.output
    assert "operations: 1 added, 1 removed, 2 changed" in text
    assert "- DELETE /things/{thingId}  (things.delete_thing)  BREAKING" in text
    assert "+ POST /things/{thingId}/archive" in text
    assert "! required parameter 'owner' added (string)" in text
    # a query enum that accepts one more value breaks nobody
    assert "parameter 'status' widened (+ \"archived\")" in text
    assert "! parameter 'status'" not in text


def test_diff_json_lists_every_change_with_its_verdict(tmp_path: Path) -> None:
    old = write_spec(tmp_path, "v1.json", spec_v1())
    new = write_spec(tmp_path, "v2.json", spec_v2())
    result = run("diff", str(old), str(new), "--json")
    data = json.loads(result.output)
    assert data["summary"]["operations"] == {"added": 1, "removed": 1, "changed": 2}
    changes = {(c["kind"], c["key"]): c for c in data["changes"]}
    removed = changes[("operation", "DELETE /things/{thingId}")]
    assert removed["change"] == "removed" and removed["breaking"] is True
    create = changes[("operation", "POST /things")]
    owner = next(d for d in create["details"] if d["name"] == "owner")
    assert owner["change"] == "added" and owner["breaking"] is True
    assert data["old"]["spec_sha256"] != data["new"]["spec_sha256"]
    assert data["summary"]["breaking"] == sum(1 for c in data["changes"] if c["breaking"])


def test_diff_of_identical_specs_is_empty_and_fail_on_breaking(tmp_path: Path) -> None:
    old = write_spec(tmp_path, "v1.json", spec_v1())
    same = write_spec(tmp_path, "v1b.json", shuffled(spec_v1(), random.Random(3)))
    result = run("diff", str(old), str(same), "--fail-on-breaking")
    assert result.exit_code == 0
    assert "no differences in the API" in result.output
    new = write_spec(tmp_path, "v2.json", spec_v2())
    assert run("diff", str(old), str(new), "--fail-on-breaking").exit_code == 1


def test_diff_reads_a_generated_package(tmp_path: Path) -> None:
    out = tmp_path / "things_client"
    assert run(str(write_spec(tmp_path, "v1.json", spec_v1())), "-o", str(out), "-q").exit_code == 0
    new = write_spec(tmp_path, "v2.json", spec_v2())
    from_package = json.loads(run("diff", str(out), str(new), "--json").output)
    from_spec = json.loads(run("diff", str(tmp_path / "v1.json"), str(new), "--json").output)
    assert from_package["changes"] == from_spec["changes"]


def test_diff_errors_are_located(tmp_path: Path) -> None:
    plain = tmp_path / "not_generated"
    plain.mkdir()
    result = run("diff", str(plain), str(write_spec(tmp_path, "v1.json", spec_v1())))
    assert result.exit_code == 2
    assert "not_generated" in result.output and "not a package generated by mastra-codegen" in result.output


def test_generate_subcommand_and_default_command_agree(tmp_path: Path) -> None:
    source = write_spec(tmp_path, "v1.json", spec_v1())
    assert run("generate", str(source), "-o", str(tmp_path / "a" / "pkg"), "-q").exit_code == 0
    assert run(str(source), "-o", str(tmp_path / "b" / "pkg"), "-q").exit_code == 0
    assert read_files(tmp_path / "a" / "pkg") == read_files(tmp_path / "b" / "pkg")


# ------------------------------------------------------------------ breaking rules


def surface(models: dict[str, Any]) -> dict[str, Any]:
    return {"operations": {}, "models": models}


@pytest.mark.parametrize(
    ("used_in", "old", "new", "breaking"),
    [
        (["request"], {"type": "string", "required": False}, {"type": "string", "required": True}, True),
        (["response"], {"type": "string", "required": False}, {"type": "string", "required": True}, False),
        (["response"], {"type": "string", "required": True}, {"type": "string", "required": False}, True),
        (["request"], {"type": "string", "required": True}, {"type": "string", "required": False}, False),
        (["response"], {"type": '"a"', "required": True}, {"type": '"a" | "b"', "required": True}, False),
        (["response"], {"type": "string", "required": True}, {"type": "null | string", "required": True}, True),
        (["request"], {"type": '"a" | "b"', "required": True}, {"type": '"a"', "required": True}, True),
        (["request"], {"type": "number", "required": True}, {"type": "integer", "required": True}, True),
        (["response"], {"type": "number", "required": True}, {"type": "integer", "required": True}, False),
        (["response"], {"type": "string", "required": True}, {"type": "integer", "required": True}, True),
    ],
)
def test_field_changes_break_by_direction(
    used_in: list[str], old: dict[str, Any], new: dict[str, Any], breaking: bool
) -> None:
    before = surface({"M": {"used_in": used_in, "fields": {"f": old}}})
    after = surface({"M": {"used_in": used_in, "fields": {"f": new}}})
    (change,) = diff_surfaces(before, after).changes
    assert change.breaking is breaking, change


def test_a_renamed_class_kept_as_an_alias_is_not_a_type_change() -> None:
    fields = {"id": {"type": "string", "required": True}}
    op = {"name": "x.get", "params": {}, "returns": "", "result": "Old"}
    before = {"operations": {"GET /x": op}, "models": {"Old": {"used_in": ["response"], "fields": fields}}}
    after = {
        "operations": {"GET /x": {**op, "result": "New"}},
        "models": {
            "New": {"used_in": ["response"], "fields": fields},
            "Old": {"alias_of": "New", "used_in": ["response"]},
        },
    }
    diff = diff_surfaces(before, after)
    assert not diff.breaking, diff.changes


def test_labels_flatten_and_compare_unions() -> None:
    assert schema_label({"type": ["string", "null"]}) == "null | string"
    assert schema_label({"anyOf": [{"enum": ["b", "a"]}, {"type": "null"}]}) == '"a" | "b" | null'
    assert schema_label({"type": "array", "items": {"$ref": "#/components/schemas/Agent"}}) == "array[Agent]"
    assert union_members('a | array[b | c] | "x | y"') == ["a", "array[b | c]", '"x | y"']
    assert relation("array[integer]", "array[number]") == "wider"
    assert relation("string", "integer") == "changed"
