"""Sans-I/O stream parsing: framings, ``StreamCore`` and chunk codecs, on real wire captures and edge cases."""

from __future__ import annotations

import functools
import json
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mastra_client import models
from mastra_client._chunks import AGENT_CHUNK, WORKFLOW_EVENT
from mastra_client._runtime import _stream_core
from mastra_client._runtime._decoders import NdjsonDecoder, RecordDecoder, SSEDecoder, make_decoder
from mastra_client._runtime._errors import APIConnectionError, IncompleteStreamError, StreamError
from mastra_client._runtime._stream_core import StreamCore, StreamProtocol, error_message
from mastra_client._runtime._stream_views import AgentView, EventView, WorkflowView

WIRE = Path(__file__).resolve().parent.parent / "fixtures" / "wire"

AGENT = StreamProtocol(
    "sse",
    codec=AGENT_CHUNK,
    done="[DONE]",
    finish=frozenset({"finish"}),
    pause=frozenset({"tool-call-approval", "tool-call-suspended"}),
    errors=frozenset({"error"}),
)
WORKFLOW = StreamProtocol(
    "records",
    codec=WORKFLOW_EVENT,
    finish=frozenset({"workflow-finish", "workflow-canceled"}),
    errors=frozenset({"error"}),
)
SUBSCRIPTION = StreamProtocol("sse", codec=AGENT_CHUNK)
NDJSON = StreamProtocol("ndjson", finish=frozenset({"finish"}), errors=frozenset({"error"}))


