"""Specs in several documents: ``$ref`` to files and URLs bundled into one (generator/bundle.py).

Files: followed inside the spec's folder. URLs: only with ``--allow-remote-refs``, served here
by a local HTTP server.
"""

from __future__ import annotations

import contextlib
import json
import os
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mastra_codegen.bundle import MAX_DOCUMENTS
from mastra_codegen.cli import main
from mastra_codegen.errors import CodegenError
from mastra_codegen.loader import canonical_sha256, load_spec, parse_document

SCHEMA_AT = "#/paths/~1pets~1{petId}/get/responses/200/content/application~1json/schema"


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return folder / next(iter(files))


def spec_with_schema_ref(ref: str) -> str:
    return f"""
        openapi: 3.1.0
        info: {{title: pets, version: "1"}}
        paths:
          /pets/{{petId}}:
            get:
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: {{$ref: '{ref}'}}
        """


def load(path: Path | str, **options: Any) -> dict[str, Any]:
    return load_spec(str(path), **options).document


def error_of(path: Path | str, **options: Any) -> CodegenError:
    with pytest.raises(CodegenError) as caught:
        load_spec(str(path), **options)
    return caught.value


PETS = {
    "api.yaml": """
        openapi: 3.1.0
        info: {title: pets, version: "1"}
        paths:
          /pets/{petId}:
            parameters:
              - $ref: 'common/shared.json#/parameters/PetId'
            get:
              tags: [Pets]
              responses:
                "200":
                  description: ok
                  content:
                    application/json:
                      schema: {$ref: './schemas/pet.yaml#/Pet'}
                default: {$ref: 'common/shared.json#/responses/Error', description: the reference's own}
          /owners:
            $ref: 'paths/owners.yaml'
        components:
          schemas:
            Owner: {$ref: schemas/owner.yaml}
            Kind: {type: string, enum: [cat, dog]}
        """,
    "schemas/pet.yaml": """
        Pet:
          type: object
          required: [id]
          properties:
            id: {type: string}
            owner: {$ref: owner.yaml}
            tags: {type: array, items: {$ref: '#/Tag'}}
            kind: {$ref: '../api.yaml#/components/schemas/Kind'}
        Tag:
          type: object
          properties:
            label: {type: string}
        """,
    "schemas/owner.yaml": """
        type: object
        properties:
          name: {type: string}
          pets: {type: array, items: {$ref: 'pet.yaml#/Pet'}}
        """,
    "common/shared.json": """
        {"parameters": {"PetId": {"name": "petId", "in": "path", "required": true, "schema": {"type": "string"}}},
         "responses": {"Error": {"description": "error",
                                 "content": {"application/json": {"schema": {"$ref": "#/schemas/Error"}}}}},
         "schemas": {"Error": {"type": "object", "properties": {"message": {"type": "string"}}}}}
        """,
    "paths/owners.yaml": """
        get:
          tags: [Owners]
          responses:
            "200":
              description: ok
              content:
                application/json:
                  schema: {type: array, items: {$ref: '../schemas/owner.yaml'}}
        """,
}


