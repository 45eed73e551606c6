"""The command line: located one-line errors with exit status 2, and safe writes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mastra_codegen.cli import main

SMALL = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things/{thingId}": {
            "get": {
                "tags": ["Things"],
                "parameters": [
                    {
                        "name": "thingId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"id": {"type": "string"}},
                                    "required": ["id"],
                                }
                            }
                        },
                    }
                },
            }
        }
    },
}


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_located_error(result: Any, *parts: str) -> None:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    for part in parts:
        assert part in lines[0], lines[0]


def test_unreadable_file(tmp_path: Path) -> None:
    assert_located_error(run(str(tmp_path / "nope.json"), "-o", str(tmp_path / "out")), "nope.json", "cannot read")


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    spec = write(tmp_path, "bad.json", '{\n  "openapi": "3.1.0",\n  "paths": {,}\n}')
    assert_located_error(run(str(spec), "-o", str(tmp_path / "out")), "bad.json:3:", "invalid JSON")


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    spec = write(tmp_path, "bad.yaml", "openapi: 3.1.0\npaths:\n  /a: [\n")
    assert_located_error(run(str(spec), "-o", str(tmp_path / "out")), "bad.yaml:", "invalid YAML")


def test_not_openapi(tmp_path: Path) -> None:
    spec = write(tmp_path, "s.json", json.dumps({"swagger": "2.0", "paths": {}}))
    assert_located_error(run(str(spec), "-o", str(tmp_path / "out")), "s.json", "OpenAPI 3.x")
    spec = write(tmp_path, "t.json", json.dumps({"hello": 1}))
    assert_located_error(run(str(spec), "-o", str(tmp_path / "out")), "t.json", "not an OpenAPI 3.x document")


def test_unresolvable_ref_names_the_pointer(tmp_path: Path) -> None:
    doc = json.loads(json.dumps(SMALL))
    doc["paths"]["/things/{thingId}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Missing"
    }
    spec = write(tmp_path, "s.json", json.dumps(doc))
    assert_located_error(
        run(str(spec), "-o", str(tmp_path / "out")),
        "s.json#/paths/~1things~1{thingId}/get/responses/200",
        "#/components/schemas/Missing",
    )


def test_override_for_unknown_operation_names_file_and_line(tmp_path: Path) -> None:
    spec = write(tmp_path, "s.json", json.dumps(SMALL))
    overrides = write(tmp_path, "mine.yaml", "version: 1\noperations:\n  GET /nowhere:\n    name: x\n")
    assert_located_error(
        run(str(spec), "-o", str(tmp_path / "out"), "--overrides", str(overrides)),
        "mine.yaml:3",
        "GET /nowhere",
    )


def test_bad_override_key_and_stream_format(tmp_path: Path) -> None:
    spec = write(tmp_path, "s.json", json.dumps(SMALL))
    bad = write(tmp_path, "a.yaml", "operations:\n  GET /things/{thingId}:\n    stream: carrier-pigeon\n")
    assert_located_error(
        run(str(spec), "-o", str(tmp_path / "o"), "--overrides", str(bad)),
        "a.yaml:3",
        "stream format",
    )
    bad = write(tmp_path, "b.yaml", "operations:\n  GET /things/{thingId}:\n    nmae: x\n")
    assert_located_error(run(str(spec), "-o", str(tmp_path / "o"), "--overrides", str(bad)), "b.yaml:3", "nmae")


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("groups:\n  Things: class\n", 2, "group name for 'Things' must be a Python identifier"),
        ("operations:\n  GET /things/{thingId}:\n    group: class\n", 3, "group must be a Python identifier"),
        ("operations:\n  GET /things/{thingId}:\n    name: a(b)\n", 3, "name must be a Python identifier"),
        ("client:\n  'x; import os': GET /things/{thingId}\n", 2, "is not a Python identifier"),
        (
            "resources:\n  Thing:\n    accessor: __import__(1)\n    params: {thingId: thing_id}\n",
            3,
            "accessor must be a Python identifier",
        ),
        ("resources:\n  Thing:\n    params: {thingId: def}\n", 3, "params maps spec parameter names"),
    ],
)
def test_override_names_that_are_not_python_names_are_located_errors(
    tmp_path: Path, text: str, line: int, says: str
) -> None:
    """Override names land in the code as written: a keyword or an expression there would be
    invalid Python (or code), so it is refused where it is written."""
    spec = write(tmp_path, "s.json", json.dumps(SMALL))
    bad = write(tmp_path, "bad.yaml", "version: 1\n" + text)
    out = tmp_path / "out"
    assert_located_error(run(str(spec), "-o", str(out), "--overrides", str(bad)), f"bad.yaml:{line + 1}", says)
    assert not out.exists()


def test_a_package_directory_named_like_a_keyword_is_refused(tmp_path: Path) -> None:
    spec = write(tmp_path, "s.json", json.dumps(SMALL))
    assert_located_error(run(str(spec), "-o", str(tmp_path / "class")), "class", "is not a Python identifier")
    assert not (tmp_path / "class").exists()


def test_generates_then_regenerates_over_its_own_output(tmp_path: Path) -> None:
    spec = write(tmp_path, "s.json", json.dumps(SMALL))
    out = tmp_path / "things_client"
    assert run(str(spec), "-o", str(out), "-q").exit_code == 0
    assert (out / ".mastra-codegen").is_file() and (out / "py.typed").is_file()
    (out / "stale.py").write_text("x = 1\n")
    assert run(str(spec), "-o", str(out), "-q").exit_code == 0
    assert not (out / "stale.py").exists()  # the output is exactly what was generated


def test_refuses_a_directory_it_did_not_create(tmp_path: Path) -> None:
    spec = write(tmp_path, "s.json", json.dumps(SMALL))
    out = tmp_path / "mine"
    out.mkdir()
    (out / "important.txt").write_text("keep me")
    assert_located_error(run(str(spec), "-o", str(out)), "mine", "not created by mastra-codegen")
    assert (out / "important.txt").read_text() == "keep me"


def test_a_failed_run_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    spec = write(tmp_path, "s.json", json.dumps(SMALL))
    out = tmp_path / "things_client"
    assert run(str(spec), "-o", str(out), "-q").exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    broken = write(tmp_path, "broken.json", "{")
    assert run(str(broken), "-o", str(out)).exit_code == 2
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert before == after
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".things_client")] == []


def test_package_name_must_be_an_identifier(tmp_path: Path) -> None:
    spec = write(tmp_path, "s.json", json.dumps(SMALL))
    assert_located_error(run(str(spec), "-o", str(tmp_path / "my-client")), "my-client", "identifier")


@pytest.mark.parametrize("header", ["NoColon", ": empty"])
def test_bad_header_option(tmp_path: Path, header: str) -> None:
    result = CliRunner().invoke(main, ["http://127.0.0.1:9/x", "-o", str(tmp_path / "o"), "--header", header])
    assert result.exit_code == 2