def load_capture(name: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and raw body of a ``curl -i`` capture."""
    head, body = (WIRE / name).read_bytes().split(b"\r\n\r\n", 1)
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name_, _, value = line.partition(":")
        headers[name_.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


# --------------------------------------------------------------------------- reference parsers


def reference_sse_frames(body: bytes) -> list[str]:
    """A deliberately plain SSE parser (whole body at once, line by line, as the spec reads)."""
    lines = body.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    frames: list[str] = []
    data: list[str] = []
    for line in lines:
        if line == "":
            if data:
                frames.append("\n".join(data))
            data = []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if field == "data":
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        frames.append("\n".join(data))
    return frames


def reference_events(body: bytes, framing: str, done: str | None) -> list[Any]:
    """The JSON events of a whole body, framed plainly; stops at the ``done`` frame."""
    if framing == "sse":
        frames = reference_sse_frames(body)
    else:
        separator = "\x1e" if framing == "records" else "\n"
        frames = [f for f in body.decode("utf-8").split(separator) if f.strip()]
    events: list[Any] = []
    for frame in frames:
        if frame == done:
            break
        events.append(json.loads(frame))
    return events


def end(core: StreamCore) -> list[Any]:
    """End the round as a stream object does: the last events, then an incomplete stream is raised."""
    events = core.end_round()
    if isinstance(core.error, IncompleteStreamError):
        raise core.error
    return events


def parse_whole(protocol: StreamProtocol, *reads: bytes) -> tuple[list[Any], StreamCore]:
    """Feed ``reads`` to a fresh core, end the round, return the events and the core."""
    core = StreamCore(protocol)
    events: list[Any] = []
    for data in reads:
        events.extend(core.feed(data))
    events.extend(end(core))
    return events, core


def sse(*events: object, done: bool = True) -> bytes:
    """An SSE body of ``events`` (dicts are JSON-encoded), ending with ``[DONE]``."""
    out = b"".join(b"data: " + json.dumps(e).encode() + b"\n\n" for e in events)
    return out + (b"data: [DONE]\n\n" if done else b"")


def records(*events: object) -> bytes:
    """A records body: each event followed by ``\\x1e``."""
    return b"".join(json.dumps(e).encode() + b"\x1e" for e in events)


# --------------------------------------------------------------------------- wire captures


@dataclass(frozen=True)
class Capture:
    """A wire capture and what parsing it must give."""

    name: str
    protocol: StreamProtocol
    content_type: str
    types: tuple[str, ...]  # the chunk types, in order
    ended: bool
    finished: bool
    paused: bool


AGENT_TEXT_RUN = ("step-start", "text-start", "text-delta", "text-delta", "text-delta")
CAPTURES = [
    Capture(
        "04-agent-stream-sse.http",
        AGENT,
        "text/event-stream",
        ("start", *AGENT_TEXT_RUN, "text-delta", "text-end", "step-finish", "finish"),
        True,
        True,
        False,
    ),
    Capture(
        "05-tool-agent-stream-toolcall.http",
        AGENT,
        "text/event-stream",
        (
            "start",
            "step-start",
            "tool-call-input-streaming-start",
            "tool-call-delta",
            "tool-call-input-streaming-end",
            "tool-call",
            "tool-result",
            "step-finish",
            *AGENT_TEXT_RUN,
            "text-end",
            "step-finish",
            "finish",
        ),
        True,
        True,
        False,
    ),
    Capture(
        "07-tool-agent-stream-approval.http",
        AGENT,
        "text/event-stream",
        (
            "start",
            "step-start",
            "tool-call-input-streaming-start",
            "tool-call-delta",
            "tool-call-input-streaming-end",
            "tool-call",
            "tool-call-approval",
        ),
        True,
        False,
        True,
    ),
    Capture(
        "08-tool-agent-approve-tool-call.http",
        AGENT,
        "text/event-stream",
        ("tool-result", "step-finish", *AGENT_TEXT_RUN, "text-end", "step-finish", "finish"),
        True,
        True,
        False,
    ),
    Capture(
        "09-tool-agent-stream-approval-2.http",
        AGENT,
        "text/event-stream",
        (
            "start",
            "step-start",
            "tool-call-input-streaming-start",
            "tool-call-delta",
            "tool-call-input-streaming-end",
            "tool-call",
            "tool-call-approval",
        ),
        True,
        False,
        True,
    ),
    Capture(
        "10-tool-agent-decline-tool-call.http",
        AGENT,
        "text/event-stream",
        ("tool-output-denied", "step-finish", *AGENT_TEXT_RUN, "text-delta", "text-end", "step-finish", "finish"),
        True,
        True,
        False,
    ),
    Capture(
        "45-agent-stream-on-subscribed-thread.http",
        AGENT,
        "text/event-stream",
        ("start", *AGENT_TEXT_RUN, "text-delta", "text-end", "step-finish", "finish"),
        True,
        True,
        False,
    ),
    Capture(
        "44-thread-subscribe-sse.http",
        SUBSCRIPTION,
        "text/event-stream",
        (
            *("start", *AGENT_TEXT_RUN, "text-delta", "text-end", "step-finish", "finish"),
            *("start", "data-user-message", *AGENT_TEXT_RUN, "text-end", "step-finish", "finish"),
        ),
        False,
        False,
        False,
    ),
    *(
        Capture(
            name,
            WORKFLOW,
            "text/plain",
            (
                "workflow-start",
                "workflow-step-start",
                "workflow-step-result",
                "workflow-step-start",
                "workflow-step-result",
                "workflow-finish",
            ),
            False,
            True,
            False,
        )
        for name in (
            "20-workflow-stream-x1e.http",
            "28-workflow-resume-stream-x1e.http",
            "58-workflow-observe-x1e.http",
        )
    ),
    Capture(
        "27-workflow-stream-suspended-x1e.http",
        WORKFLOW,
        "text/plain",
        ("workflow-start", "workflow-step-start", "workflow-step-suspended", "workflow-finish"),
        False,
        True,
        False,
    ),
]
CAPTURE_IDS = [c.name.split("-", 1)[0] for c in CAPTURES]


@pytest.fixture(params=CAPTURES, ids=CAPTURE_IDS)
def capture(request: pytest.FixtureRequest) -> tuple[Capture, bytes]:
    """Each capture with its body (status and content type checked)."""
    spec: Capture = request.param
    status, headers, body = load_capture(spec.name)
    assert status == 200
    assert headers["content-type"].split(";")[0] == spec.content_type
    return spec, body


def test_capture_parses_to_the_expected_events(capture: tuple[Capture, bytes]) -> None:
    """One read: the chunk types in order, the end state, and the same events as the reference parser."""
    spec, body = capture
    events, core = parse_whole(spec.protocol, body)
    assert tuple(e["type"] for e in events) == spec.types
    assert (core.ended, core.finished, core.paused) == (spec.ended, spec.finished, spec.paused)
    assert core.complete and core.error is None
    assert core.events == len(events)
    assert events == reference_events(body, spec.protocol.framing, spec.protocol.done)


@pytest.fixture
def memoized_json(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let ``StreamCore`` parse each distinct frame only once (keyed by the exact frame bytes).

    Framing is what the split tests check; a frame cut or joined wrongly is a different key and
    is parsed (or fails) for real. Decoding 15 kB of JSON per split would dominate the run time.
    """
    loads = functools.lru_cache(maxsize=None)(json.loads)
    monkeypatch.setattr(_stream_core, "json", types.SimpleNamespace(loads=loads))


@pytest.mark.usefixtures("memoized_json")
def test_capture_split_in_two_at_every_byte(capture: tuple[Capture, bytes]) -> None:
    """Two reads, split at every position of the body, give exactly the events of one read."""
    spec, body = capture
    whole, _ = parse_whole(spec.protocol, body)
    assert len(whole) == len(spec.types)
    for i in range(len(body) + 1):
        events, core = parse_whole(spec.protocol, body[:i], body[i:])
        assert events == whole, f"split at byte {i}"
        assert (core.ended, core.finished, core.paused) == (spec.ended, spec.finished, spec.paused)


def test_capture_fed_one_byte_at_a_time(capture: tuple[Capture, bytes]) -> None:
    """One byte per read: each event comes out as soon as its terminator arrives, none twice."""
    spec, body = capture
    whole, _ = parse_whole(spec.protocol, body)
    core = StreamCore(spec.protocol)
    events: list[Any] = []
    for i in range(len(body)):
        events.extend(core.feed(body[i : i + 1]))
    events.extend(end(core))
    assert json.dumps(events) == json.dumps(whole)


def test_capture_in_uneven_reads(capture: tuple[Capture, bytes]) -> None:
    """Reads of cycling odd sizes (as a proxy or TLS record layer may produce)."""
    spec, body = capture
    whole, _ = parse_whole(spec.protocol, body)
    sizes = [1, 7, 2, 61, 3, 512, 13, 4096]
    reads, pos, k = [], 0, 0
    while pos < len(body):
        reads.append(body[pos : pos + sizes[k % len(sizes)]])
        pos += sizes[k % len(sizes)]
        k += 1
    assert parse_whole(spec.protocol, *reads)[0] == whole


def test_capture_chunks_decode_to_their_typed_models(capture: tuple[Capture, bytes]) -> None:
    """Every chunk of a real server gets its own model; only ``data-*`` falls back."""
    spec, body = capture
    events, _ = parse_whole(spec.protocol, body)
    codec = spec.protocol.codec
    assert codec is not None
    for event in events:
        typed = codec.decode(event)
        if event["type"].startswith("data-"):
            assert type(typed) is models.OtherAgentChunk
        else:
            assert type(typed).__name__ not in ("OtherAgentChunk", "OtherWorkflowEvent"), event["type"]
            assert typed.type == event["type"]
            assert typed.run_id == event["runId"]


# --------------------------------------------------------------------------- views over captures


def view_of(view: EventView, name: str, protocol: StreamProtocol) -> EventView:
    """``view`` after observing every event of a capture."""
    _, _, body = load_capture(name)
    for event in parse_whole(protocol, body)[0]:
        view.observe(event)
    return view


def test_agent_view_of_a_text_stream() -> None:
    view = view_of(AgentView(AGENT_CHUNK), "04-agent-stream-sse.http", AGENT)
    assert isinstance(view, AgentView)
    result = view.result()
    assert result.text == "Echo: hello wire format"
    assert result.finish_reason == "stop"
    assert result.usage is not None
    assert (result.usage["inputTokens"], result.usage["outputTokens"], result.usage["totalTokens"]) == (10, 23, 33)
    assert result.run_id == "5b6ab848-3263-407e-877e-26199993cc3e"
    assert not result.paused and result.pending_approvals == []
    assert [m["role"] for m in result.messages] == ["assistant"]


def test_agent_view_of_a_server_tool_call() -> None:
    view = view_of(AgentView(AGENT_CHUNK), "05-tool-agent-stream-toolcall.http", AGENT)
    assert isinstance(view, AgentView)
    result = view.result()
    assert result.finish_reason == "stop"
    assert [type(c) for c in result.tool_calls] == [models.ToolCallChunk]
    assert result.tool_calls[0].payload.args == {"city": "Berlin"}
    assert [type(r) for r in result.tool_results] == [models.ToolResultChunk]
    assert result.tool_results[0].payload.result == {"city": "Berlin", "temperatureC": 16, "conditions": "sunny"}
    assert result.text.startswith("Tool results: getWeather -> ")
    assert [m["role"] for m in result.messages] == ["assistant", "tool", "assistant"]


def test_approval_stream_ends_paused_not_finished() -> None:
    """07: the run stops at ``tool-call-approval``: [DONE] arrives, no finish; the stream is complete."""
    _, _, body = load_capture("07-tool-agent-stream-approval.http")
    events, core = parse_whole(AGENT, body)
    assert core.ended and core.paused and not core.finished and core.complete
    view = AgentView(AGENT_CHUNK)
    view.core = core  # as a stream wires it: the pause comes from the protocol
    for event in events:
        view.observe(event)
    result = view.result()
    assert result.paused and result.finish_reason is None
    [approval] = result.pending_approvals
    assert type(approval) is models.ToolCallApprovalChunk
    assert approval.run_id == "7882a99c-d5cb-44dd-94cf-eb38f43e7544"
    assert approval.payload.tool_call_id == "call-delete-1"
    assert approval.payload.args == {"recordId": "rec-42"}


def test_approve_and_decline_streams_finish() -> None:
    approved = view_of(AgentView(AGENT_CHUNK), "08-tool-agent-approve-tool-call.http", AGENT)
    declined = view_of(AgentView(AGENT_CHUNK), "10-tool-agent-decline-tool-call.http", AGENT)
    assert isinstance(approved, AgentView) and isinstance(declined, AgentView)
    assert approved.finish_reason == declined.finish_reason == "stop"
    assert not approved.paused and not declined.paused
    assert approved.tool_results[0]["payload"]["result"] == {"deleted": True, "recordId": "rec-42"}
    assert declined.tool_results == []


def test_workflow_view_of_a_successful_run() -> None:
    view = view_of(WorkflowView(WORKFLOW_EVENT), "20-workflow-stream-x1e.http", WORKFLOW)
    result = view.result()
    assert result.status == "success"
    assert result.result == {"greeting": "Hello, Grace!", "length": 13}
    assert result.run_id == "d83f7589-97fe-4652-9871-06c2f8b423fe"
    assert list(result.steps) == ["format-name", "make-greeting"]
    assert result.steps["format-name"]["output"] == {"formatted": "Grace"}
    assert result.suspended == {}


def test_workflow_view_of_a_suspended_then_resumed_run() -> None:
    suspended = view_of(WorkflowView(WORKFLOW_EVENT), "27-workflow-stream-suspended-x1e.http", WORKFLOW).result()
    assert suspended.status == "suspended"
    assert suspended.result is None
    assert suspended.suspended["request-approval"]["suspendPayload"] == {
        "reason": "Approval needed for 99",
        "amount": 99,
    }
    resumed = view_of(WorkflowView(WORKFLOW_EVENT), "28-workflow-resume-stream-x1e.http", WORKFLOW).result()
    assert resumed.status == "success"
    assert resumed.suspended == {}
    assert resumed.result == {"status": "rejected", "message": "99 rejected by dave"}


def test_subscription_carries_both_runs_and_skips_the_connected_comment() -> None:
    _, _, body = load_capture("44-thread-subscribe-sse.http")
    assert body.startswith(b": connected\n\n")
    events, core = parse_whole(SUBSCRIPTION, body)
    assert core.complete and not core.ended
    assert len({e["runId"] for e in events}) == 2
    texts: dict[str, str] = {}
    for e in events:
        if e["type"] == "text-delta":
            texts[e["runId"]] = texts.get(e["runId"], "") + e["payload"]["text"]
    assert sorted(texts.values()) == ["Echo: seen by subscriber", "Echo: signal hello"]


# --------------------------------------------------------------------------- SSE decoder edge cases


UNICODE_TEXT = "héllo 🌍 日本"


def test_utf8_character_split_across_reads_sse() -> None:
    """A multi-byte character cut between two reads is joined before decoding, at every cut."""
    event = {"type": "text-delta", "payload": {"text": UNICODE_TEXT}}
    body = b"data: " + json.dumps(event, ensure_ascii=False).encode() + b"\n\ndata: [DONE]\n\n"
    assert "🌍".encode() in body and "日".encode() in body  # really multi-byte on the wire
    start = body.index("é".encode())
    end = body.index("本".encode()) + 3
    for i in range(start, end + 1):
        events, core = parse_whole(AGENT, body[:i], body[i:])
        assert [e["payload"]["text"] for e in events] == [UNICODE_TEXT], i
        assert core.ended


def test_utf8_character_split_across_reads_records_and_ndjson() -> None:
    for protocol, kind, separator in ((WORKFLOW, "workflow-finish", b"\x1e"), (NDJSON, "finish", b"\n")):
        event = {"type": kind, "payload": {"text": UNICODE_TEXT}}
        body = json.dumps(event, ensure_ascii=False).encode() + separator
        for i in range(len(body) + 1):
            events, core = parse_whole(protocol, body[:i], body[i:])
            assert events == [event] and core.finished, (protocol.framing, i)


def test_sse_crlf_line_ends_split_between_cr_and_lf() -> None:
    """CRLF framing, including a read that ends with CR and the next one starting with LF."""
    body = b'data: {"n":1}\r\n\r\ndata: {"n":2}\r\n\r\ndata: [DONE]\r\n\r\n'
    cr_positions = [i + 1 for i, byte in enumerate(body) if byte == 0x0D]
    assert len(cr_positions) == 6
    for i in range(len(body) + 1):
        events, core = parse_whole(AGENT, body[:i], body[i:])
        assert events == [{"n": 1}, {"n": 2}], f"split at {i} (after a CR: {i in cr_positions})"
        assert core.ended


def test_sse_crlf_decoder_frames_with_cr_at_end_of_read() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"a":1}\r\n\r') == []  # the last CR may be half of a CRLF
    assert decoder.feed(b'\ndata: {"b":2}\r\n\r\n') == [b'{"a":1}', b'{"b":2}']
    assert decoder.flush() == []


