"""The generated package's README.md and api.md: present, true to the code, and examples that work.

api.md is checked against the package itself: every public method of the client, of every
area and of every facade class is introspected, and its line in api.md must name the same
parameters, in the same order and kind, with the same annotations and result. The README's
Python blocks must compile, and for the Mastra package each ``client.x.y`` and facade
attribute they use must exist on the class it is reached on.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from mastra_codegen.fmt import format_and_check
from mastra_codegen.ir import ProjectInfo
from mastra_codegen.package_docs import COMMON_OPTIONS
from mastra_codegen.pipeline import check, generate

ROOT = Path(__file__).resolve().parents[2]
MASTRA = ROOT / "generated" / "mastra_client"

ALL_SECTIONS = (
    "## Install or vendor",
    "## Construct and authenticate",
    "## Errors",
    "## Retries and timeouts",
    "## Logging",
    "## Upgrading",
)
MASTRA_SECTIONS = ("## Agents", "## Streams", "## Client tools", "## Workflows")


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": "ok", "content": {"application/json": {"schema": schema}}}


PET = {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}, "required": ["id"]}
FOREIGN = {
    "openapi": "3.0.3",
    "info": {"title": "Pet store", "version": "2.1"},
    "paths": {
        "/pets": {
            "get": {
                "tags": ["Pets"],
                "operationId": "listPets",
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": "integer"}},
                    {"name": "perPage", "in": "query", "schema": {"type": "integer"}},
                ],
                "responses": {
                    "200": _json({"type": "object", "properties": {"pets": {"type": "array", "items": PET}}})
                },
            },
            "post": {
                "tags": ["Pets"],
                "operationId": "createPet",
                "requestBody": {"required": True, "content": {"application/json": {"schema": PET}}},
                "responses": {"200": _json(PET)},
            },
        },
        "/pets/{petId}": {
            "get": {
                "tags": ["Pets"],
                "operationId": "getPet",
                "parameters": [{"name": "petId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json(PET)},
            }
        },
        "/v2/ping": {"get": {"responses": {"204": {"description": "up"}}}},
    },
}


# ------------------------------------------------------------------ reading api.md


def _entries(api_md: str) -> dict[tuple[str, str], str]:
    """``{(class name, method): signature}`` from api.md's method lines, by the section they are in."""
    out: dict[tuple[str, str], str] = {}
    owner = ""
    for line in api_md.splitlines():
        heading = re.match(r"^(`+) ?(\w+) ?\1, from ", line)
        if heading:
            owner = heading.group(2)
            continue
        item = re.match(r"^- (`+)(.+?)\1(?!`)", line)
        if item and owner:
            signature = item.group(2).strip()
            head = signature.split("(", 1)[0].split(" -> ", 1)[0]
            out[(owner, head.rsplit(".", 1)[1])] = signature
    return out


def _norm(annotation: str) -> str:
    text = annotation.replace("_models.", "")
    return ast.unparse(ast.parse(text, mode="eval"))


def _documented(signature: str) -> tuple[list[tuple[str, str, bool]], str]:
    """``([(name, annotation, positional)], result)`` of an api.md signature (a property has no arguments)."""
    head, _, result = signature.partition(" -> ")
    if "(" not in head:
        return [], _norm(result)
    name = head.split("(", 1)[0].rsplit(".", 1)[1]
    tree = ast.parse(f"def {name}{signature[len(head.split('(', 1)[0]) :]}: ...")
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef) and fn.returns is not None
    params = [(a.arg, ast.unparse(a.annotation), True) for a in fn.args.args if a.annotation]
    params += [(a.arg, ast.unparse(a.annotation), False) for a in fn.args.kwonlyargs if a.annotation]
    return [(n, _norm(a), p) for n, a, p in params], _norm(ast.unparse(fn.returns))


def _actual(function: Any) -> tuple[list[tuple[str, str, bool]], str]:
    """The same from the generated method, without the per-call options api.md states once."""
    signature = inspect.signature(function)
    params = []
    for p in list(signature.parameters.values())[1:]:
        if p.name in COMMON_OPTIONS:
            continue
        annotation = re.sub(r" \| NotGiven$", "", str(p.annotation))
        params.append((p.name, _norm(annotation), p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD))
    return params, _norm(str(signature.return_annotation))


# ------------------------------------------------------------------ the package's classes


def _import(folder: Path) -> ModuleType:
    parent = str(folder.parent)
    if parent not in sys.path:
        sys.path.insert(0, parent)
    return importlib.import_module(folder.name)


