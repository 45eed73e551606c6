"""A client older or newer than its server: answers that do not fit, routes that do not exist, bytes.

A small document (``SPEC`` below, with stream overrides in ``OVERRIDES``) is generated once for
the module into ``forward_compat_pkg``; the checked-in ``mastra_client`` covers the Mastra
routes (facades, agent and workflow streams, voice). Every case runs sync and async against
``httpx.MockTransport``:

* lenient (default): a new enum value in a nested model, a new discriminator tag, a new field, a
  missing required field, a value of another type, one bad item in a list: the result keeps
  what validated and the wire value of the rest, ``validation_errors()`` says why, and one
  warning per model is logged;
* strict (client, ``with_options`` or per call, each overriding the other both ways):
  ``APIResponseValidationError`` with ``response``, ``body``, ``errors`` and the pydantic error as
  its cause; a body that is not JSON (HTML, empty) raises it in both modes;
* a route the server does not have (hono's text ``404 Not Found``) against a resource it does
  not have (JSON ``{"error": ...}``);
* binary answers are the exact bytes, and ``with_streaming_response`` streams the same bytes;
* every stream framing degrades a chunk it cannot type to the fallback chunk.
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import httpx
import pydantic
import pytest
from mastra_codegen.pipeline import generate
from package_checks import import_everything

PKG = "forward_compat_pkg"
BASE_URL = "http://forward.test"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _ok(schema: Any, media: str = "application/json") -> dict[str, Any]:
    return {"200": {"description": "ok", "content": {media: {"schema": schema}}}}


def _path_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Forward", "version": "1"},
    "paths": {
        "/widgets": {"get": {"tags": ["Widgets"], "responses": _ok({"type": "array", "items": _ref("Widget")})}},
        "/widgets/{widgetId}": {
            "get": {"tags": ["Widgets"], "parameters": [_path_param("widgetId")], "responses": _ok(_ref("Widget"))}
        },
        "/widgets/{widgetId}/speak": {
            "post": {
                "tags": ["Widgets"],
                "parameters": [_path_param("widgetId")],
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["text"],
                                "properties": {"text": {"type": "string"}},
                            }
                        }
                    }
                },
                "responses": _ok({"type": "string", "format": "binary"}, "audio/mpeg"),
            }
        },
        "/widgets/{widgetId}/export": {
            "get": {
                "tags": ["Widgets"],
                "parameters": [_path_param("widgetId")],
                "responses": {"200": {"description": "a file", "content": {"application/octet-stream": {}}}},
            }
        },
        "/widgets/{widgetId}/anything": {
            "get": {"tags": ["Widgets"], "parameters": [_path_param("widgetId")], "responses": _ok({})}
        },
        "/widgets/{widgetId}/notes": {
            "get": {
                "tags": ["Widgets"],
                "parameters": [_path_param("widgetId")],
                "responses": _ok({"type": "string"}, "text/plain"),
            }
        },
        "/shapes/{shapeId}": {
            "get": {"tags": ["Shapes"], "parameters": [_path_param("shapeId")], "responses": _ok(_ref("Shape"))}
        },
        "/events/sse": {"post": {"tags": ["Events"], "responses": {"200": {"description": "SSE"}}}},
        "/events/records": {"post": {"tags": ["Events"], "responses": {"200": {"description": "records"}}}},
        "/events/ndjson": {"get": {"tags": ["Events"], "responses": {"200": {"description": "ndjson"}}}},
        "/events/plain": {"get": {"tags": ["Events"], "responses": {"200": {"description": "SSE, untyped"}}}},
    },
    "components": {
        "schemas": {
            "Widget": {
                "type": "object",
                "required": ["id", "kind", "owner"],
                "properties": {
                    "id": {"type": "string"},
                    "kind": {"type": "string", "enum": ["small", "large"]},
                    "size": {"type": "integer"},
                    "owner": _ref("Owner"),
                    "parts": {"type": "array", "items": _ref("Part")},
                    "shape": _ref("Shape"),
                },
            },
            "Owner": {
                "type": "object",
                "required": ["name", "role"],
                "properties": {"name": {"type": "string"}, "role": {"type": "string", "enum": ["admin", "user"]}},
            },
            "Part": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}, "weight": {"type": "number"}},
            },
            "Shape": {
                "oneOf": [_ref("Circle"), _ref("Square")],
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {"circle": "#/components/schemas/Circle", "square": "#/components/schemas/Square"},
                },
            },
            "Circle": {
                "type": "object",
                "required": ["kind", "radius"],
                "properties": {"kind": {"type": "string", "enum": ["circle"]}, "radius": {"type": "number"}},
            },
            "Square": {
                "type": "object",
                "required": ["kind", "side"],
                "properties": {"kind": {"type": "string", "enum": ["square"]}, "side": {"type": "number"}},
            },
        }
    },
}

OVERRIDES = """
chunks:
  TickerChunk:
    envelope: {runId: {type: string}}
    types:
      tick: {payload: {type: object, required: [n], properties: {n: {type: integer}}}}
      stop: {fields: {total: {type: integer}}}