def refs_in(value: Any) -> list[str]:
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("$ref"), str):
                found.append(item["$ref"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


# ----------------------------------------------------------------------------- files
def test_files_are_bundled_into_one_document(tmp_path: Path) -> None:
    doc = load(write(tmp_path, PETS))
    assert all(ref.startswith("#/") for ref in refs_in(doc)), refs_in(doc)
    schemas = doc["components"]["schemas"]
    assert sorted(schemas) == ["Error", "Kind", "Owner", "Pet", "Tag"]  # Owner keeps its name
    assert schemas["Pet"]["properties"]["owner"] == {"$ref": "#/components/schemas/Owner"}
    assert schemas["Pet"]["properties"]["tags"]["items"] == {"$ref": "#/components/schemas/Tag"}
    assert schemas["Pet"]["properties"]["kind"] == {"$ref": "#/components/schemas/Kind"}  # back into the spec
    assert schemas["Owner"]["properties"]["pets"]["items"] == {"$ref": "#/components/schemas/Pet"}  # a cycle
    item = doc["paths"]["/pets/{petId}"]
    assert item["parameters"] == [{"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}]
    error = item["get"]["responses"]["default"]
    assert error["description"] == "the reference's own"
    assert error["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    owners = doc["paths"]["/owners"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert owners["items"] == {"$ref": "#/components/schemas/Owner"}


def test_bundling_is_deterministic_and_the_sha_covers_every_file(tmp_path: Path) -> None:
    spec = write(tmp_path, PETS)
    first = load_spec(str(spec))
    again = load_spec(str(spec))
    assert first.sha256 == again.sha256
    assert json.dumps(first.document) == json.dumps(again.document)
    owner = tmp_path / "schemas" / "owner.yaml"
    owner.write_text(owner.read_text() + "description: changed\n")
    assert load_spec(str(spec)).sha256 != first.sha256  # a referenced file is part of the spec


def test_key_order_of_the_files_does_not_change_names(tmp_path: Path) -> None:
    def spec(order: list[str]) -> str:
        def get(target: str) -> dict[str, Any]:
            content = {"application/json": {"schema": {"$ref": f"{target}.json#/Pet"}}}
            return {"get": {"responses": {"200": {"description": "ok", "content": content}}}}

        paths = {f"/{name}": get(name) for name in order}
        return json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths})

    pets = {
        "a.json": '{"Pet": {"type": "object", "properties": {"a": {"type": "string"}}}}',
        "b.json": '{"Pet": {"type": "object", "properties": {"b": {"type": "string"}}}}',
    }
    doc = load(write(tmp_path / "one", {"api.json": spec(["b", "a"]), **pets}))
    assert doc["components"]["schemas"]["Pet"]["properties"] == {"a": {"type": "string"}}  # /a sorts first
    assert doc["components"]["schemas"]["Pet2"]["properties"] == {"b": {"type": "string"}}
    assert load(write(tmp_path / "two", {"api.json": spec(["a", "b"]), **pets}))["components"] == doc["components"]


def test_a_document_without_external_refs_is_left_as_it_is(tmp_path: Path) -> None:
    text = spec_with_schema_ref("#/components/schemas/Pet") + "components: {schemas: {Pet: {type: object}}}\n"
    spec = write(tmp_path, {"api.yaml": text})
    loaded = load_spec(str(spec))
    assert loaded.sha256 == canonical_sha256(parse_document(spec.read_bytes(), "x"))  # golden shas unchanged


def test_a_json_schema_file_with_its_own_definitions(tmp_path: Path) -> None:
    files = {
        "api.yaml": spec_with_schema_ref("pet.schema.json"),
        "pet.schema.json": json.dumps(
            {
                "type": "object",
                "properties": {"tag": {"$ref": "#/definitions/Tag"}},
                "definitions": {"Tag": {"type": "object", "properties": {"label": {"type": "string"}}}},
            }
        ),
    }
    schemas = load(write(tmp_path, files))["components"]["schemas"]
    assert sorted(schemas) == ["Tag", "pet.schema"]
    assert "definitions" not in schemas["pet.schema"]
    assert schemas["pet.schema"]["properties"]["tag"] == {"$ref": "#/components/schemas/Tag"}


def test_discriminator_mapping_to_another_file(tmp_path: Path) -> None:
    files = {
        "api.yaml": spec_with_schema_ref("#/components/schemas/Animal")
        + """
        components:
          schemas:
            Animal:
              oneOf: [{$ref: 'cat.yaml'}]
              discriminator: {propertyName: kind, mapping: {cat: 'cat.yaml'}}
        """,
        "cat.yaml": "type: object\nproperties: {kind: {const: cat}}\n",
    }
    animal = load(write(tmp_path, files))["components"]["schemas"]["Animal"]
    assert animal["oneOf"] == [{"$ref": "#/components/schemas/cat"}]
    assert animal["discriminator"]["mapping"] == {"cat": "#/components/schemas/cat"}


def test_a_schema_cycle_across_two_files_ends(tmp_path: Path) -> None:
    files = {
        "api.yaml": spec_with_schema_ref("a.yaml#/Node"),
        "a.yaml": "Node: {type: object, properties: {leaf: {$ref: 'b.json#/Leaf'}}}\n",
        "b.json": '{"Leaf": {"type": "object", "properties": {"up": {"$ref": "a.yaml#/Node"}}}}',
    }
    schemas = load(write(tmp_path, files))["components"]["schemas"]
    assert schemas["Node"]["properties"]["leaf"] == {"$ref": "#/components/schemas/Leaf"}
    assert schemas["Leaf"]["properties"]["up"] == {"$ref": "#/components/schemas/Node"}


def test_a_parameter_cycle_across_two_files_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        "api.yaml": """
            openapi: 3.1.0
            info: {title: t, version: "1"}
            paths:
              /a:
                get:
                  parameters: [{$ref: 'a.yaml#/P'}]
                  responses: {"200": {description: ok}}
            """,
        "a.yaml": "P: {$ref: 'b.yaml#/Q'}\n",
        "b.yaml": "Q: {$ref: 'a.yaml#/P'}\n",
    }
    write(tmp_path, files)
    monkeypatch.chdir(tmp_path)  # files are named as the spec is: relative to where we are
    error = error_of("api.yaml")
    assert error.where == "b.yaml#/Q"
    assert error.what == "circular $ref chain: a.yaml#/P -> b.yaml#/Q -> a.yaml#/P"


def test_an_alias_cycle_across_two_files_is_an_error(tmp_path: Path) -> None:
    files = {
        "api.yaml": spec_with_schema_ref("a.yaml#/A"),
        "a.yaml": "A: {$ref: 'b.yaml#/B'}\n",
        "b.yaml": "B: {$ref: 'a.yaml#/A'}\n",
    }
    error = error_of(write(tmp_path, files))
    assert "circular $ref chain: #/components/schemas/A -> #/components/schemas/B -> #/components/schemas/A" in str(
        error
    )


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("../outside.yaml#/X", "leads outside the folder of the spec"),
        ("sub/../../outside.yaml", "leads outside the folder of the spec"),
        ("/etc/passwd", "absolute paths are not followed"),
        ("file:///etc/passwd", "file: URLs are not followed"),
        ("urn:example:pet", "unsupported scheme 'urn:'"),
        ("missing.yaml", "$ref 'missing.yaml': cannot read file"),
        ("pet.yaml#/Nope", "unresolvable $ref 'pet.yaml#/Nope': "),
        ("pet.yaml#Pet", "only JSON pointer fragments"),
        (
            "https://example.com/pet.yaml",
            "remote $ref 'https://example.com/pet.yaml' is not fetched; pass --allow-remote-refs",
        ),
    ],
)
def test_refs_that_may_not_be_followed(tmp_path: Path, ref: str, message: str) -> None:
    (tmp_path / "outside.yaml").write_text("X: {type: string}\n")
    spec = write(tmp_path / "spec", {"api.yaml": spec_with_schema_ref(ref), "pet.yaml": "Pet: {type: object}\n"})
    error = error_of(spec)
    assert error.where == f"{spec}{SCHEMA_AT}"
    assert message in error.what