def _public_classes(package: ModuleType) -> list[type]:
    """The client, every area's class and every facade class (sync: the async ones mirror them)."""
    name = package.__name__
    modules = [importlib.import_module(f"{name}._client"), importlib.import_module(f"{name}._resources")]
    if (Path(package.__file__ or "").parent / "_group_facades.py").is_file():
        modules.append(importlib.import_module(f"{name}._group_facades"))
    resources = importlib.import_module(f"{name}.resources")
    modules += [importlib.import_module(f"{name}.resources.{m.name}") for m in pkgutil.iter_modules(resources.__path__)]
    classes = []
    for module in modules:
        for cls_name, cls in vars(module).items():
            if (
                isinstance(cls, type)
                and cls.__module__ == module.__name__
                and cls.__name__ == cls_name  # not an alias
                and not cls_name.startswith(("Async", "_"))
                and not cls_name.endswith(("WithRawResponse", "WithStreamingResponse"))  # views: same methods
            ):
                classes.append(cls)
    return classes


def _public_methods(cls: type) -> list[tuple[str, Any]]:
    """Methods and resource properties the class itself defines (areas are ``cached_property``)."""
    members = []
    for name, value in vars(cls).items():
        if name.startswith("_") or name in ("with_raw_response", "with_streaming_response"):
            continue
        if inspect.isfunction(value) or isinstance(value, property):
            members.append((name, value))
    return members


def assert_api_md_matches_the_package(folder: Path) -> int:
    """Each public method's line in api.md has its parameters (names, order, kind, annotations) and
    result; returns how many were compared."""
    entries = _entries((folder / "api.md").read_text(encoding="utf-8"))
    package = _import(folder)
    compared = 0
    for cls in _public_classes(package):
        for name, member in _public_methods(cls):
            key = (cls.__name__, name)
            assert key in entries, f"{cls.__name__}.{name} is not in api.md"
            documented = _documented(entries[key])
            if isinstance(member, property):
                assert documented[0] == [], entries[key]
                assert documented[1] == _norm(str(inspect.signature(member.fget).return_annotation)), entries[key]
            else:
                assert documented == _actual(member), f"{cls.__name__}.{name}: api.md says {entries[key]}"
            compared += 1
    return compared


# ------------------------------------------------------------------ reading the README