def test_sse_cr_only_line_ends() -> None:
    """Lone CRs end lines too; a CR at the end of a read is held back, and must not be lost."""
    body = b'data: {"n":1}\r\rdata: {"n":2}\r\rdata: {"n":3}\r\rdata: [DONE]\r\r'
    assert reference_events(body, "sse", "[DONE]") == [{"n": 1}, {"n": 2}, {"n": 3}]
    for i in range(len(body) + 1):
        events, core = parse_whole(AGENT, body[:i], body[i:])
        assert events == [{"n": 1}, {"n": 2}, {"n": 3}] and core.ended, i
        assert core.error is None, i


def test_sse_comments_are_skipped() -> None:
    body = b': connected\n\ndata: {"n":1}\n\n: keepalive\n\n:\n\ndata: {"n":2}\n: inline comment\n\ndata: [DONE]\n\n'
    assert reference_events(body, "sse", "[DONE]") == [{"n": 1}, {"n": 2}]
    for i in range(len(body) + 1):
        events, core = parse_whole(AGENT, body[:i], body[i:])
        assert events == [{"n": 1}, {"n": 2}] and core.ended, i


def test_sse_multi_line_data_is_joined_with_newlines() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: first\ndata: second\ndata:third\n\n") == [b"first\nsecond\nthird"]
    body = b'data: {"type": "text-delta",\ndata:  "payload": {"text": "a"}}\n\ndata: [DONE]\n\n'
    events, _ = parse_whole(AGENT, body)
    assert events == [{"type": "text-delta", "payload": {"text": "a"}}]