operations:
  POST /events/sse: {stream: {framing: sse, chunks: TickerChunk, done: "[DONE]"}}
  POST /events/records: {stream: {framing: records, chunks: TickerChunk, finish: [stop]}}
  GET /events/ndjson: {stream: {framing: ndjson, chunks: TickerChunk}}
  GET /events/plain: {stream: {framing: sse, done: null}}
"""

OWNER = {"name": "Ada", "role": "admin"}
WIDGET = {"id": "w1", "kind": "small", "size": 3, "owner": OWNER, "parts": [{"name": "bolt", "weight": 1.5}]}
NON_UTF8 = b"ID3\x04\x00\xff\xfe\x80\x81 not text \xc3\x28\x00"


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("forward")
    (root / "spec.json").write_text(json.dumps(SPEC))
    (root / "overrides.yaml").write_text(OVERRIDES)
    generate(str(root / "spec.json"), root / PKG, [root / "overrides.yaml"])
    sys.path.insert(0, str(root))
    try:
        yield import_everything(PKG)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.split(".")[0] == PKG]:
            del sys.modules[name]


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def fresh_warnings() -> None:
    """Each test sees the once-per-model warnings as a fresh process would."""
    for name in (PKG, "mastra_client"):
        warned = getattr(sys.modules.get(f"{name}._runtime._response"), "_warned", None)
        if warned is not None:
            warned.clear()


Reply = httpx.Response | Callable[[httpx.Request], httpx.Response]


class Harness:
    """A client of ``package``, sync or async, answering each request with the next reply."""

    def __init__(self, package: ModuleType, mode: str, *replies: Reply, **options: Any) -> None:
        self.package = package
        self.mode = mode
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []
        transport = httpx.MockTransport(self._handle)
        if mode == "sync":
            self.client = package.MastraClient(
                BASE_URL, http_client=httpx.Client(transport=transport), max_retries=0, **options
            )
        else:
            self.client = package.AsyncMastraClient(
                BASE_URL, http_client=httpx.AsyncClient(transport=transport), max_retries=0, **options
            )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert self.replies, f"unexpected request {request.method} {request.url}"
        reply = self.replies.pop(0)
        return reply(request) if callable(reply) else reply

    async def call(self, method: Callable[[Any], Any]) -> Any:
        result = method(self.client)
        return await result if inspect.isawaitable(result) else result

    async def read(self, make_stream: Callable[[Any], Any]) -> list[Any]:
        """Every chunk of a stream, read to its end."""
        stream = make_stream(self.client)
        if self.mode == "sync":
            with stream:
                return list(stream)
        async with stream:
            return [chunk async for chunk in stream]

    async def streamed_bytes(self, make_call: Callable[[Any], Any]) -> tuple[Any, bytes]:
        """``with_streaming_response``: the response object and the bytes its iterator gave."""
        call = make_call(self.client.with_streaming_response)
        if self.mode == "sync":
            with call as response:
                return response, b"".join(response.iter_bytes(chunk_size=4))
        async with call as response:
            return response, b"".join([piece async for piece in response.aiter_bytes(chunk_size=4)])


def json_reply(data: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=data)


def warnings_of(caplog: pytest.LogCaptureFixture, logger: str = PKG) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger and r.levelno == logging.WARNING]


# --------------------------------------------------------------------------- lenient: nothing is lost


async def test_a_value_of_another_type_in_a_nested_model_is_kept_warned_once_and_strict_raises(
    pkg: ModuleType, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    newer = {**WIDGET, "owner": {"name": 7, "role": "superuser"}}
    h = Harness(pkg, mode, json_reply(newer), json_reply(newer), json_reply(newer))
    with caplog.at_level(logging.WARNING, logger=PKG):
        widget = await h.call(lambda c: c.widgets.get_widget("w1"))
        again = await h.call(lambda c: c.widgets.get_widget("w1"))
    assert isinstance(widget, pkg.models.Widget) and isinstance(widget.owner, pkg.models.Owner)
    assert widget.owner.name == 7 and widget.owner.role == "superuser"  # a new enum value is simply open
    assert widget.id == "w1" and widget.size == 3 and widget.parts[0].weight == 1.5
    assert again.owner.name == 7
    problems = pkg.validation_errors(widget.owner)
    assert [(p["loc"], p["type"], p["input"]) for p in problems] == [(("name",), "string_type", 7)]
    assert pkg.validation_errors(widget)[0]["loc"] == ("owner", "name")  # the whole answer's view
    assert pkg.validation_errors(widget.parts[0]) == []
    logged = warnings_of(caplog)
    assert len(logged) == 1, logged  # once per model and process, not once per call
    assert "Owner" in logged[0] and "name" in logged[0] and "7" in logged[0]

    with pytest.raises(pkg.APIResponseValidationError) as caught:
        await h.call(lambda c: c.widgets.get_widget("w1", strict_response_validation=True))
    error = caught.value
    assert isinstance(error, pkg.MastraError)
    assert error.body == newer and error.response.status_code == 200
    assert [e["loc"] for e in error.errors] == [("owner", "name")]
    assert isinstance(error.__cause__, pydantic.ValidationError)
    assert "GET http://forward.test/api/widgets/w1" in str(error) and "owner.name" in str(error)


async def test_a_new_enum_value_is_valid_even_when_strict(pkg: ModuleType, mode: str) -> None:
    newer = {**WIDGET, "kind": "medium", "owner": {"name": "Ada", "role": "superuser"}}
    h = Harness(pkg, mode, json_reply(newer), strict_response_validation=True)
    widget = await h.call(lambda c: c.widgets.get_widget("w1"))
    assert widget.kind == "medium" and widget.owner.role == "superuser"
    assert pkg.validation_errors(widget) == [] and pkg.validation_errors(widget.owner) == []


async def test_a_new_discriminator_tag_and_a_new_union_member_keep_the_data(pkg: ModuleType, mode: str) -> None:
    triangle = {"kind": "triangle", "sides": 3}
    bad_circle = {"kind": "circle", "radius": "huge"}
    widget = {**WIDGET, "shape": triangle}
    h = Harness(pkg, mode, json_reply(triangle), json_reply(bad_circle), json_reply(widget), json_reply(triangle))
    shape = await h.call(lambda c: c.shapes.get_shape("s"))
    assert isinstance(shape, pkg.models.Shape)
    assert shape.root == triangle  # an unknown member: kept as sent, not passed off as a Circle
    assert pkg.validation_errors(shape)[0]["type"] == "union_tag_invalid"

    circle = await h.call(lambda c: c.shapes.get_shape("s"))  # a known tag whose payload changed
    assert isinstance(circle.root, pkg.models.Circle) and circle.root.radius == "huge"
    assert [e["loc"] for e in pkg.validation_errors(circle.root)] == [("radius",)]

    inside = await h.call(lambda c: c.widgets.get_widget("w1"))  # the same union as a field
    assert isinstance(inside, pkg.models.Widget) and inside.owner.role == "admin"
    assert inside.shape.root == triangle

    with pytest.raises(pkg.APIResponseValidationError) as caught:
        await h.call(lambda c: c.shapes.get_shape("s", strict_response_validation=True))
    assert caught.value.errors[0]["type"] == "union_tag_invalid"


async def test_a_new_field_is_kept_as_an_extra_in_both_modes(
    pkg: ModuleType, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    newer = {**WIDGET, "color": "red", "owner": {**OWNER, "since": 2024}}
    h = Harness(pkg, mode, json_reply(newer), json_reply(newer), strict_response_validation=True)
    with caplog.at_level(logging.WARNING, logger=PKG):
        widget = await h.call(lambda c: c.widgets.get_widget("w1"))
        lenient = await h.call(lambda c: c.widgets.get_widget("w1", strict_response_validation=False))
    for result in (widget, lenient):
        assert result.model_extra == {"color": "red"} and result.owner.model_extra == {"since": 2024}
        assert pkg.validation_errors(result) == []
    assert warnings_of(caplog) == []


async def test_a_missing_required_field_is_none(pkg: ModuleType, mode: str, caplog: pytest.LogCaptureFixture) -> None:
    older = {key: value for key, value in WIDGET.items() if key != "kind"}
    h = Harness(pkg, mode, json_reply(older), json_reply(older))
    with caplog.at_level(logging.WARNING, logger=PKG):
        widget = await h.call(lambda c: c.widgets.get_widget("w1"))
    assert isinstance(widget, pkg.models.Widget)
    assert widget.kind is None and widget.id == "w1" and widget.owner.role == "admin"
    assert "kind" not in widget.model_fields_set
    assert [(e["loc"], e["type"]) for e in pkg.validation_errors(widget)] == [(("kind",), "missing")]
    assert len(warnings_of(caplog)) == 1 and "Widget" in warnings_of(caplog)[0] and "kind: missing" in caplog.text
    with pytest.raises(pkg.APIResponseValidationError, match="kind: Field required"):
        await h.call(lambda c: c.widgets.get_widget("w1", strict_response_validation=True))


async def test_a_value_of_another_type_is_kept_as_sent(pkg: ModuleType, mode: str) -> None:
    changed = {**WIDGET, "size": "XL", "parts": {"not": "a list"}}
    h = Harness(pkg, mode, json_reply(changed), json_reply(changed), strict_response_validation=True)
    with pytest.raises(pkg.APIResponseValidationError) as caught:
        await h.call(lambda c: c.widgets.get_widget("w1"))
    assert {e["loc"][0] for e in caught.value.errors} == {"size", "parts"}
    widget = await h.call(lambda c: c.widgets.get_widget("w1", strict_response_validation=False))
    assert widget.size == "XL" and widget.parts == {"not": "a list"}
    assert widget.owner == pkg.models.Owner(name="Ada", role="admin")


async def test_one_bad_item_of_a_list_leaves_the_others_typed(pkg: ModuleType, mode: str) -> None:
    bad = {**WIDGET, "id": "w2", "kind": "huge", "owner": {"name": 7, "role": "user"}}
    h = Harness(pkg, mode, json_reply([WIDGET, bad, "not an object"]))
    widgets = await h.call(lambda c: c.widgets.list_widgets())
    assert isinstance(widgets, list) and len(widgets) == 3
    assert isinstance(widgets[0], pkg.models.Widget) and pkg.validation_errors(widgets[0]) == []
    assert isinstance(widgets[1], pkg.models.Widget) and widgets[1].kind == "huge" and widgets[1].owner.name == 7
    assert {e["loc"] for e in pkg.validation_errors(widgets[1])} == {("owner", "name")}  # "huge": an open enum
    assert widgets[2] == "not an object"


# --------------------------------------------------------------------------- strict: per client, per call, with_options


async def test_per_call_strictness_overrides_the_client_both_ways(pkg: ModuleType, mode: str) -> None:
    newer = {**WIDGET, "size": "big"}
    lenient = Harness(pkg, mode, *[json_reply(newer)] * 2)
    assert (await lenient.call(lambda c: c.widgets.get_widget("w"))).size == "big"
    with pytest.raises(pkg.APIResponseValidationError):
        await lenient.call(lambda c: c.widgets.get_widget("w", strict_response_validation=True))

    strict = Harness(pkg, mode, *[json_reply(newer)] * 2, strict_response_validation=True)
    assert strict.client.strict_response_validation is True
    with pytest.raises(pkg.APIResponseValidationError):
        await strict.call(lambda c: c.widgets.get_widget("w"))
    assert (await strict.call(lambda c: c.widgets.get_widget("w", strict_response_validation=False))).size == "big"


async def test_with_options_carries_strictness(pkg: ModuleType, mode: str) -> None:
    newer = {**WIDGET, "size": "big"}
    h = Harness(pkg, mode, *[json_reply(newer)] * 3)
    strict = h.client.with_options(strict_response_validation=True)
    with pytest.raises(pkg.APIResponseValidationError):
        await h.call(lambda _: strict.widgets.get_widget("w"))
    assert strict.with_options(timeout=5).strict_response_validation is True  # kept by a further copy
    assert (await h.call(lambda c: c.widgets.get_widget("w"))).size == "big"  # the original is unchanged
    relaxed = strict.with_options(strict_response_validation=False)
    assert (await h.call(lambda _: relaxed.widgets.get_widget("w"))).size == "big"


async def test_with_raw_response_parse_follows_the_mode(pkg: ModuleType, mode: str) -> None:
    newer = {**WIDGET, "size": "big"}
    h = Harness(pkg, mode, json_reply(newer), json_reply(newer))
    raw = await h.call(lambda c: c.with_raw_response.widgets.get_widget("w"))
    assert raw.parse().size == "big" and raw.json() == newer
    raw = await h.call(lambda c: c.with_raw_response.widgets.get_widget("w", strict_response_validation=True))
    assert raw.status_code == 200 and raw.json() == newer
    with pytest.raises(pkg.APIResponseValidationError):
        raw.parse()


# --------------------------------------------------------------------------- bodies that are not JSON


@pytest.mark.parametrize("strict", [False, True])
async def test_an_html_page_with_status_200_is_a_validation_error(pkg: ModuleType, mode: str, strict: bool) -> None:
    page = "<!doctype html><html><body>Sign in to continue</body></html>"
    reply = httpx.Response(200, text=page, headers={"content-type": "text/html; charset=utf-8"})
    h = Harness(pkg, mode, reply, strict_response_validation=strict)
    with pytest.raises(pkg.APIResponseValidationError) as caught:
        await h.call(lambda c: c.widgets.get_widget("w1"))
    error = caught.value
    assert error.body == page and error.errors == [] and error.response.status_code == 200
    assert "not JSON" in str(error) and "text/html" in str(error) and "Widget" in str(error)


@pytest.mark.parametrize("strict", [False, True])
async def test_an_empty_200_where_a_model_is_expected_is_a_validation_error(
    pkg: ModuleType, mode: str, strict: bool
) -> None:
    h = Harness(pkg, mode, httpx.Response(200), httpx.Response(200, content=b"\x89PNG\r\n"))
    h.client = h.client.with_options(strict_response_validation=strict)
    with pytest.raises(pkg.APIResponseValidationError, match="empty body"):
        await h.call(lambda c: c.widgets.list_widgets())
    with pytest.raises(pkg.APIResponseValidationError, match="not JSON"):  # bytes without a content type
        await h.call(lambda c: c.shapes.get_shape("s"))


async def test_text_is_fine_where_text_is_expected(pkg: ModuleType, mode: str) -> None:
    h = Harness(pkg, mode, httpx.Response(200, text='{"looks": "like JSON"}'), httpx.Response(200, text="hello"))
    assert await h.call(lambda c: c.widgets.list_notes("w")) == '{"looks": "like JSON"}'
    assert await h.call(lambda c: c.widgets.get_anything("w")) == "hello"


# --------------------------------------------------------------------------- newer client, older server


def hono_404(request: httpx.Request) -> httpx.Response:
    return httpx.Response(404, text="404 Not Found", headers={"content-type": "text/plain; charset=UTF-8"})


async def test_a_missing_route_says_so_and_a_missing_resource_does_not(pkg: ModuleType, mode: str) -> None:
    h = Harness(pkg, mode, hono_404, json_reply({"error": "Widget with id w9 not found"}, 404))
    with pytest.raises(pkg.NotFoundError) as caught:
        await h.call(lambda c: c.widgets.speak("w9", text="hi"))
    route = caught.value
    assert route.route_missing is True and route.status_code == 404 and route.body == "404 Not Found"
    assert route.message == (
        "POST /api/widgets/w9/speak is not a route on this server: the server is probably older than "
        "this client (see client.check_server_version())"
    )
    with pytest.raises(pkg.NotFoundError) as caught:
        await h.call(lambda c: c.widgets.get_widget("w9"))
    resource = caught.value
    assert resource.route_missing is False and resource.message == "Widget with id w9 not found"
    assert "check_server_version" not in str(resource)


async def test_facades_and_streams_on_a_missing_route_say_the_same(mode: str) -> None:
    import mastra_client

    h = Harness(mastra_client, mode, hono_404, hono_404, hono_404, hono_404)
    agent = h.client.get_agent("helper")
    with pytest.raises(mastra_client.NotFoundError, match=r"GET /api/agents/helper/voice/speakers is not a route"):
        await h.call(lambda _: agent.get_speakers())
    with pytest.raises(mastra_client.NotFoundError, match=r"POST /api/agents/helper/voice/speak is not a route"):
        await h.call(lambda _: agent.voice_speak("Hello"))
    with pytest.raises(mastra_client.NotFoundError) as caught:
        await h.read(lambda _: agent.stream("hi"))
    assert caught.value.route_missing and "check_server_version()" in str(caught.value)
    with pytest.raises(mastra_client.NotFoundError) as caught:
        await h.call(lambda c: c.get_workflow("wf").details())
    assert caught.value.route_missing and "GET /api/workflows/wf is not a route on this server" in str(caught.value)


# --------------------------------------------------------------------------- binary answers


async def test_binary_answers_are_the_exact_bytes(pkg: ModuleType, mode: str) -> None:
    audio = httpx.Response(200, content=NON_UTF8, headers={"content-type": "audio/mpeg"})
    octets = httpx.Response(200, content=NON_UTF8, headers={"content-type": "application/octet-stream"})
    untyped = httpx.Response(200, content=NON_UTF8, headers={"content-type": "image/png"})
    unlabelled = httpx.Response(200, content=NON_UTF8)
    h = Harness(pkg, mode, audio, octets, untyped, unlabelled)
    assert await h.call(lambda c: c.widgets.speak("w", text="hi")) == NON_UTF8
    assert await h.call(lambda c: c.widgets.get_export("w")) == NON_UTF8
    assert await h.call(lambda c: c.widgets.get_anything("w")) == NON_UTF8  # untyped: by the content type
    assert await h.call(lambda c: c.widgets.get_anything("w")) == NON_UTF8  # no type, not UTF-8: bytes
    assert inspect.signature(pkg.resources.widgets.WidgetsResource.speak).return_annotation == "bytes"


async def test_with_streaming_response_streams_the_same_bytes(pkg: ModuleType, mode: str) -> None:
    big = NON_UTF8 * 1000
    h = Harness(pkg, mode, *[httpx.Response(200, content=big, headers={"content-type": "audio/mpeg"})] * 3)
    response, streamed = await h.streamed_bytes(lambda s: s.widgets.speak("w", text="hi"))
    assert streamed == big and response.status_code == 200 and response.content_type == "audio/mpeg"
    assert response.is_closed  # leaving the block closed it
    response, streamed = await h.streamed_bytes(lambda s: s.widgets.get_anything("w"))  # any method at all
    assert streamed == big
    assert json.loads(h.requests[0].content) == {"text": "hi"}

    call = h.client.with_streaming_response.widgets.get_export("w")
    if mode == "sync":
        with call as response:
            assert response.read() == big
    else:
        async with call as response:
            assert await response.read() == big


async def test_with_streaming_response_raises_status_errors_first(pkg: ModuleType, mode: str) -> None:
    h = Harness(pkg, mode, hono_404)
    with pytest.raises(pkg.NotFoundError, match="not a route"):
        await h.streamed_bytes(lambda s: s.widgets.speak("w", text="hi"))


async def test_mastra_voice_speak_returns_audio_bytes_and_streams_them(mode: str) -> None:
    import mastra_client

    mp3 = b"\xff\xfb\x90\x64" + bytes(range(256)) * 64
    replies = [httpx.Response(200, content=mp3, headers={"content-type": "audio/mpeg"}) for _ in range(2)]
    h = Harness(mastra_client, mode, *replies)
    assert await h.call(lambda c: c.get_agent("helper").voice_speak("Hello")) == mp3
    _, streamed = await h.streamed_bytes(lambda s: s.get_agent("helper").voice_speak("Hello"))
    assert streamed == mp3
    assert [json.loads(r.content) for r in h.requests] == [{"text": "Hello"}] * 2


# --------------------------------------------------------------------------- streams degrade, never fail


def sse(*events: Any) -> bytes:
    return b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events) + b"data: [DONE]\n\n"


def records(*events: Any) -> bytes:
    return b"".join(json.dumps(e).encode() + b"\x1e" for e in events)


def ndjson(*events: Any) -> bytes:
    return b"".join(json.dumps(e).encode() + b"\n" for e in events)


ODD_EVENTS: list[Any] = [
    {"type": "tick", "runId": "r", "payload": {"n": 1}},  # fits
    {"type": "tick", "runId": "r", "payload": {"n": "one"}},  # a known tag, a payload that changed
    {"type": "tock", "runId": "r", "payload": {"x": 1}},  # a tag this client does not know
    {"type": 7, "runId": "r"},  # a tag that is not even a string
    ["not", "an", "object"],
    "a bare string",
    {"type": "stop", "total": 3},
]


@pytest.mark.parametrize(
    ("framing", "encode", "start"),
    [
        ("sse", sse, lambda c: c.events.sse()),
        ("records", records, lambda c: c.events.create_record()),
        ("ndjson", ndjson, lambda c: c.events.get_ndjson()),
    ],
)
async def test_every_stream_framing_degrades_odd_chunks_to_the_fallback(
    pkg: ModuleType, mode: str, framing: str, encode: Callable[..., bytes], start: Callable[[Any], Any]
) -> None:
    h = Harness(pkg, mode, httpx.Response(200, content=encode(*ODD_EVENTS)))
    chunks = await h.read(start)
    m = pkg.models
    assert [type(c).__name__ for c in chunks] == [
        "TickChunk",
        "OtherTickerChunk",
        "OtherTickerChunk",
        "OtherTickerChunk",
        "OtherTickerChunk",
        "OtherTickerChunk",
        "StopChunk",
    ], framing
    assert chunks[0].payload.n == 1 and pkg.validation_errors(chunks[0]) == []
    assert chunks[1].type == "tick" and chunks[1].payload == {"n": "one"}
    assert pkg.validation_errors(chunks[1])[0]["loc"] == ("payload", "n")  # why it is not a TickChunk
    assert chunks[2].type == "tock" and chunks[2].payload == {"x": 1} and pkg.validation_errors(chunks[2]) == []
    assert chunks[3].type == 7 and chunks[3].run_id == "r"
    assert pkg.validation_errors(chunks[4])[0]["input"] == ["not", "an", "object"]
    assert pkg.validation_errors(chunks[5])[0]["input"] == "a bare string"
    assert isinstance(chunks[6], m.StopChunk) and chunks[6].total == 3


async def test_a_stream_without_chunk_types_yields_what_was_sent(pkg: ModuleType, mode: str) -> None:
    events = [{"type": "x", "n": 1}, [1, 2], "text", None, 5]
    body = b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events)
    h = Harness(pkg, mode, httpx.Response(200, content=body), httpx.Response(200, content=body))
    assert await h.read(lambda c: c.events.get_plain()) == events
    # Streams are read a piece at a time already: with_streaming_response returns them as they are.
    assert await h.read(lambda c: c.with_streaming_response.events.get_plain()) == events


async def test_mastra_agent_and_workflow_streams_degrade(mode: str, caplog: pytest.LogCaptureFixture) -> None:
    import mastra_client

    agent_events = [
        {"type": "text-delta", "runId": "r", "from": "AGENT", "payload": {"id": "1", "text": "Hi"}},
        {"type": "text-delta", "runId": "r", "from": "AGENT", "payload": {"id": "1", "text": 42}},
        {"type": "data-progress", "runId": "r", "data": {"pct": 50}},
        [1, 2, 3],
        {"type": "finish", "runId": "r", "from": "AGENT", "payload": {"stepResult": {"reason": "stop"}}},
    ]
    workflow_events = [
        {"type": "workflow-start", "runId": "r", "from": "WORKFLOW", "payload": {"runId": "r"}},
        {"type": "workflow-step-loop", "runId": "r", "payload": {"id": "s"}},
        {"type": "workflow-finish", "runId": "r", "from": "WORKFLOW", "payload": {"workflowStatus": "success"}},
    ]
    h = Harness(
        mastra_client,
        mode,
        httpx.Response(200, content=sse(*agent_events), headers={"content-type": "text/event-stream"}),
        httpx.Response(200, content=records(*workflow_events)),
    )
    with caplog.at_level(logging.WARNING, logger="mastra_client"):
        chunks = await h.read(lambda c: c.get_agent("a").stream("hi"))
    names = [type(c).__name__ for c in chunks]
    assert names == ["TextDeltaChunk", "OtherAgentChunk", "OtherAgentChunk", "OtherAgentChunk", "FinishChunk"]
    assert chunks[1].payload == {"id": "1", "text": 42} and chunks[2].model_extra["data"] == {"pct": 50}
    assert any("TextDeltaChunk" in line for line in warnings_of(caplog, "mastra_client"))
    run_class = mastra_client.WorkflowRun if mode == "sync" else mastra_client.AsyncWorkflowRun
    events = await h.read(lambda c: run_class(c, "wf", "r").stream(input_data={}))
    assert [type(e).__name__ for e in events] == ["WorkflowStartEvent", "OtherWorkflowEvent", "WorkflowFinishEvent"]


async def test_structured_output_that_does_not_fit_is_kept(mode: str) -> None:
    import mastra_client

    class Answer(pydantic.BaseModel):
        city: str
        temperature: float

    result = {"text": "", "finishReason": "stop", "object": {"city": "Oslo", "temperature": "cold"}}
    h = Harness(mastra_client, mode, json_reply(result), json_reply(result))
    answer = await h.call(lambda c: c.get_agent("a").generate("weather?", structured_output=Answer))
    assert isinstance(answer.object, Answer) and answer.object.temperature == "cold"
    assert mastra_client.validation_errors(answer.object)[0]["loc"] == ("temperature",)
    with pytest.raises(mastra_client.APIResponseValidationError, match="temperature"):
        await h.call(
            lambda c: c.get_agent("a").generate("weather?", structured_output=Answer, strict_response_validation=True)
        )


def test_the_package_exports_the_new_names(pkg: ModuleType) -> None:
    import mastra_client

    for package in (pkg, mastra_client):
        assert issubclass(package.APIResponseValidationError, package.APIError)
        for name in ("APIResponseValidationError", "validation_errors", "StreamedResponse", "AsyncStreamedResponse"):
            assert name in package.__all__
    assert importlib.import_module(f"{PKG}._runtime._response").log.name == PKG
