"""The generated package's models in wire form (to_dict, to_json) and its logging (MASTRA_LOG,
httpx's request line without credentials), through the checked-in client and MockTransport."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from mastra_client import AsyncMastraClient, MastraClient, models
from mastra_client._runtime import _logging

RUNS = {
    "runs": [
        {
            "workflowName": "w",
            "runId": "r1",
            "snapshot": {"status": "success"},
            "createdAt": "2025-01-02T03:04:05Z",
            "updatedAt": "2025-01-02T03:04:06Z",
            "serverOnly": {"nested": [1, 2]},
        }
    ],
    "total": 1,
    "cursor": "next",
}


def _client(answer: Any, seen: list[httpx.Request] | None = None, **kwargs: Any) -> MastraClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(200, json=answer)

    return MastraClient(
        "http://mastra.test", http_client=httpx.Client(transport=httpx.MockTransport(handler)), **kwargs
    )


# --------------------------------------------------------------------------- to_dict / to_json


def test_to_dict_gives_wire_names_set_fields_and_extras_of_nested_models() -> None:
    page = _client(RUNS).workflows.list_runs("w")
    assert page.total == 1 and type(page.total) is int  # the shipped `integers:` rule: a count is an int
    data = page.to_dict()
    assert data["runs"][0]["runId"] == "r1"  # wire names, also in a nested model
    assert "resourceId" not in data["runs"][0]  # not sent: left out, not null
    assert data["runs"][0]["serverOnly"] == {"nested": [1, 2]}  # a field the client does not know
    assert data["cursor"] == "next"
    assert page.to_dict(use_api_names=False)["runs"][0]["run_id"] == "r1"
    assert json.loads(page.to_json()) == {**RUNS, "runs": [{**RUNS["runs"][0]}]}  # the answer as it came
    assert page.to_dict(mode="json")["runs"][0]["createdAt"] == "2025-01-02T03:04:05Z"
    assert "\n" not in page.to_json(indent=None)


def test_a_model_built_leniently_writes_back_what_the_server_sent() -> None:
    broken = {**RUNS, "total": "many", "runs": [{"runId": 7}]}  # wrong types, missing fields
    page = _client(broken).workflows.list_runs("w")
    assert page.total == "many"  # type: ignore[comparison-overlap]
    assert json.loads(page.to_json()) == broken  # no warning, nothing invented (the missing fields stay out)


def test_a_model_built_by_the_caller_keeps_only_what_was_passed() -> None:
    run = models.WorkflowRunsResponseRun(
        workflowName="w", runId="r", snapshot="s", createdAt="2025-01-01T00:00:00Z", updatedAt="2025-01-01T00:00:00Z"
    )
    assert set(run.to_dict()) == {"workflowName", "runId", "snapshot", "createdAt", "updatedAt"}
    assert run.to_dict(exclude_unset=False)["resourceId"] is None


def test_root_models_have_the_same_methods() -> None:
    root = models.ExecutionPathItem(3)
    assert root.to_dict() == 3 and root.to_json() == "3"


# --------------------------------------------------------------------------- httpx's request line


@pytest.fixture
def httpx_info(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.INFO, logger="httpx")
    yield caplog


def _httpx_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "httpx"]


@pytest.mark.parametrize(
    "url",
    [
        "http://mastra.test/api/agents?token=tok-SECRET&page=2",
        "http://mastra.test/api/agents?api_key=tok-SECRET",
        "http://mastra.test/api/agents?signature=tok-SECRET&access_token=tok-SECRET",
        "http://user:tok-SECRET@mastra.test/api/agents",
    ],
)
def test_httpx_info_line_is_redacted(httpx_info: pytest.LogCaptureFixture, url: str) -> None:
    client = _client({})  # installs the filter on httpx's logger
    with client._client as http:  # the client's own httpx.Client, MockTransport behind it
        http.get(url)
    lines = _httpx_lines(httpx_info)
    assert lines and lines[-1].startswith("HTTP Request: GET http://")
    assert "tok-SECRET" not in lines[-1]
    assert "redacted" in lines[-1] or "@" not in lines[-1]  # a query value is replaced, user info dropped
    assert "page=2" in lines[-1] or "page" not in url  # other parameters stay readable


async def test_async_client_installs_the_filter_too(httpx_info: pytest.LogCaptureFixture) -> None:
    logging.getLogger("httpx").filters.clear()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        AsyncMastraClient("http://mastra.test", http_client=http)
        await http.get("http://mastra.test/api/x?password=tok-SECRET")
    assert "tok-SECRET" not in _httpx_lines(httpx_info)[-1]


def test_a_generated_call_logs_no_credential(httpx_info: pytest.LogCaptureFixture) -> None:
    seen: list[httpx.Request] = []
    client = _client(RUNS, seen)
    client.workflows.list_runs("w", extra_query={"token": "tok-SECRET"})
    assert seen[0].url.params["token"] == "tok-SECRET"  # sent as given
    assert all("tok-SECRET" not in line for line in _httpx_lines(httpx_info))


# --------------------------------------------------------------------------- MASTRA_LOG


class Loggers:
    """The package's and httpx's loggers, and whether the program configured logging itself."""

    names = ("mastra_client", "httpx")

    def __init__(self) -> None:
        self.program_configured = False  # pytest's own capture handlers on the root logger aside

    def added(self) -> list[logging.Handler]:
        return [h for n in self.names for h in logging.getLogger(n).handlers if isinstance(h, _logging._Handler)]


@pytest.fixture
def loggers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Loggers]:
    state = Loggers()
    saved = {n: (logging.getLogger(n).level, list(logging.getLogger(n).handlers)) for n in state.names}
    monkeypatch.setattr(_logging, "_configured", lambda: state.program_configured)
    yield state
    for name, (level, handlers) in saved.items():
        logging.getLogger(name).setLevel(level)
        logging.getLogger(name).handlers = handlers


@pytest.mark.parametrize(
    ("value", "level"), [("debug", logging.DEBUG), ("INFO", logging.INFO), (" info ", logging.INFO)]
)
def test_mastra_log_switches_logging_on_once(loggers: Loggers, value: str, level: int) -> None:
    assert _logging.setup_logging({"MASTRA_LOG": value}) == level
    assert _logging.setup_logging({"MASTRA_LOG": value}) == level  # again: still one handler per logger
    assert logging.getLogger("mastra_client").level == level == logging.getLogger("httpx").level
    handlers = loggers.added()
    assert len(handlers) == 2
    assert all(isinstance(h, logging.StreamHandler) and h.stream is sys.stderr for h in handlers)


def test_mastra_log_is_read_when_a_client_is_built(loggers: Loggers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MASTRA_LOG", "debug")
    _client({})
    assert logging.getLogger("mastra_client").isEnabledFor(logging.DEBUG)
    assert len(loggers.added()) == 2


def test_a_program_with_its_own_logging_setup_gets_only_the_levels(loggers: Loggers) -> None:
    loggers.program_configured = True
    assert _logging.setup_logging({"MASTRA_LOG": "info"}) == logging.INFO
    assert logging.getLogger("mastra_client").level == logging.INFO
    assert loggers.added() == []  # its handlers print; no line twice


def test_other_values_are_ignored_with_a_warning(loggers: Loggers) -> None:
    before = logging.getLogger("mastra_client").level
    with pytest.warns(RuntimeWarning, match="MASTRA_LOG='verbose' is not one of debug, info"):
        assert _logging.setup_logging({"MASTRA_LOG": "verbose"}) is None
    assert _logging.setup_logging({}) is None
    assert logging.getLogger("mastra_client").level == before and loggers.added() == []


def test_debug_lines_reach_stderr_without_credentials(
    loggers: Loggers, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MASTRA_LOG", "debug")
    monkeypatch.setattr(sys, "stderr", sys.__stderr__)  # the handler writes where the program's stderr is
    client = _client(RUNS, api_key="sk-SECRET-key")
    client.workflows.list_runs("w", extra_query={"token": "tok-SECRET"})
    err = capfd.readouterr().err
    assert "HTTP Request: GET http://mastra.test/api/workflows/w/runs" in err  # httpx's line
    assert "DEBUG mastra_client: HTTP request: GET" in err  # the package's own
    assert "SECRET" not in err