def test_sse_event_id_and_retry_fields() -> None:
    """``event``/``id``/``retry`` lines are not data; ``data:`` without a space works."""
    decoder = SSEDecoder()
    frames = decoder.feed(b'event: chunk\nid: 41\nretry: 1000\ndata: {"n":1}\n\nid: 42\ndata:{"n":2}\n\n')
    assert frames == [b'{"n":1}', b'{"n":2}']
    assert decoder.feed(b"event: ping\n\n") == []  # an event without data dispatches nothing


def test_sse_extra_blank_lines_between_events() -> None:
    body = b'\n\n\ndata: {"n":1}\n\n\n\n\ndata: {"n":2}\n\n\n\ndata: [DONE]\n\n\n'
    for i in range(len(body) + 1):
        events, core = parse_whole(AGENT, body[:i], body[i:])
        assert events == [{"n": 1}, {"n": 2}] and core.ended, i


def test_sse_last_event_without_blank_line_counts_at_eof() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b'data: {"n":1}\n\ndata: {"n":2}') == [b'{"n":1}']
    assert decoder.flush() == [b'{"n":2}']
    assert decoder.flush() == []


# --------------------------------------------------------------------------- record / ndjson decoders


def test_records_skip_empty_and_whitespace_records() -> None:
    body = b'\x1e{"n":1}\x1e\x1e  \x1e\n\x1e{"n":2}\x1e \r\n\t\x1e'
    decoder = RecordDecoder()
    assert decoder.feed(body) == [b'{"n":1}', b'{"n":2}']
    assert decoder.flush() == []
    for i in range(len(body) + 1):
        decoder = RecordDecoder()
        assert decoder.feed(body[:i]) + decoder.feed(body[i:]) + decoder.flush() == [b'{"n":1}', b'{"n":2}'], i