def test_a_symlink_out_of_the_folder_is_not_followed(tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("Pet: {type: object}\n")
    spec = write(tmp_path / "spec", {"api.yaml": spec_with_schema_ref("pet.yaml#/Pet")})
    os.symlink(tmp_path / "secret.yaml", tmp_path / "spec" / "pet.yaml")
    assert "leads outside the folder of the spec" in error_of(spec).what


def test_a_broken_referenced_file_is_located_in_it(tmp_path: Path) -> None:
    spec = write(tmp_path, {"api.yaml": spec_with_schema_ref("schemas/pet.yaml#/Pet"), "schemas/pet.yaml": "Pet: [\n"})
    error = error_of(spec)
    assert error.where == f"{tmp_path}/schemas/pet.yaml:2:1"
    assert "invalid YAML" in error.what


def test_the_number_of_documents_is_bounded(tmp_path: Path) -> None:
    files = {"api.yaml": spec_with_schema_ref("d0.yaml")}
    for i in range(MAX_DOCUMENTS + 1):
        files[f"d{i}.yaml"] = f"type: object\nproperties: {{next: {{$ref: 'd{i + 1}.yaml'}}}}\n"
    error = error_of(write(tmp_path, files))
    assert f"more than {MAX_DOCUMENTS} documents" in error.what
    assert error.where == f"{tmp_path}/d{MAX_DOCUMENTS - 2}.yaml#/properties/next"


def test_referenced_files_count_against_the_size_limit(tmp_path: Path) -> None:
    big = "Pet: {type: object, description: '" + "x" * 600_000 + "'}\n"
    spec = write(tmp_path, {"api.yaml": spec_with_schema_ref("a.yaml#/Pet"), "a.yaml": big, "b.yaml": big})
    assert load(spec, max_bytes=1 << 20)["components"]["schemas"]["Pet"]["type"] == "object"
    (tmp_path / "a.yaml").write_text(
        "Pet: {type: object, properties: {b: {$ref: 'b.yaml#/Pet'}}, description: '" + "x" * 600_000 + "'}\n"
    )
    error = error_of(spec, max_bytes=1 << 20)
    assert error.where == f"{tmp_path}/a.yaml#/Pet/properties/b"
    assert error.what.startswith("$ref 'b.yaml#/Pet': the file of 6000")
    assert "bytes takes the spec and the documents it refers to" in error.what
    assert "over the limit of 1 MB for them together (raise it with --max-spec-size MB)" in error.what


def test_generated_from_several_files(tmp_path: Path) -> None:
    spec = write(tmp_path / "spec", PETS)
    out = tmp_path / "pets_client"
    result = CliRunner().invoke(main, [str(spec), "-o", str(out), "-q"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    shared = (out / "models" / "_shared.py").read_text()
    for name in ("class Pet(", "class Owner(", "class Tag(", "class Error("):
        assert name in shared


# ----------------------------------------------------------------------------- URLs
class Served(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, tuple[bytes, bool]] = {}  # path -> (body, send Content-Length)
        self.seen: list[tuple[str, str, str | None]] = []  # (host, path, Authorization)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.server_address[1]}{path}"


class _Handler(BaseHTTPRequestHandler):
    server: Served

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.server.seen.append((self.headers.get("Host", ""), self.path, self.headers.get("Authorization")))
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        body, length = route
        self.send_response(200)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # the client may stop reading: over the limit

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    server = Served()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(served: Served) -> Iterator[Served]:
    served.routes.clear()
    served.seen.clear()
    yield served


def serve(site: Served, path: str, text: str, length: bool = True) -> str:
    site.routes[path] = (textwrap.dedent(text).lstrip("\n").encode(), length)
    return site.url(path)


def test_remote_ref_needs_the_flag(tmp_path: Path, site: Served) -> None:
    url = serve(site, "/pet.yaml", "Pet: {type: object}\n") + "#/Pet"
    spec = write(tmp_path, {"api.yaml": spec_with_schema_ref(url)})
    error = error_of(spec)
    assert error.where == f"{spec}{SCHEMA_AT}"
    assert error.what == f"remote $ref '{url}' is not fetched; pass --allow-remote-refs to fetch it"
    assert site.seen == []  # not even asked


def test_remote_refs_with_the_flag(tmp_path: Path, site: Served) -> None:
    serve(
        site,
        "/schemas/pet.yaml",
        "Pet: {type: object, properties: {owner: {$ref: 'owner.json'}, tag: {$ref: '#/Tag'}}}\nTag: {type: string}\n",
    )
    serve(
        site,
        "/schemas/owner.json",
        '{"type": "object", "properties": {"pets": {"type": "array", "items": {"$ref": "pet.yaml#/Pet"}}}}',
    )
    spec = write(tmp_path, {"api.yaml": spec_with_schema_ref(site.url("/schemas/pet.yaml#/Pet"))})
    doc = load(spec, allow_remote_refs=True, headers={"Authorization": "Bearer s3cret"})
    schemas = doc["components"]["schemas"]
    assert sorted(schemas) == ["Pet", "Tag", "owner"]
    assert schemas["owner"]["properties"]["pets"]["items"] == {"$ref": "#/components/schemas/Pet"}
    assert sorted(path for _, path, _ in site.seen) == ["/schemas/owner.json", "/schemas/pet.yaml"]  # each once
    assert {auth for _, _, auth in site.seen} == {"Bearer s3cret"}  # a spec file's headers go along


def test_a_spec_from_a_url_refers_relative_to_it(site: Served) -> None:
    serve(site, "/v1/pet.yaml", "Pet: {type: object}\n")
    url = serve(site, "/v1/openapi.yaml", spec_with_schema_ref("pet.yaml#/Pet"))
    error = error_of(url)
    assert error.where == f"{url}{SCHEMA_AT}"
    assert f"remote $ref 'pet.yaml#/Pet' ({site.url('/v1/pet.yaml')}) is not fetched" in error.what
    doc = load(url, allow_remote_refs=True, headers={"Authorization": "Bearer s3cret"})
    assert doc["components"]["schemas"]["Pet"] == {"type": "object"}
    assert [auth for _, _, auth in site.seen[-2:]] == ["Bearer s3cret", "Bearer s3cret"]


def test_headers_stay_on_the_origin_of_a_url_spec(site: Served) -> None:
    other = serve(site, "/pet.yaml", "Pet: {type: object}\n").replace("127.0.0.1", "localhost")
    url = serve(site, "/openapi.yaml", spec_with_schema_ref(other + "#/Pet"))
    load(url, allow_remote_refs=True, headers={"Authorization": "Bearer s3cret"})
    assert [(host.split(":")[0], auth) for host, _, auth in site.seen] == [
        ("127.0.0.1", "Bearer s3cret"),
        ("localhost", None),
    ]


@pytest.mark.parametrize("ref", ["file:///etc/passwd", "/etc/passwd"])
def test_a_document_from_a_url_never_reads_local_files(site: Served, ref: str) -> None:
    url = serve(site, "/openapi.yaml", spec_with_schema_ref(ref))
    error = error_of(url, allow_remote_refs=True)
    if ref.startswith("file:"):
        assert "may only refer to http(s) URLs" in error.what
    else:  # an absolute path on the server's host, fetched from there
        assert "HTTP 404" in error.what


def test_a_missing_remote_target_is_located(tmp_path: Path, site: Served) -> None:
    spec = write(tmp_path, {"api.yaml": spec_with_schema_ref(site.url("/gone.yaml#/Pet"))})
    error = error_of(spec, allow_remote_refs=True)
    assert error.where == f"{spec}{SCHEMA_AT}"
    assert error.what == f"$ref '{site.url('/gone.yaml#/Pet')}': HTTP 404"


@pytest.mark.parametrize("length", [True, False], ids=["content-length", "streamed"])
def test_a_too_big_remote_target_is_refused(tmp_path: Path, site: Served, length: bool) -> None:
    url = serve(site, "/big.yaml", "Pet: {type: object, description: '" + "x" * (2 << 20) + "'}\n", length)
    spec = write(tmp_path, {"api.yaml": spec_with_schema_ref(url + "#/Pet")})
    error = error_of(spec, allow_remote_refs=True, max_bytes=1 << 20)
    assert error.where == f"{spec}{SCHEMA_AT}"
    assert "the response" in error.what and "over the limit of 1 MB for them together" in error.what
    if length:
        assert f"of {len(site.routes['/big.yaml'][0])} bytes" in error.what


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", ["generate", "check", "diff"])
def test_cli_flag_reaches_every_command(tmp_path: Path, site: Served, command: str) -> None:
    spec = write(tmp_path, {"api.yaml": spec_with_schema_ref(site.url("/gone.yaml#/Pet"))})
    out = tmp_path / "pets_client"
    args = {
        "generate": [str(spec), "-o", str(out)],
        "check": [str(spec), "-o", str(out), "--check"],
        "diff": ["diff", str(spec), str(spec)],
    }[command]
    without = run_cli(*args)
    assert without.exit_code == 2 and "pass --allow-remote-refs" in without.output
    fetched = run_cli(*args, "--allow-remote-refs", "--header", "Authorization: Bearer s3cret")
    assert fetched.exit_code == 2 and "HTTP 404" in fetched.output, fetched.output
    assert site.seen[-1][1:] == ("/gone.yaml", "Bearer s3cret")
    assert not out.exists()


def test_cli_max_spec_size_applies_to_referenced_files(tmp_path: Path) -> None:
    big = json.dumps({"Pet": {"type": "object", "description": "x" * (2 << 20)}})
    spec = write(tmp_path, {"api.yaml": spec_with_schema_ref("a.json#/Pet"), "a.json": big})
    result = run_cli("diff", str(spec), str(spec), "--max-spec-size", "2")
    assert result.exit_code == 2
    assert "$ref 'a.json#/Pet': the file of" in result.output and "over the limit of 2 MB" in result.output
    assert run_cli("diff", str(spec), str(spec), "--max-spec-size", "3").exit_code == 0
