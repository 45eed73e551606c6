"""Hostile documents: every string a spec carries stays an inert string or comment.

A document is data, and users generate from documents they did not write (a vendor's
server, a URL). Each payload below is placed in every text slot of one document: title,
version, server URL, tag, path, operationId, summary, description, parameter name,
default, enum value, example, schema name, property name, title, pattern, const, response
description, security scheme. Then:

- generation neither fails nor runs anything (the canary file is never written);
- every generated file compiles, and the package imports and calls its routes without
  running anything either;
- a tag 3,000 characters long still makes a file name the file system takes;
- Jinja syntax is copied, never evaluated (``{{ 6 * 7000001 }}`` never becomes 42000006);
- the values come back exactly: enum members, defaults, consts, descriptions and the path
  the client requests are the payload itself, not a mangled or executed version of it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from mastra_codegen.pipeline import generate

JINJA_PRODUCT = str(6 * 7000001)

# Were any payload run as Python (or as a Jinja template), it would create ./canary: the
# tests run with the temporary directory as the working directory, and check it stays absent.
PAYLOADS: dict[str, str] = {
    "triple_double": '"""; open("canary", "w"); """',
    "triple_single": "'''; open('canary', 'w'); '''",
    "quote_then_comment": '"; open("canary", "w") #',
    "newline_code": 'x\nopen("canary", "w")\n',
    "crlf_code": 'x\r\nopen("canary", "w")\r\n# ',
    "backslash_newline": 'x\\\nopen("canary", "w")',
    "trailing_backslash": "ends with a backslash \\",
    "trailing_quote": 'ends with a quote "',
    "escapes": "\\N{BULLET} \\x41 \\u0041 \\' \\\" \\n",
    "unicode_line_breaks": "a\u2028open('canary', 'w')\u2029b\x85c\x0bd\x0ce",
    "nul_and_controls": "a\x00b\x1bc\x7fd\te",
    "jinja_expression": "{{ 6 * 7000001 }}",
    "jinja_statement": "{% for x in range(3) %}JINJA{% endfor %}{# comment #}",
    "jinja_escape": "{{ cycler.__init__.__globals__.os.popen('touch canary') }}",
    "dunder_import": "__import__('os').system('touch canary')",
    "fstring": 'f\'{open("canary", "w")}\'',
    "comment_directives": "x  # type: ignore  # noqa: E501\n# fmt: off\n#!/bin/sh",
    "url_syntax": "a?b=c#frag;x&y=1 + 2",
    "non_ascii": "名前 café \U0001f600 \u200b",
    "lone_surrogate": "before \ud800 after",
    "very_long": "Long name " * 300,
}


def _as_text(payload: str) -> str:
    """What the payload is once loaded: lone surrogates are not text and become U+FFFD."""
    return payload.replace("\ud800", "\ufffd")


def hostile_document(payload: str) -> dict[str, Any]:
    """One small document with ``payload`` in every text slot mastra-codegen reads."""
    json_of = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payload"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": payload, "version": payload, "description": payload},
        "servers": [{"url": "http://example.test/" + payload, "description": payload}],
        "tags": [{"name": payload, "description": payload}],
        "paths": {
            "/items/{itemId}/" + payload: {
                "summary": payload,
                "parameters": [
                    {"name": "itemId", "in": "path", "required": True, "schema": {"type": "string"}},
                ],
                "post": {
                    "operationId": payload,
                    "summary": payload,
                    "description": payload,
                    "tags": [payload],
                    "parameters": [
                        {
                            "name": payload,
                            "in": "query",
                            "description": payload,
                            "schema": {"type": "string", "default": payload, "enum": [payload, "plain"]},
                            "example": payload,
                        },
                        {"name": payload, "in": "header", "description": payload, "schema": {"type": "string"}},
                        {"name": payload, "in": "cookie", "description": payload, "schema": {"type": "string"}},
                    ],
                    "requestBody": {"description": payload, "required": True, **json_of},
                    "responses": {
                        "200": {"description": payload, **json_of},
                        "default": {"description": payload},
                    },
                    "security": [{payload: []}],
                },
            },
            "/plain/{thing}": {
                "get": {
                    "operationId": "getPlain",
                    "tags": ["plain"],
                    "parameters": [{"name": "thing", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", **json_of}},
                }
            },
        },
        "components": {
            "securitySchemes": {payload: {"type": "apiKey", "in": "header", "name": "X-Key", "description": payload}},
            "schemas": {
                "Payload": {
                    "type": "object",
                    "title": payload,
                    "description": payload,
                    "required": ["kind"],
                    "properties": {
                        "kind": {"type": "string", "enum": [payload, payload + " 2", "plain"], "description": payload},
                        "text": {"type": "string", "default": payload, "description": payload, "example": payload},
                        "pattern": {"type": "string", "pattern": "^[a-z]*$", "description": payload},
                        "constant": {"type": "string", "enum": [payload], "default": payload},
                        payload: {"type": "string", "title": payload, "description": payload},
                        "nested": {"$ref": "#/components/schemas/" + _ref_safe(payload)},
                        "settings": {
                            "type": "object",
                            "additionalProperties": {"type": "string"},
                            "default": {payload: payload},
                        },
                        "labels": {"type": "array", "items": {"type": "string"}, "default": [payload]},
                        "named_kind": {"$ref": "#/components/schemas/Kind"},
                        "pet": {"$ref": "#/components/schemas/Pet"},
                    },
                },
                "Kind": {"type": "string", "enum": [payload, payload + " 2", "plain"], "description": payload},
                "Pet": {
                    "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                    "discriminator": {
                        "propertyName": payload,
                        "mapping": {payload: "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"},
                    },
                },
                "Cat": {
                    "type": "object",
                    "required": [payload],
                    "properties": {payload: {"type": "string", "enum": [payload]}, "meow": {"type": "string"}},
                },
                "Dog": {
                    "type": "object",
                    "required": [payload],
                    "properties": {payload: {"type": "string", "enum": ["dog"]}, "woof": {"type": "string"}},
                },
                payload: {
                    "type": "object",
                    "description": payload,
                    "properties": {payload: {"type": "integer", "description": payload}},
                },
            },
        },
    }


def _ref_safe(name: str) -> str:
    """``name`` as a JSON pointer token inside a URI fragment (RFC 6901: ``~0``, ``~1``, then
    percent-encoding ``%``, ``#`` and white space, so they stay part of the name)."""
    token = name.replace("~", "~0").replace("/", "~1")
    return re.sub(r"[%#\s]", lambda m: urllib.parse.quote(m.group(0), safe=""), token)


CHECK = r"""
import ast, enum, importlib, importlib.resources, inspect, json, sys, textwrap, typing, urllib.parse
import httpx
from package_checks import import_everything
payload = json.loads(sys.argv[1])
package = import_everything("hostile")
models = importlib.import_module("hostile.models")

# the values come back as themselves
Payload = models.Payload
fields = Payload.model_fields
def choices(annotation):
    # the values an enum type allows: an Enum's, a Literal's, a RootModel of either's; of an
    # open enum (Literal[...] | str), the known ones
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return {m.value for m in annotation}
    if hasattr(annotation, "model_fields") and "root" in annotation.model_fields:
        return choices(annotation.model_fields["root"].annotation)
    if typing.get_origin(annotation) is typing.Union:
        return set().union(*(choices(a) for a in typing.get_args(annotation) if a not in (str, int)))
    return set(typing.get_args(annotation))

assert choices(fields["kind"].annotation) == {payload, payload + " 2", "plain"}, fields["kind"]
assert choices(models.Kind) == {payload, payload + " 2", "plain"}, models.Kind
assert fields["text"].default == payload, fields["text"].default
assert fields["constant"].default == payload, fields["constant"].default
# descriptions are docstrings under each field: the text they hold is the payload's
body = ast.parse(textwrap.dedent(inspect.getsource(Payload))).body[0].body
docs = {a.target.id: d.value.value for a, d in zip(body, body[1:])
        if isinstance(a, ast.AnnAssign) and isinstance(d, ast.Expr) and isinstance(d.value, ast.Constant)}
assert docs["text"].split() == payload.split(), (docs["text"], payload)
sample = Payload.model_validate({"kind": payload, "text": payload, payload: payload})
dumped = sample.model_dump(mode="json", by_alias=True, exclude_unset=True)
assert dumped == {"kind": payload, "text": payload, payload: payload}, dumped

fresh = Payload(kind=payload)
assert fresh.settings == {payload: payload} and fresh.labels == [payload], (fresh.settings, fresh.labels)
cat = Payload.model_validate({"kind": "plain", "pet": {payload: payload, "meow": "m"}})
dog = Payload.model_validate({"kind": "plain", "pet": {payload: "dog", "woof": "w"}})
pets = [type(getattr(p.pet, "root", p.pet)).__name__ for p in (cat, dog)]
assert pets == ["Cat", "Dog"], pets
assert cat.model_dump(mode="json", by_alias=True, exclude_unset=True)["pet"] == {payload: payload, "meow": "m"}

# the client sends the payload as data: in the path, the query and the body
surface = json.loads((importlib.resources.files("hostile") / "_api.json").read_text())
key, operation = next((k, o) for k, o in surface["operations"].items() if k.startswith("POST "))
group, method = operation["name"].split(".")
by_wire = {(p["in"], p["wire"]): name for name, p in operation["params"].items()}
seen = []

def handler(request):
    seen.append(request)
    return httpx.Response(200, json={"kind": payload, payload: payload})

client = package.MastraClient("http://example.test", http_client=httpx.Client(transport=httpx.MockTransport(handler)))
result = getattr(getattr(client, group), method)(
    item_id="an item",
    kind=payload,
    text=payload,
    **{by_wire[("query", payload)]: payload, by_wire[("body", payload)]: payload},
)
request = seen[0]
path = urllib.parse.unquote(request.url.raw_path.decode("ascii").split("?")[0])
assert path.endswith("/items/an item/" + payload) and path.count("/items/") == 1, (path, request.url)
assert request.url.params[payload] == payload, request.url.params
assert json.loads(request.content) == {"kind": payload, "text": payload, payload: payload}, request.content
assert result.model_dump(mode="json", by_alias=True, exclude_unset=True) == {"kind": payload, payload: payload}
print("OK")
"""


@pytest.fixture(params=sorted(PAYLOADS), ids=sorted(PAYLOADS))
def hostile(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """(payload, generated package) for one payload; ./canary is never written."""
    monkeypatch.chdir(tmp_path)
    payload: str = PAYLOADS[request.param]
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(hostile_document(payload)), encoding="utf-8")
    out = tmp_path / "hostile"
    generate(str(spec), out)
    assert not (tmp_path / "canary").exists(), "generation ran code from the document"
    return payload, out


def test_generated_files_compile_and_never_evaluate_jinja(hostile: tuple[str, Path]) -> None:
    _, out = hostile
    for path in sorted(out.rglob("*.py")):
        assert len(path.name) <= 70, f"{path.name}: file names from spec text are bounded"
        source = path.read_text(encoding="utf-8")
        compile(source, str(path), "exec")
        assert JINJA_PRODUCT not in source, f"{path}: Jinja in the document was evaluated"
        assert "JINJAJINJA" not in source, f"{path}: a Jinja loop in the document ran"


def test_values_come_back_as_themselves_and_nothing_runs(hostile: tuple[str, Path]) -> None:
    payload, out = hostile
    done = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(_as_text(payload))],
        cwd=out.parent,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},  # package_checks
        capture_output=True,
        text=True,
        check=False,
    )
    assert not (out.parent / "canary").exists(), "importing or calling the package ran code from the document"
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "OK"


def test_a_lone_surrogate_is_replaced_with_a_located_warning(tmp_path: Path) -> None:
    """JSON may spell a lone surrogate (``"\\ud800"``); UTF-8 files cannot hold one. It becomes
    U+FFFD, and the warning says where the first one was."""
    document = hostile_document("plain")
    document["components"]["schemas"]["Payload"]["properties"]["text"]["description"] = "x \ud800 y"
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    result = generate(str(spec), tmp_path / "hostile")
    assert [w for w in result.warnings if "lone UTF-16 surrogate" in w] == [
        f"{spec}: #/components/schemas/Payload/properties/text/description: lone UTF-16 surrogates "
        "(\\ud800-\\udfff escapes) are not text; replaced by U+FFFD wherever they occur"
    ]
    models = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "hostile" / "models").glob("*.py"))
    assert "x \ufffd y" in models