def test_records_last_record_without_separator() -> None:
    decoder = RecordDecoder()
    assert decoder.feed(b'{"n":1}\x1e{"n"') == [b'{"n":1}']
    assert decoder.feed(b":2}") == []
    assert decoder.flush() == [b'{"n":2}']
    body = records({"type": "workflow-start"}) + json.dumps({"type": "workflow-finish"}).encode()
    events, core = parse_whole(WORKFLOW, body)
    assert [e["type"] for e in events] == ["workflow-start", "workflow-finish"]
    assert core.finished and core.complete


def test_ndjson_frames_crlf_blank_lines_and_last_line_without_newline() -> None:
    body = b'{"type":"a"}\r\n\r\n\n{"type":"b"}\n   \n{"type":"finish"}'
    decoder = make_decoder("ndjson")
    assert isinstance(decoder, NdjsonDecoder)
    for i in range(len(body) + 1):
        events, core = parse_whole(NDJSON, body[:i], body[i:])
        assert [e["type"] for e in events] == ["a", "b", "finish"], i
        assert core.finished


def test_make_decoder_rejects_an_unknown_framing() -> None:
    assert isinstance(make_decoder("sse"), SSEDecoder)
    assert isinstance(make_decoder("records"), RecordDecoder)
    with pytest.raises(ValueError, match="unknown stream framing"):
        make_decoder("msgpack")


