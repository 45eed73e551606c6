"""Open enums: a response keeps an enum value the client does not know; requests stay strict.

One small document, generated once, has an enum in every place that matters: in a model only
responses use (a plain field, in a list, in a map, nullable, of integers, and an enum component),
in a model only requests use, in a model both use, as the tag of a discriminated union and of a
plain union, and as an operation's whole result and as a query parameter. The package is imported
and driven through ``httpx.MockTransport`` like a real client; ``mypy --strict`` checks what type
checkers see.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
import textwrap
import typing
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import (
    Any,
    Literal,  # noqa: F401 (the annotations evaluated below name it)
)

import httpx
import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mastra_codegen.annotations import Annotator
from mastra_codegen.open_enums import open_response_enums
from mastra_codegen.pipeline import generate
from mastra_codegen.render_models import run_datamodel_codegen
from mastra_codegen.templates.runtime._response import validate_as
from package_checks import import_everything

PACKAGE = "open_enums_client"
BASE_URL = "http://enums.test"

STATES = ["queued", "running", "done"]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _engine(fuels: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["fuel"],
        "properties": {"fuel": {"type": "string", "enum": fuels}, "noise": {"type": "string", "enum": ["low", "high"]}},
    }


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "enums", "version": "1"},
    "paths": {
        "/jobs": {
            "get": {
                "tags": ["jobs"],
                "operationId": "listJobs",
                "parameters": [
                    {"name": "state", "in": "query", "schema": {"type": "string", "enum": ["queued", "running"]}}
                ],
                "responses": {"200": {"description": "ok", **_json({"type": "array", "items": _ref("Job")})}},
            }
        },
        "/jobs/{id}": {
            "get": {
                "tags": ["jobs"],
                "operationId": "getJob",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", **_json(_ref("Job"))}},
            }
        },
        "/orders": {
            "post": {
                "tags": ["orders"],
                "operationId": "createOrder",
                "requestBody": {"required": True, **_json(_ref("Order"))},
                "responses": {"204": {"description": "done"}},
            }
        },
        "/pets/{id}": {
            "put": {
                "tags": ["pets"],
                "operationId": "replacePet",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {"required": True, **_json(_ref("Pet"))},
                "responses": {"200": {"description": "ok", **_json(_ref("Pet"))}},
            }
        },
        "/shapes": {
            "get": {
                "tags": ["shapes"],
                "operationId": "listShapes",
                "responses": {"200": {"description": "ok", **_json({"type": "array", "items": _ref("Shape")})}},
            }
        },
        "/vehicles": {
            "get": {
                "tags": ["vehicles"],
                "operationId": "listVehicles",
                "responses": {"200": {"description": "ok", **_json({"type": "array", "items": _ref("Vehicle")})}},
            }
        },
        "/animals": {
            "get": {
                "tags": ["animals"],
                "operationId": "listAnimals",
                "responses": {"200": {"description": "ok", **_json({"type": "array", "items": _ref("Animal")})}},
            }
        },
    },
    "components": {
        "schemas": {
            "Color": {"type": "string", "enum": ["red", "green"]},
            "Job": {
                "type": "object",
                "required": ["id", "state"],
                "properties": {
                    "id": {"type": "string"},
                    "state": {"type": "string", "enum": STATES},
                    "tags": {"type": "array", "items": {"type": "string", "enum": ["urgent", "later"]}},
                    "weights": {"type": "object", "additionalProperties": {"type": "string", "enum": ["low", "high"]}},
                    "phase": {"type": ["string", "null"], "enum": ["warm", "cold", None]},
                    "priority": {"type": "integer", "enum": [1, 2, 3]},
                    "color": _ref("Color"),
                    "version": {"const": "v1"},
                },
            },
            "Order": {
                "type": "object",
                "required": ["mode"],
                "properties": {"mode": {"type": "string", "enum": ["fast", "slow"]}},
            },
            "Pet": {
                "type": "object",
                "required": ["name", "status"],
                "properties": {
                    "name": {"type": "string"},
                    "status": {"type": "string", "enum": ["available", "sold"]},
                },
            },
            "Shape": {
                "oneOf": [_ref("Circle"), _ref("Square")],
                "discriminator": {"propertyName": "shape"},
            },
            "Circle": {
                "type": "object",
                "required": ["shape"],
                "properties": {
                    "shape": {"type": "string", "enum": ["circle", "round"]},
                    "fill": {"type": "string", "enum": ["solid", "hatched"]},
                },
            },
            "Square": {
                "type": "object",
                "required": ["shape"],
                "properties": {"shape": {"const": "square"}, "side": {"type": "number"}},
            },
            "Vehicle": {"anyOf": [_ref("Car"), _ref("Boat")]},  # told apart one level down
            "Car": {
                "type": "object",
                "required": ["engine"],
                "properties": {"engine": _engine(["petrol", "diesel"]), "wheels": {"type": "integer"}},
            },
            "Boat": {"type": "object", "required": ["engine"], "properties": {"engine": _engine(["wind", "oar"])}},
            "Animal": {"anyOf": [_ref("Cat"), _ref("Dog")]},
            "Cat": {
                "type": "object",
                "required": ["kind", "name"],
                "properties": {
                    "kind": {"type": "string", "enum": ["cat", "kitten"]},
                    "name": {"type": "string"},
                    "mood": {"type": "string", "enum": ["calm", "grumpy"]},
                },
            },
            "Dog": {
                "type": "object",
                "required": ["kind", "name"],
                "properties": {
                    "kind": {"type": "string", "enum": ["dog", "puppy"]},
                    "name": {"type": "string"},
                    "mood": {"type": "string", "enum": ["calm", "grumpy"]},
                },
            },
        }
    },
}


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("open_enums")
    spec = root / "enums.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    generate(str(spec), root / PACKAGE)
    sys.path.insert(0, str(root))
    try:
        yield root
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def pkg(out_dir: Path) -> ModuleType:
    return import_everything(PACKAGE)


def models_source(out_dir: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((out_dir / PACKAGE / "models").glob("*.py")))


class Server:
    """A client on a ``MockTransport`` that answers with the queued bodies and records requests."""

    def __init__(self, pkg: ModuleType) -> None:
        self.requests: list[httpx.Request] = []
        self.replies: list[Any] = []
        http = httpx.Client(transport=httpx.MockTransport(self._handle))
        self.client = pkg.MastraClient(BASE_URL, http_client=http, max_retries=0)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=self.replies.pop(0)) if self.replies else httpx.Response(204)


def read(model: Any, data: Any) -> Any:
    """``data`` read as a response is (wire names only), checked to dump back unchanged."""
    instance = model.model_validate(data, by_alias=True, by_name=False)
    assert instance.model_dump(mode="json", by_alias=True, exclude_unset=True) == data
    return instance


# --------------------------------------------------------------------------- responses


def test_a_response_keeps_values_the_client_does_not_know(pkg: ModuleType) -> None:
    m = pkg.models
    job = {
        "id": "j1",
        "state": "archived",
        "tags": ["urgent", "someday"],
        "weights": {"a": "low", "b": "extreme"},
        "phase": "lukewarm",
        "priority": 9,
        "color": "blue",
        "version": "v1",
    }
    parsed = read(m.Job, job)
    assert (parsed.state, parsed.tags, parsed.weights, parsed.phase, parsed.priority) == (
        "archived",
        ["urgent", "someday"],
        {"a": "low", "b": "extreme"},
        "lukewarm",
        9,
    )
    assert parsed.color.root == "blue"  # an enum component, a RootModel
    assert read(m.Job, {"id": "j2", "state": "queued", "phase": None}).phase is None  # nullable still
    # Through the generated client: the answer is validated as the operation does it.
    server = Server(pkg)
    server.replies += [job, [job]]
    assert server.client.jobs.get_job("j1").state == "archived"
    assert [j.weights for j in server.client.jobs.list_jobs()] == [{"a": "low", "b": "extreme"}]


def test_a_result_that_is_an_enum_is_open_and_a_parameter_closed() -> None:
    """What operations are annotated with: results (``validate_as`` of the annotation) open, what
    callers pass closed."""
    annotator = Annotator(prefix="")
    result = annotator.output({"type": "array", "items": {"type": "string", "enum": STATES}})
    assert result == 'list[Literal["queued", "running", "done"] | str]'
    assert validate_as(eval(result), ["queued", "paused"]) == ["queued", "paused"]
    assert annotator.output({"enum": [1, 2, None]}) == "Literal[1, 2] | int | None"
    assert annotator.output({"anyOf": [{"const": "a"}, {"const": "b"}]}) == 'Literal["a"] | Literal["b"] | str'
    assert annotator.output({"const": "a"}) == 'Literal["a"]'  # a tag
    assert annotator.output({"enum": [True, False]}) == "Literal[True, False]"  # nothing to add
    assert annotator.input({"type": "string", "enum": STATES}) == 'Literal["queued", "running", "done"]'


def test_an_inline_enum_result_generates_and_reads_an_unknown_value(tmp_path: Path) -> None:
    """The result annotation (with its quotes) sits in a cast() string: it wrote invalid Python."""
    ok = {"description": "ok", **_json({"type": "array", "items": {"type": "string", "enum": ["red", "blue"]}})}
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/colors": {"get": {"tags": ["Colors"], "responses": {"200": ok}}}},
    }
    spec = tmp_path / "colors.json"
    spec.write_text(json.dumps(doc), encoding="utf-8")
    generate(str(spec), tmp_path / "colors_client", [], {})
    sys.path.insert(0, str(tmp_path))
    try:
        package = import_everything("colors_client")
        answer = httpx.MockTransport(lambda request: httpx.Response(200, json=["red", "green"]))
        with package.MastraClient(BASE_URL, http_client=httpx.Client(transport=answer)) as client:
            assert client.colors.list_colors() == ["red", "green"]
    finally:
        sys.path.remove(str(tmp_path))


def test_known_values_and_wrong_kinds_read_as_before(pkg: ModuleType) -> None:
    m = pkg.models
    for state in STATES:
        parsed = read(m.Job, {"id": "j", "state": state, "priority": 2})
        assert parsed.state == state and type(parsed.state) is str and parsed.priority == 2
    for bad in [{"state": 3}, {"state": None}, {"state": ["queued"]}, {"priority": "2"}, {"priority": 2.5}]:
        with pytest.raises(pydantic.ValidationError) as caught:
            m.Job.model_validate({"id": "j", "state": "queued", **bad})
        assert caught.value.errors()[0]["type"] == "literal_error"  # as a closed Literal says it
    with pytest.raises(pydantic.ValidationError):
        m.Job.model_validate({"id": "j", "state": "queued", "version": "v2"})  # a const stays closed
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no serializer warning for a value outside the Literal
        assert m.Job.model_validate({"id": "j", "state": "new"}).model_dump_json(exclude_unset=True) == (
            '{"id":"j","state":"new"}'
        )


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.sampled_from([*STATES, "available", "sold"]), st.text(max_size=12)))
def test_any_string_is_read_as_itself_and_sent_only_when_known(pkg: ModuleType, value: str) -> None:
    m = pkg.models
    assert m.Job.model_validate({"id": "j", "state": value}, by_alias=True, by_name=False).state == value
    assert m.Pet.model_validate({"name": "p", "status": value}).status == value
    request = pkg._runtime._open_enum.REQUEST_CONTEXT
    if value in ("available", "sold"):
        assert m.Pet.model_validate({"name": "p", "status": value}, context=request).status == value
    else:
        with pytest.raises(pydantic.ValidationError):
            m.Pet.model_validate({"name": "p", "status": value}, context=request)


# --------------------------------------------------------------------------- requests


def test_requests_stay_strict_where_responses_open(pkg: ModuleType, out_dir: Path) -> None:
    m = pkg.models
    source = models_source(out_dir)
    assert 'mode: Literal["fast", "slow"]' in source  # only requests use Order: closed
    assert 'state: Annotated[Literal["queued", "running", "done"] | str, OpenEnum]' in source
    with pytest.raises(pydantic.ValidationError):
        m.Order.model_validate({"mode": "warp"})
    server = Server(pkg)
    with pytest.raises(pydantic.ValidationError):
        server.client.orders.create_order(mode="warp")
    assert server.requests == []  # refused before anything was sent
    server.client.orders.create_order(mode="fast")
    assert json.loads(server.requests[-1].content) == {"mode": "fast"}
    # Query parameters keep their closed Literal in the signature; the result type is open.
    signature = inspect.signature(type(server.client.jobs).list_jobs)
    assert str(signature.parameters["state"].annotation).replace("'", '"') == 'Literal["queued", "running"] | NotGiven'


def test_a_model_both_directions_use_is_open_in_responses_and_strict_in_requests(pkg: ModuleType) -> None:
    m = pkg.models
    assert read(m.Pet, {"name": "Rex", "status": "pending"}).status == "pending"
    server = Server(pkg)
    with pytest.raises(pydantic.ValidationError) as caught:
        server.client.pets.put_pet("1", name="Rex", status="pending")
    assert server.requests == []
    # The error a closed Literal gives, unchanged for callers.
    assert [(e["type"], e["loc"], e["msg"]) for e in caught.value.errors()] == [
        ("literal_error", ("status",), "Input should be 'available' or 'sold'")
    ]
    server.replies.append({"name": "Rex", "status": "pending"})  # the server knows more values
    assert server.client.pets.put_pet("1", name="Rex", status="sold").status == "pending"
    assert json.loads(server.requests[-1].content) == {"name": "Rex", "status": "sold"}


# --------------------------------------------------------------------------- unions


def test_a_discriminator_stays_closed_and_the_members_other_enums_open(pkg: ModuleType, out_dir: Path) -> None:
    m = pkg.models
    source = models_source(out_dir)
    assert 'shape: Literal["circle", "round"]\n' in source  # pydantic needs a Literal tag
    assert 'fill: Annotated[Literal["solid", "hatched"] | str, OpenEnum] | None = None' in source
    shapes = pydantic.TypeAdapter(list[m.Shape]).validate_python(
        [{"shape": "round", "fill": "dotted"}, {"shape": "square", "side": 2}]
    )
    assert [type(s.root).__name__ for s in shapes] == ["Circle", "Square"]
    assert shapes[0].root.fill == "dotted"
    with pytest.raises(pydantic.ValidationError):
        m.Shape.model_validate({"shape": "hexagon"})


def test_a_plain_union_still_picks_the_member_its_tag_names(pkg: ModuleType) -> None:
    """Open, ``kind`` would let ``Cat`` (the first member) take every dog: smart mode does not
    prefer a member whose nested enum matched exactly. Tags that tell members apart stay closed."""
    m = pkg.models
    server = Server(pkg)
    server.replies.append(
        [
            {"kind": "dog", "name": "Rex", "mood": "sleepy"},
            {"kind": "puppy", "name": "Bit"},
            {"kind": "kitten", "name": "Tom", "mood": "hungry"},
        ]
    )
    animals = server.client.animals.list_animals()
    assert [type(a.root).__name__ for a in animals] == ["Dog", "Dog", "Cat"]
    assert [a.root.mood for a in animals] == ["sleepy", None, "hungry"]  # moods are open: not a tag
    with pytest.raises(pydantic.ValidationError):
        m.Animal.model_validate({"kind": "tiger", "name": "Sher"})  # an unknown tag: no member fits
    # A tag one level down: the engine's fuel tells a boat from a car; the noise is open.
    server.replies.append([{"engine": {"fuel": "oar", "noise": "none"}}, {"engine": {"fuel": "diesel"}}])
    vehicles = server.client.vehicles.list_vehicles()
    assert [type(v.root).__name__ for v in vehicles] == ["Boat", "Car"]
    assert vehicles[0].root.engine.noise == "none"


def test_chunk_tags_stay_closed() -> None:
    """A stream chunk's tag is routed by the client, but stays a ``Literal`` like every tag."""
    schemas = {
        "PingChunk": {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"type": "string", "enum": ["ping", "pong"]},
                "level": {"type": "string", "enum": ["low", "high"]},
            },
        }
    }
    opened = open_response_enums(run_datamodel_codegen(schemas), {}, {"PingChunk": "type"}).text
    assert "type: Literal['ping', 'pong']" in opened
    assert "level: Annotated[Literal['low', 'high'] | str, OpenEnum]" in opened
    assert (
        "level: Annotated" not in open_response_enums(run_datamodel_codegen(schemas), {"PingChunk": ["request"]}).text
    )


# --------------------------------------------------------------------------- the generated code


def test_type_checkers_see_the_known_values_and_str(pkg: ModuleType, out_dir: Path) -> None:
    hints = typing.get_type_hints(pkg.models.Job, include_extras=True)
    state = typing.get_args(hints["state"])
    assert state[0] == typing.Literal["queued", "running", "done"] | str and repr(state[1]) == "OpenEnum"
    snippet = out_dir / "uses_open_enums.py"
    snippet.write_text(
        textwrap.dedent(
            f"""\
            from typing import Literal

            from {PACKAGE}.models import Job, Pet


            def use(job: Job, pet: Pet) -> None:
                known: Literal["queued", "running", "done"] | str = job.state
                status: Literal["available", "sold"] | str = pet.status
                wrong: int = job.state
                narrow: Literal["queued", "running", "done"] = job.state
                print(known, status, wrong, narrow)
            """
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", PACKAGE, snippet.name],
        cwd=out_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert [line.split(":")[:2] for line in errors] == [
        [snippet.name, "9"],  # a str is no int
        [snippet.name, "10"],  # nor only the known values: a newer server may send another
    ], done.stdout[-3000:]