def _python_blocks(readme: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", readme, flags=re.MULTILINE | re.DOTALL)


def _instance_attributes(cls: type) -> set[str]:
    """Attributes set on instances (``self.status_code = ...`` in an exception's ``__init__``)."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__.split(".")[0] == cls.__module__.split(".")[0]:
            names |= set(re.findall(r"self\.(\w+)\s*[:=]", inspect.getsource(klass)))
            names |= set(vars(klass).get("__annotations__", {}))
    return names


class _Resolver:
    """Follows the README's names through the package's annotations: ``client`` is a
    ``MastraClient``, ``agent = client.get_agent(...)`` an ``Agent``, and so on; every attribute
    used on an object whose class is known must exist on that class."""

    def __init__(self, package: ModuleType) -> None:
        name = package.__name__
        self.namespace: dict[str, Any] = {}
        for module in ("_runtime._streams", "_runtime._stream_views", "_resources", "_group_facades", "_client"):
            if importlib.util.find_spec(f"{name}.{module}") is not None:
                self.namespace.update(vars(importlib.import_module(f"{name}.{module}")))
        for cls in _public_classes(package):
            self.namespace[cls.__name__] = cls
        self.models = importlib.import_module(f"{name}.models")
        self.package = package
        self.missing: list[str] = []
        self.checked = 0

    def annotation(self, text: Any) -> type | None:
        text = str(text)
        if text.startswith("_models."):
            return getattr(self.models, re.split(r"[\[ |]", text[8:])[0], None)
        found = self.namespace.get(re.split(r"[\[ |]", text)[0])
        return found if isinstance(found, type) else None

    def attribute(self, cls: type, attr: str) -> type | None:
        self.checked += 1
        fields = getattr(cls, "model_fields", {})
        if attr in fields:
            return self.annotation(fields[attr].annotation) if isinstance(fields[attr].annotation, str) else None
        if not hasattr(cls, attr):
            if attr not in _instance_attributes(cls):
                self.missing.append(f"{cls.__name__}.{attr}")
            return None
        member = inspect.getattr_static(cls, attr)
        getter = getattr(member, "fget", None) or getattr(member, "func", None)
        if getter is not None:
            return self.annotation(inspect.signature(getter).return_annotation)
        return None

    def resolve(self, node: ast.expr, env: dict[str, type | None]) -> type | None:
        if isinstance(node, ast.Name):
            found = env.get(node.id) or getattr(self.package, node.id, None)
            return found if isinstance(found, type) else None
        if isinstance(node, ast.Attribute):
            owner = self.resolve(node.value, env)
            return self.attribute(owner, node.attr) if owner is not None else None
        if isinstance(node, ast.Call):
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                self.resolve(arg, env)
            if isinstance(node.func, ast.Attribute):
                owner = self.resolve(node.func.value, env)
                if owner is None:
                    return None
                self.attribute(owner, node.func.attr)
                method = getattr(owner, node.func.attr, None)
                if callable(method) and not isinstance(method, type):
                    signature = inspect.signature(method)
                    for keyword in node.keywords:
                        if keyword.arg is not None and keyword.arg not in signature.parameters:
                            self.missing.append(f"{owner.__name__}.{node.func.attr}({keyword.arg}=)")
                    return self.annotation(signature.return_annotation)
                return None
            return self.resolve(node.func, env)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.resolve(child, env)
        return None

    def run(self, code: str) -> None:
        self.block(ast.parse(code).body, {"client": self.namespace["MastraClient"]})

    def block(self, statements: list[ast.stmt], env: dict[str, type | None]) -> None:
        """The statements in order, so each name has the class of its latest assignment."""
        for node in statements:
            if isinstance(node, ast.Assign):
                found = self.resolve(node.value, env)
                env.update({t.id: found for t in node.targets if isinstance(t, ast.Name)})
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    found = self.resolve(item.context_expr, env)
                    if isinstance(item.optional_vars, ast.Name):
                        env[item.optional_vars.id] = found
                self.block(node.body, env)
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                self.resolve(node.iter, env)
                if isinstance(node.target, ast.Name):
                    env[node.target.id] = None
                self.block(node.body, env)
            elif isinstance(node, ast.Try):
                self.block(node.body, env)
                for handler in node.handlers:
                    if handler.name and handler.type is not None:
                        env[handler.name] = self.resolve(handler.type, env)
                    self.block(handler.body, env)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.block(node.body, env)
            elif not isinstance(node, ast.ClassDef):
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.expr):
                        self.resolve(child, env)


def check_readme_examples(folder: Path) -> _Resolver:
    """The README's Python blocks compile, and every attribute they use on a known class exists."""
    resolver = _Resolver(_import(folder))
    for block in _python_blocks((folder / "README.md").read_text(encoding="utf-8")):
        compile(block, "README.md", "exec")
        resolver.run(block)
    assert not resolver.missing, resolver.missing
    return resolver


# ------------------------------------------------------------------ the Mastra package


def test_the_mastra_package_has_a_readme_with_every_section_and_an_api_md() -> None:
    readme = (MASTRA / "README.md").read_text(encoding="utf-8")
    for heading in ALL_SECTIONS + MASTRA_SECTIONS:
        assert f"\n{heading}\n" in readme, heading
    assert "MASTRA_LOG=debug" in readme and "`mastra_client`" in readme
    assert "$MASTRA_API_KEY" in readme and "Authorization: Bearer" in readme and "$MASTRA_BASE_URL" in readme
    api = (MASTRA / "api.md").read_text(encoding="utf-8")
    for expected in ("## Facades", "### Agent", "### WorkflowRun", "## Operations by area", "### Agents"):
        assert f"\n{expected}\n" in api, expected


def test_api_md_names_every_method_of_the_mastra_package_with_its_parameters_and_result() -> None:
    assert assert_api_md_matches_the_package(MASTRA) > 900


def test_the_mastra_readme_examples_compile_and_use_what_the_package_has() -> None:
    readme = (MASTRA / "README.md").read_text(encoding="utf-8")
    assert len(_python_blocks(readme)) >= 8
    resolver = check_readme_examples(MASTRA)
    for call in ("client.get_agent(", "agent.generate(", "agent.stream(", "client.get_workflow(", ".create_run()"):
        assert call in readme, call
    assert resolver.checked > 20  # the walk did follow the facades


def test_a_readme_attribute_the_package_lacks_is_caught() -> None:
    """The resolver is no rubber stamp: a made-up facade method or keyword is reported."""
    resolver = _Resolver(_import(MASTRA))
    resolver.run('agent = client.get_agent("a")\nagent.generate_poem("x")\nclient.agents.nothing_here()\n')
    resolver.run('client.get_workflow("w").create_run().start(input_dta={})\n')
    assert resolver.missing == ["Agent.generate_poem", "AgentsResource.nothing_here", "WorkflowRun.start(input_dta=)"]


# ------------------------------------------------------------------ a document that is not Mastra's


@pytest.fixture(scope="module")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docs")
    spec = root / "petstore.json"
    spec.write_text(json.dumps(FOREIGN), encoding="utf-8")
    out = root / "petstore_docs_client"
    generate(str(spec), out, project=ProjectInfo("petstore-client", "1.2.3"))
    return out


def test_a_foreign_package_documents_its_own_operations_only(foreign: Path) -> None:
    readme = (foreign / "README.md").read_text(encoding="utf-8")
    for heading in ALL_SECTIONS:
        assert f"\n{heading}\n" in readme, heading
    for heading in MASTRA_SECTIONS:
        assert heading not in readme, heading
    assert "get_agent" not in readme and "client_tool" not in readme
    assert "Pet store" in readme and "pip install ./petstore_docs_client" in readme
    assert "result = client.pets.list_pets()" in readme  # the first GET of the first area
    assert check_readme_examples(foreign).checked > 5
    api = (foreign / "api.md").read_text(encoding="utf-8")
    assert "## Facades" not in api
    assert "- `client.pets.get_pet(pet_id: str) -> Pet` `GET /pets/{petId}`" in api
    assert "client.ping.get_ping" in api


def test_api_md_names_every_method_of_a_foreign_package(foreign: Path) -> None:
    assert assert_api_md_matches_the_package(foreign) >= 5  # list_pets, iter_pets, create_pet, get_pet, get_ping


def test_the_project_readme_is_the_distribution_readme(foreign: Path) -> None:
    pyproject = (foreign / "pyproject.toml").read_text(encoding="utf-8")
    assert '\nreadme = "README.md"\n' in pyproject


def test_check_covers_the_markdown_files(foreign: Path, tmp_path: Path) -> None:
    spec = str(foreign.parent / "petstore.json")
    project = ProjectInfo("petstore-client", "1.2.3")
    assert check(spec, foreign, project=project).up_to_date
    readme = foreign / "README.md"
    original = readme.read_text(encoding="utf-8")
    try:
        readme.write_text(original + "edited\n", encoding="utf-8")
        assert check(spec, foreign, project=project).changed == ("README.md",)
    finally:
        readme.write_text(original, encoding="utf-8")


def test_ruff_leaves_markdown_alone(tmp_path: Path) -> None:
    """ruff >= 0.15 formats Python blocks inside .md files; the README is written as it should read."""
    (tmp_path / "x.py").write_text("x = 1\n", encoding="utf-8")
    text = "# t\n\n```python\nx=1\n```\n"
    (tmp_path / "README.md").write_text(text, encoding="utf-8")
    format_and_check(tmp_path)
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == text


@pytest.mark.parametrize("line_length", ["88", "100", "120"])
def test_the_markdown_needs_no_reformatting_by_a_vendoring_project(line_length: str, foreign: Path) -> None:
    """A repository that vendors the package and runs ``ruff format --check`` (which formats Python
    blocks in markdown) over everything finds nothing to change in README.md or api.md."""
    from mastra_codegen.fmt import ruff_bin

    files = [str(MASTRA / "README.md"), str(MASTRA / "api.md"), str(foreign / "README.md"), str(foreign / "api.md")]
    command = [ruff_bin(), "format", "--check", "--isolated", "--no-cache", "--line-length", line_length, *files]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_spec_text_reaches_the_markdown_as_text(tmp_path: Path) -> None:
    """A title or tag with markup or HTML is shown as written, never rendered: no live tag, link
    or code span from the document."""
    document = json.loads(json.dumps(FOREIGN))
    document["info"] = {"title": "<script>x</script> [a](javascript:y) *b*", "version": "1`\n2"}
    document["paths"]["/pets"]["get"]["tags"] = ["Pets</a> `x`"]
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    out = tmp_path / "hostile_docs_client"
    generate(str(spec), out)
    readme, api = (out / "README.md").read_text(encoding="utf-8"), (out / "api.md").read_text(encoding="utf-8")
    assert "<script>" not in readme and "</a>" not in api and "[a](javascript" not in readme
    assert r"**\<script\>x\</script\> \[a\](javascript:y) \*b\*** 1\` 2," in readme