# --------------------------------------------------------------------------- StreamCore: errors and ends


def test_error_chunk_mid_stream_delivers_earlier_events_then_raises() -> None:
    error = {"type": "error", "runId": "r1", "payload": {"error": {"message": "model exploded", "name": "Boom"}}}
    body = sse({"type": "start", "runId": "r1"}, {"type": "text-delta", "payload": {"text": "x"}}, error, {"type": "n"})
    core = StreamCore(AGENT)
    events = core.feed(body)
    assert [e["type"] for e in events] == ["start", "text-delta"]
    assert isinstance(core.error, StreamError)
    assert core.error.message == "model exploded"
    assert core.error.chunk == error
    assert core.events == 2
    assert core.feed(sse({"type": "more"})) == []  # nothing is read after the error
    assert core.end_round() == []  # no IncompleteStreamError on top of the error


def test_error_chunk_split_across_reads() -> None:
    body = sse({"type": "start"}, {"type": "error", "payload": {"error": {"message": "late"}}})
    for i in range(len(body) + 1):
        core = StreamCore(AGENT)
        events = core.feed(body[:i]) + core.feed(body[i:])
        assert events == [{"type": "start"}], i
        assert core.error is not None and core.error.message == "late"


@pytest.mark.parametrize(
    ("chunk", "message"),
    [
        ({"type": "error", "payload": {"error": {"message": "nested"}}}, "nested"),
        ({"type": "error", "payload": {"error": "plain string"}}, "plain string"),
        ({"type": "error", "payload": {"message": "payload message"}}, "payload message"),
        ({"type": "error", "error": "top-level string"}, "top-level string"),
        ({"type": "error", "payload": {"error": {}}}, "the server reported an error in the stream"),
    ],
)
def test_error_message_shapes(chunk: dict[str, Any], message: str) -> None:
    assert error_message(chunk) == message
    _, core = parse_whole(WORKFLOW, records({"type": "workflow-start"}, chunk))
    assert core.error is not None and str(core.error) == message


