"""Malformed input (issue 6): truncated or broken text, alias bombs, $ref cycles and bombs, huge files.

Each case is one located line on stderr and exit status 2, memory stays bounded (measured in
a child process), and the previous generation in the output directory is left byte for byte
as it was, with no staging directory beside it.
"""

from __future__ import annotations

import codecs
import copy
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mastra_codegen.cli import main
from mastra_codegen.errors import CodegenError
from mastra_codegen.loader import MAX_DEPTH, canonical_sha256, load_spec, parse_document
from mastra_codegen.pipeline import prepare

ROOT = Path(__file__).resolve().parents[2]
PINNED = ROOT / "specs" / "mastra-server-1.67.0.openapi.json"

TINY: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "tiny", "version": "1"},
    "paths": {
        "/things/{thingId}": {
            "get": {
                "tags": ["Things"],
                "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "string"}}],
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


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass(frozen=True)
class Previous:
    """A good generation that every failing run below must leave exactly as it is."""

    out: Path
    files: dict[str, bytes]

    def assert_untouched(self) -> None:
        assert snapshot(self.out) == self.files
        assert [p.name for p in self.out.parent.iterdir()] == [self.out.name], "staging leftovers"


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Previous:
    root = tmp_path_factory.mktemp("previous")
    spec = root / "tiny.json"
    spec.write_text(json.dumps(TINY), encoding="utf-8")
    out = root / "out" / "tiny_client"
    result = run(str(spec), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    return Previous(out, snapshot(out))


def assert_fails(previous: Previous, spec: Path | str, *parts: str, options: tuple[str, ...] = ()) -> str:
    """The CLI fails with one located line holding ``parts``, and the previous output is untouched."""
    result = run(str(spec), "-o", str(previous.out), *options)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    for part in parts:
        assert part in lines[0], lines[0]
    previous.assert_untouched()
    return lines[0]


def with_schema(schema: dict[str, Any], components: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = copy.deepcopy(TINY)
    doc["paths"]["/things/{thingId}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] = schema
    if components is not None:
        doc["components"] = components
    return doc


def write_json(tmp_path: Path, name: str, doc: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- broken text
@pytest.mark.parametrize("keep", [1, 2000, 1_000_000, -20, -1])
def test_truncated_pinned_spec_names_line_and_column(previous: Previous, tmp_path: Path, keep: int) -> None:
    raw = PINNED.read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(raw[:keep])
    line = assert_fails(previous, cut, "invalid JSON")
    location = line.split(": error: ", 1)[1].split(": ", 1)[0]
    assert location.startswith(f"{cut}:") and location.count(":") == 2, line  # file:line:column


def test_truncated_yaml_names_line(previous: Previous, tmp_path: Path) -> None:
    spec = tmp_path / "cut.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a: {get: {responses: [\n")
    assert_fails(previous, spec, "cut.yaml:5:", "invalid YAML")


def test_invalid_utf8_names_line_and_column(previous: Previous, tmp_path: Path) -> None:
    text = json.dumps(TINY, indent=2).encode()
    at = text.index(b'"tiny"') + 3
    spec = tmp_path / "latin1.json"
    spec.write_bytes(text[:at] + b"\xe9" + text[at:])
    assert_fails(previous, spec, "latin1.json:4:17", "not UTF-8 text")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b" \n\t\n", "is empty"),
        (b"[1, 2]", "the top level is a list"),
        (b"null", "the top level is empty"),
        (b'"openapi"', "the top level is a single value"),
        (codecs.BOM_UTF16_LE + '{"openapi": "3.1.0"}'.encode("utf-16-le"), "UTF-16 or UTF-32"),
        (b"\x00\x01\x02", "invalid YAML"),
        (b"[" * 100_000 + b"]" * 100_000, f"nested more than {MAX_DEPTH} levels deep"),
        (b"openapi: 3.1.0\nx: " + b"[" * 5_000, f"nested more than {MAX_DEPTH} levels deep"),
        (b"openapi: 3.1.0\npaths: {}\n---\nagain: 1\n", "invalid YAML"),
        (b"openapi: 3.1.0\nx: !!python/object/apply:os.system ['true']\n", "invalid YAML"),
    ],
    ids=["empty", "blank", "array", "null", "scalar", "utf16", "controls", "deep-json", "deep-yaml", "two-docs", "tag"],
)
def test_not_a_document(previous: Previous, tmp_path: Path, content: bytes, message: str) -> None:
    spec = tmp_path / "spec.json"
    spec.write_bytes(content)
    assert_fails(previous, spec, "spec.json", message)


def test_deep_nesting_error_names_the_place(tmp_path: Path) -> None:
    doc = copy.deepcopy(TINY)
    doc["x-deep"] = {"a": json.loads("[" * 300 + "]" * 300)}
    with pytest.raises(CodegenError) as caught:
        load_spec(str(write_json(tmp_path, "deep.json", doc)))
    assert caught.value.where.startswith(f"{tmp_path / 'deep.json'}#/x-deep/a/0/0/0/")
    assert caught.value.where.endswith("/...")


def test_a_bom_is_fine_and_changes_nothing(tmp_path: Path) -> None:
    plain = json.dumps(TINY).encode()
    with_bom = tmp_path / "bom.json"
    with_bom.write_bytes(codecs.BOM_UTF8 + plain)
    assert load_spec(str(with_bom)).sha256 == canonical_sha256(parse_document(plain, "x"))


def test_a_spec_just_under_the_depth_limit_is_fine(tmp_path: Path) -> None:
    """Every level below MAX_DEPTH is accepted, and nothing downstream runs out of stack."""
    node: dict[str, Any] = {"type": "string"}
    for _ in range(MAX_DEPTH - 12):
        node = {"type": "array", "items": node}
    prepare(str(write_json(tmp_path, "deep.json", with_schema(node))))


# ----------------------------------------------------------------------------- YAML alias bombs
def list_bomb(levels: int = 9) -> str:
    lines = [
        "openapi: 3.1.0",
        "info: {title: t, version: '1'}",
        "paths: {}",
        "x-lol:",
        "  l0: &l0 [lol" + ", lol" * 9 + "]",
    ]
    lines += [f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def mapping_bomb(levels: int = 9) -> str:
    lines = ["openapi: 3.1.0", "info: {title: t, version: '1'}", "paths: {}", "x-lol:"]
    lines.append("  m0: &m0 {" + ", ".join(f"k{j}: lol" for j in range(10)) + "}")
    lines += [
        f"  m{i}: &m{i} {{" + ", ".join(f"k{j}: *m{i - 1}" for j in range(10)) + "}" for i in range(1, levels + 1)
    ]
    lines.append("  merged: {<<: *m8, extra: 1}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("bomb", [list_bomb, mapping_bomb], ids=["lists", "mappings"])
def test_yaml_alias_bomb_is_refused_where_it_goes_off(previous: Previous, tmp_path: Path, bomb: Any) -> None:
    spec = tmp_path / "bomb.yaml"
    spec.write_text(bomb(), encoding="utf-8")
    assert_fails(previous, spec, "bomb.yaml:11:", "YAML aliases are expanded", "alias bomb")


def test_small_alias_use_is_fine(tmp_path: Path) -> None:
    spec = tmp_path / "few.yaml"
    spec.write_text(list_bomb(levels=3), encoding="utf-8")  # 10**4 values: a big but real document
    assert len(load_spec(str(spec)).document["x-lol"]["l3"]) == 10


def test_recursive_alias_is_refused(previous: Previous, tmp_path: Path) -> None:
    spec = tmp_path / "loop.yaml"
    spec.write_text("openapi: 3.1.0\npaths: {}\nx-loop: &a [1, *a]\n", encoding="utf-8")
    assert_fails(previous, spec, "loop.yaml:3:", "refers to its own ancestor")


# ----------------------------------------------------------------------------- $ref cycles
SCHEMA_POINTER = "#/paths/~1things~1{thingId}/get/responses/200/content/application~1json/schema"


def component(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def with_cycle(kind: str) -> dict[str, Any]:
    if kind == "self":
        return with_schema(component("A"), {"schemas": {"A": component("A")}})
    if kind == "a-b-a":
        return with_schema(component("A"), {"schemas": {"A": component("B"), "B": component("A")}})
    if kind == "allOf-self":
        return with_schema(component("A"), {"schemas": {"A": {"allOf": [component("A")]}}})
    doc = copy.deepcopy(TINY)
    get = doc["paths"]["/things/{thingId}"]["get"]
    if kind == "parameters":
        get["parameters"] = [{"$ref": "#/components/parameters/P"}]
        doc["components"] = {
            "parameters": {"P": {"$ref": "#/components/parameters/Q"}, "Q": {"$ref": "#/components/parameters/P"}}
        }
    elif kind == "responses":
        get["responses"]["404"] = {"$ref": "#/components/responses/R"}
        doc["components"] = {"responses": {"R": {"$ref": "#/components/responses/R"}}}
    elif kind == "requestBody":
        get["requestBody"] = {"$ref": "#/components/requestBodies/B"}
        doc["components"] = {
            "requestBodies": {
                "B": {"$ref": "#/components/requestBodies/C"},
                "C": {"$ref": "#/components/requestBodies/B"},
            }
        }
    elif kind == "pathItem":
        doc["paths"]["/loop"] = {"$ref": "#/components/pathItems/L"}
        doc["components"] = {"pathItems": {"L": {"$ref": "#/paths/~1loop"}}}
    return doc


CYCLES = {
    "self": "#/components/schemas/A -> #/components/schemas/A",
    "a-b-a": "#/components/schemas/A -> #/components/schemas/B -> #/components/schemas/A",
    "allOf-self": "#/components/schemas/A/allOf/0 -> #/components/schemas/A",
    "parameters": "#/components/parameters/P -> #/components/parameters/Q -> #/components/parameters/P",
    "responses": "#/components/responses/R -> #/components/responses/R",
    "requestBody": "#/components/requestBodies/B -> #/components/requestBodies/C -> #/components/requestBodies/B",
    "pathItem": "#/paths/~1loop -> #/components/pathItems/L -> #/paths/~1loop",
}


@pytest.mark.parametrize("kind", list(CYCLES))
def test_ref_cycle_names_the_chain(previous: Previous, tmp_path: Path, kind: str) -> None:
    spec = write_json(tmp_path, "cycle.json", with_cycle(kind))
    start = CYCLES[kind].split(" -> ")[0]
    assert_fails(previous, spec, f"cycle.json{start}: circular $ref chain: {CYCLES[kind]}")


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("#/components/schemas/Nowhere", "unresolvable $ref '#/components/schemas/Nowhere'"),
        ("#/components/schemas/~2", "is not a JSON pointer"),
        ("#/components/schemas/Thing/properties/missing", "unresolvable $ref"),
        ("https://example.com/thing.json#/Thing", "remote $ref 'https://example.com/thing.json#/Thing' is not fetched"),
    ],
    ids=["missing", "bad-escape", "missing-deep", "remote"],
)
def test_bad_ref_is_located(previous: Previous, tmp_path: Path, ref: str, message: str) -> None:
    thing = {"type": "object", "properties": {"id": {"type": "string"}}}
    spec = write_json(tmp_path, "bad.json", with_schema({"$ref": ref}, {"schemas": {"Thing": thing}}))
    assert_fails(previous, spec, f"bad.json{SCHEMA_POINTER}: ", message)


def test_non_string_ref_is_located(previous: Previous, tmp_path: Path) -> None:
    spec = write_json(tmp_path, "bad.json", with_schema({"$ref": 7}))
    assert_fails(previous, spec, f"bad.json{SCHEMA_POINTER}: ", "$ref must be a string")


def test_recursive_object_schemas_are_fine(tmp_path: Path) -> None:
    """A tree that nests itself in a property, and a base whose oneOf lists the subtypes that extend it."""
    node = {"type": "object", "properties": {"children": {"type": "array", "items": component("Node")}}}
    animal = {"oneOf": [component("Cat"), component("Dog")], "discriminator": {"propertyName": "kind"}}

    def subtype(kind: str) -> dict[str, Any]:
        return {"allOf": [component("Animal"), {"type": "object", "properties": {"kind": {"const": kind}}}]}

    schemas = {"Node": node, "Animal": animal, "Cat": subtype("cat"), "Dog": subtype("dog")}
    doc = with_schema(
        {"type": "object", "properties": {"tree": component("Node"), "pet": component("Animal")}}, {"schemas": schemas}
    )
    schemas_out = prepare(str(write_json(tmp_path, "tree.json", doc))).normalized["components"]["schemas"]
    assert schemas_out["Node"]["properties"]["children"]["items"] == component("Node")


def test_a_tree_outside_components_becomes_a_component(tmp_path: Path) -> None:
    """``#/definitions/Node`` nesting itself: named like a component, after the document's own names."""
    node = {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/definitions/Node"}}}}
    doc = with_schema({"$ref": "#/definitions/Node"})
    doc["definitions"] = {"Node": node}
    schemas = prepare(str(write_json(tmp_path, "tree.json", doc))).normalized["components"]["schemas"]
    assert schemas["Node"]["properties"]["kids"]["items"] == component("Node")
    doc["components"] = {"schemas": {"Node": {"type": "object", "properties": {"other": {"type": "integer"}}}}}
    schemas = prepare(str(write_json(tmp_path, "both.json", doc))).normalized["components"]["schemas"]
    assert schemas["Node"]["properties"] == {"other": {"type": "integer"}}  # the document's own Node
    tree = next(name for name, schema in schemas.items() if "kids" in schema.get("properties", {}))
    assert schemas[tree]["properties"]["kids"]["items"] == component(tree)


def test_ref_bomb_is_refused(previous: Previous, tmp_path: Path) -> None:
    """Forty levels of two references to the next level: 2**40 schemas if each were inlined."""
    levels = {f"L{i}": {"anyOf": [{"$ref": f"#/x-levels/L{i + 1}"}] * 2} for i in range(40)}
    levels["L40"] = {"type": "string"}
    doc = with_schema({"$ref": "#/x-levels/L0"})
    doc["x-levels"] = levels
    assert_fails(previous, write_json(tmp_path, "refs.json", doc), "refs.json#/", "$ref bomb")


# ----------------------------------------------------------------------------- size
def test_max_spec_size_refuses_a_bigger_file(previous: Previous) -> None:
    assert_fails(
        previous,
        PINNED,
        "mastra-server-1.67.0.openapi.json",
        "over the limit of 1 MB",
        options=("--max-spec-size", "1"),
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_endless_stream_is_read_only_up_to_the_limit(previous: Previous) -> None:
    assert_fails(previous, "/dev/zero", "/dev/zero", "over the limit of 1 MB", options=("--max-spec-size", "1"))


CHILD = """
import resource, sys
from mastra_codegen.cli import main
try:
    main(sys.argv[1:], prog_name="mastra-codegen")
    code = 0
except SystemExit as exc:
    code = exc.code
def peak_kb():
    # VmHWM is this process's own high-water mark; ru_maxrss on Linux starts from the
    # parent's at fork, so a large pytest process would inflate it.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("maxrss_kb", peak_kb(), file=sys.stderr)
sys.exit(code)
"""


def run_child(*args: str) -> tuple[int, str, float]:
    """Run the CLI in a child process: exit status, stderr and its peak memory in MB."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args], capture_output=True, text=True, timeout=300, env=env, check=False
    )
    lines = done.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("maxrss_kb "), done.stderr
    return done.returncode, "\n".join(lines[:-1]), int(lines[-1].split()[1]) / 1024


def test_a_100_mb_document_is_refused_before_it_is_read(previous: Previous, tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as stream:  # sparse: 100 MB on paper, nothing on disk
        stream.truncate(100 * 1024 * 1024)
    code, stderr, peak_mb = run_child(str(huge), "-o", str(previous.out))
    assert code == 2, stderr
    assert stderr.count("\n") == 0 and "huge.json: file is 104857600 bytes, over the limit of 64 MB" in stderr
    assert "--max-spec-size" in stderr
    assert peak_mb < 150, peak_mb
    previous.assert_untouched()


def test_an_alias_bomb_stays_small_in_memory(previous: Previous, tmp_path: Path) -> None:
    spec = tmp_path / "bomb.yaml"
    spec.write_text(list_bomb(levels=10), encoding="utf-8")  # 10**10 values once expanded
    code, stderr, peak_mb = run_child(str(spec), "-o", str(previous.out))
    assert code == 2 and "alias bomb" in stderr, stderr
    assert peak_mb < 400, peak_mb
    previous.assert_untouched()