def test_non_json_frame_is_a_stream_error() -> None:
    core = StreamCore(AGENT)
    events = core.feed(b'data: {"type":"start"}\n\ndata: <html>oops</html>\n\ndata: {"type":"x"}\n\n')
    assert events == [{"type": "start"}]
    assert isinstance(core.error, StreamError)
    assert core.error.chunk is None
    assert "not JSON" in core.error.message and "<html>" in core.error.message


def test_stream_cut_inside_the_last_event() -> None:
    """The body stops in the middle of an event: what came before is delivered, then the cut is reported."""
    full = sse({"type": "start"}, {"type": "text-delta", "payload": {"text": "abc"}}, done=False)
    body = full[: full.rindex(b"abc")]
    core = StreamCore(AGENT)
    assert core.feed(body) == [{"type": "start"}]
    with pytest.raises(IncompleteStreamError, match="cut inside an event") as info:
        end(core)
    assert info.value.events == 1
    assert isinstance(info.value, APIConnectionError)


def test_agent_stream_without_done_marker_is_incomplete() -> None:
    """A finish chunk but no [DONE]: the SSE agent stream is not over."""
    body = sse({"type": "start"}, {"type": "finish", "payload": {}}, done=False)
    core = StreamCore(AGENT)
    assert len(core.feed(body)) == 2
    with pytest.raises(IncompleteStreamError, match=r"no \[DONE\] marker") as info:
        end(core)
    assert info.value.events == 2


def test_workflow_stream_without_finish_chunk_is_incomplete() -> None:
    body = records({"type": "workflow-start"}, {"type": "workflow-step-start", "payload": {"id": "s"}})
    core = StreamCore(WORKFLOW)
    assert len(core.feed(body)) == 2
    with pytest.raises(IncompleteStreamError, match="no workflow-canceled or workflow-finish chunk") as info:
        end(core)
    assert info.value.events == 2


def truncations(body: bytes) -> list[tuple[int, list[Any], IncompleteStreamError | None]]:
    """For each cut of ``body``: the position, the events a caller receives, and the error raised."""
    out: list[tuple[int, list[Any], IncompleteStreamError | None]] = []
    for i in range(len(body) + 1):
        core = StreamCore(AGENT)
        events = core.feed(body[:i])
        events += core.end_round()
        error = core.error if isinstance(core.error, IncompleteStreamError) else None
        out.append((i, events, error))
    return out


@pytest.mark.usefixtures("memoized_json")
def test_every_truncation_of_a_capture_is_reported_or_complete() -> None:
    """Cutting 04 at any byte: either the [DONE] is whole, or end_round raises after a prefix of the events."""
    _, _, body = load_capture("04-agent-stream-sse.http")
    whole, _ = parse_whole(AGENT, body)
    done_at = body.index(b"data: [DONE]") + len(b"data: [DONE]")
    for i, events, error in truncations(body):
        if i >= done_at:
            assert error is None and events == whole, i
        else:
            assert error is not None, i
            assert events == whole[: len(events)], i


@pytest.mark.usefixtures("memoized_json")
def test_truncation_error_counts_exactly_the_delivered_events() -> None:
    _, _, body = load_capture("04-agent-stream-sse.http")
    mismatches = [(i, len(events), error.events) for i, events, error in truncations(body) if error is not None]
    assert [m for m in mismatches if m[1] != m[2]] == []


def test_done_marker_stops_reading() -> None:
    core = StreamCore(AGENT)
    assert core.feed(sse({"n": 1}) + sse({"n": 2})) == [{"n": 1}]
    assert core.ended
    assert core.feed(sse({"n": 3})) == []
    assert core.end_round() == []


def test_start_round_resets_the_end_state_but_not_the_event_count() -> None:
    core = StreamCore(AGENT)
    core.feed(sse({"type": "finish"}))
    core.end_round()
    core.start_round()
    assert not core.ended and not core.finished and core.events == 1
    assert core.feed(b'data: {"type":"start"}\n\n') == [{"type": "start"}]
    assert core.events == 2


def test_pause_then_finish_clears_paused() -> None:
    events, core = parse_whole(AGENT, sse({"type": "tool-call-approval"}, {"type": "finish"}))
    assert len(events) == 2 and core.finished and not core.paused


def test_non_object_events_are_delivered() -> None:
    from mastra_client import validation_errors

    events, core = parse_whole(AGENT, b"data: 42\n\ndata: [1, 2]\n\ndata: [DONE]\n\n")
    assert events == [42, [1, 2]] and core.events == 2
    typed = AGENT_CHUNK.decode(42)  # a chunk all the same: the fallback, holding the value in its problem
    assert type(typed) is models.OtherAgentChunk and typed.type is None
    assert validation_errors(typed)[0]["input"] == 42


def test_event_with_a_non_string_type_is_delivered() -> None:
    from mastra_client import validation_errors

    events, core = parse_whole(AGENT, sse({"type": ["text-delta"], "payload": {}}))
    assert events == [{"type": ["text-delta"], "payload": {}}]
    typed = AGENT_CHUNK.decode(events[0])  # fits no model, not even the fallback: the fallback, kept as sent
    assert type(typed) is models.OtherAgentChunk and typed.type == ["text-delta"] and typed.payload == {}
    assert validation_errors(typed)[0]["loc"] == ("type",)


# --------------------------------------------------------------------------- chunk codec


def test_unknown_and_data_chunks_fall_back_keeping_every_field() -> None:
    data_chunk = {"type": "data-progress", "runId": "r1", "from": "USER", "data": {"percent": 40}, "id": "p1"}
    typed = AGENT_CHUNK.decode(data_chunk)
    assert type(typed) is models.OtherAgentChunk
    assert typed.type == "data-progress" and typed.run_id == "r1" and typed.from_ == "USER"
    assert typed.model_extra == {"data": {"percent": 40}, "id": "p1"}
    assert typed.model_dump(by_alias=True, exclude_unset=True) == data_chunk

    future = {"type": "brand-new-chunk", "payload": {"x": [1, 2]}, "extra": True}
    typed = AGENT_CHUNK.decode(future)
    assert type(typed) is models.OtherAgentChunk
    assert typed.payload == {"x": [1, 2]} and typed.model_extra == {"extra": True}

    workflow = WORKFLOW_EVENT.decode({"type": "workflow-step-new", "payload": {"id": "s"}, "meta": 1})
    assert type(workflow) is models.OtherWorkflowEvent
    assert workflow.payload == {"id": "s"} and workflow.model_extra == {"meta": 1}


def test_known_type_with_a_bad_payload_falls_back_instead_of_raising() -> None:
    bad = {"type": "text-delta", "runId": "r1", "payload": {"id": "t", "text": {"not": "a string"}}}
    typed = AGENT_CHUNK.decode(bad)
    assert type(typed) is models.OtherAgentChunk
    assert typed.type == "text-delta" and typed.payload == {"id": "t", "text": {"not": "a string"}}
    missing = AGENT_CHUNK.decode({"type": "tool-call", "payload": {"args": {}}})  # no toolCallId / toolName
    assert type(missing) is models.OtherAgentChunk
    good = AGENT_CHUNK.decode({"type": "text-delta", "payload": {"text": "ok"}})
    assert type(good) is models.TextDeltaChunk and good.payload.text == "ok"


def test_codec_resolves_models_lazily_once() -> None:
    from mastra_client._runtime._stream_core import ChunkCodec

    calls: list[int] = []

    def load() -> Any:
        calls.append(1)
        return {"finish": models.FinishChunk}, models.OtherAgentChunk

    codec = ChunkCodec("type", load)
    assert calls == []
    assert type(codec.decode({"type": "finish", "payload": {}})) is models.FinishChunk
    assert type(codec.decode({"type": "start", "payload": {}})) is models.OtherAgentChunk
    assert calls == [1]
