"""MastraClient's platform methods against the real server, with the sync and the async client.

Observability reads (on the test app's LibSQL store: traces and the score rows of the scores
store), datasets with their items and experiments, schedules, and the background-task
subscription. Each scenario runs with MastraClient and with AsyncMastraClient.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from .routes import run_declared, uses

pytestmark = pytest.mark.e2e


async def call(value: Any) -> Any:
    """Await what the async client returns; pass the sync client's results through."""
    return await value if inspect.isawaitable(value) else value


Scenario = Callable[[Any], Awaitable[None]]
SCENARIOS: list[Scenario] = []


def scenario(fn: Scenario) -> Scenario:
    SCENARIOS.append(fn)
    return fn


@scenario
@uses(
    "GET /observability/traces",
    "GET /observability/traces/light",
    "GET /observability/traces/{traceId}",
    "GET /observability/traces/{traceId}/{spanId}/scores",
    "GET /observability/discovery/tags",
    "POST /observability/traces/delete",
    "POST /scores",
    "GET /scores/run/{runId}",
    "GET /scores/scorer/{scorerId}",
)
async def observability_reads(c: Any) -> None:
    from mastra_client import NotFoundError, models

    traces = await call(c.list_traces(page=0, per_page=5))
    assert traces.pagination.per_page == 5 and isinstance(traces.spans, list)
    legacy = await call(c.get_traces(page=0, per_page=5, name="nothing-like-this"))
    assert legacy.spans == []
    light = await call(c.list_traces_light(per_page=5))
    assert isinstance(light.spans, list)
    with pytest.raises(NotFoundError):
        await call(c.get_trace(f"trace-{uuid.uuid4().hex}"))
    assert (await call(c.list_scores_by_span(trace_id="t-none", span_id="s-none"))).scores == []
    assert isinstance((await call(c.get_tags())).tags, list)
    assert (await call(c.delete_traces(trace_ids=[f"trace-{uuid.uuid4().hex}"]))).success is True
    # Score rows, typed (the document declares them as anything).
    run_id = f"run-{uuid.uuid4().hex}"
    saved = await call(
        c.save_score(
            score={
                "scorerId": "e2e-scorer",
                "entityId": "echo-agent",
                "entityType": "AGENT",
                "runId": run_id,
                "score": 0.5,
                "reason": "half right",
                "output": {"text": "hi"},
                "scorer": {"id": "e2e-scorer"},
                "source": "TEST",
                "entity": {"id": "echo-agent"},
            }
        )
    )
    assert isinstance(saved.score, models.ScoreRow) and saved.score.run_id == run_id
    page = await call(c.list_scores_by_run_id(run_id))
    assert isinstance(page, models.ScoreRowPage)
    [row] = page.scores
    assert (row.id, row.scorer_id, row.score, row.reason) == (saved.score.id, "e2e-scorer", 0.5, "half right")
    by_scorer = await call(c.list_scores_by_scorer_id("e2e-scorer", per_page=100))
    assert saved.score.id in {r.id for r in by_scorer.scores}


@scenario
@uses(
    "POST /datasets",
    "GET /datasets",
    "GET /datasets/{datasetId}",
    "PATCH /datasets/{datasetId}",
    "DELETE /datasets/{datasetId}",
    "POST /datasets/{datasetId}/items",
    "POST /datasets/{datasetId}/items/batch",
    "GET /datasets/{datasetId}/items",
    "GET /datasets/{datasetId}/items/{itemId}",
    "PATCH /datasets/{datasetId}/items/{itemId}",
    "GET /datasets/{datasetId}/items/{itemId}/history",
    "GET /datasets/{datasetId}/versions",
    "POST /datasets/{datasetId}/experiments",
    "GET /datasets/{datasetId}/experiments",
    "GET /datasets/{datasetId}/experiments/{experimentId}",
    "PATCH /datasets/{datasetId}/experiments/{experimentId}",
    "GET /datasets/{datasetId}/experiments/{experimentId}/results",
    "DELETE /datasets/{datasetId}/experiments/{experimentId}",
    "GET /experiments",
    "GET /experiments/review-summary",
)
async def datasets_and_experiments(c: Any) -> None:
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    dataset = await call(c.create_dataset(name=name, description="platform e2e"))
    try:
        assert (await call(c.get_dataset(dataset.id))).name == name
        await call(c.update_dataset(dataset.id, description="renamed"))
        assert (await call(c.get_dataset(dataset.id))).description == "renamed"
        assert dataset.id in {d.id for d in (await call(c.list_datasets(per_page=100))).datasets}
        item = await call(
            c.add_dataset_item(dataset.id, input={"name": "ada"}, ground_truth={"greeting": "Hello, ADA!"})
        )
        await call(
            c.batch_insert_dataset_items(dataset.id, items=[{"input": {"name": "bob"}}, {"input": {"name": "cy"}}])
        )
        items = await call(c.list_dataset_items(dataset.id, per_page=10))
        assert len(items.items) == 3
        assert (await call(c.get_dataset_item(dataset.id, item.id))).input == {"name": "ada"}
        await call(c.update_dataset_item(dataset.id, item.id, input={"name": "ada lovelace"}))
        assert len((await call(c.get_item_history(dataset.id, item.id))).history) >= 1
        assert (await call(c.list_dataset_versions(dataset.id))).versions
        # createDatasetExperiment: created, not started (client-js sends start: false).
        pending = await call(c.create_dataset_experiment(dataset.id, name="pending"))
        experiment_id = pending.experiment_id
        assert (await call(c.get_dataset_experiment(dataset.id, experiment_id))).name == "pending"
        await call(c.update_dataset_experiment(dataset.id, experiment_id, description="by the e2e test"))
        listed = await call(c.list_dataset_experiments(dataset.id))
        assert experiment_id in {e.id for e in listed.experiments}
        assert experiment_id in {e.id for e in (await call(c.list_experiments(per_page=100))).experiments}
        results = await call(c.list_dataset_experiment_results(dataset.id, experiment_id, tags=["a", "b"]))
        assert results.results == []
        assert isinstance((await call(c.get_experiment_review_summary())).counts, list)
        await call(c.delete_dataset_experiment(dataset.id, experiment_id))
    finally:
        await call(c.delete_dataset(dataset.id))


@scenario
@uses(
    "POST /schedules",
    "GET /schedules",
    "GET /schedules/{scheduleId}",
    "PATCH /schedules/{scheduleId}",
    "POST /schedules/{scheduleId}/pause",
    "POST /schedules/{scheduleId}/resume",
    "GET /schedules/{scheduleId}/triggers",
    "DELETE /schedules/{scheduleId}",
)
async def schedules(c: Any) -> None:
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    created = await call(
        c.create_schedule(
            workflow_id="greeting-workflow", cron="0 0 1 1 *", input_data={"name": "x"}, metadata={"e2e": name}
        )
    )
    schedule_id = created.id  # the server's own id ("schedule_...")
    try:
        assert created.status == "active"
        assert schedule_id in {s.id for s in (await call(c.list_schedules(workflow_id="greeting-workflow"))).schedules}
        assert (await call(c.get_schedule(schedule_id))).cron == "0 0 1 1 *"
        updated = await call(c.update_schedule(schedule_id, cron="0 0 2 1 *"))
        assert updated.cron == "0 0 2 1 *"
        assert (await call(c.pause_schedule(schedule_id))).status == "paused"
        assert (await call(c.resume_schedule(schedule_id))).status == "active"
        assert (await call(c.list_schedule_triggers(schedule_id, limit=5))).triggers == []
    finally:
        await call(c.delete_schedule(schedule_id))


async def _chunks_until(stream: Any, last_type: str) -> list[Any]:
    """The stream's chunks up to the first of ``last_type``, then the stream is closed."""
    chunks: list[Any] = []
    if hasattr(stream, "__aenter__"):
        async with stream as s:
            async for chunk in s:
                chunks.append(chunk)
                if chunk.type == last_type:
                    break
    else:
        with stream as s:
            for chunk in s:
                chunks.append(chunk)
                if chunk.type == last_type:
                    break
    return chunks


@scenario
@uses(
    "POST /agents/{agentId}/generate",
    "GET /background-tasks",
    "GET /background-tasks/{backgroundTaskId}",
    "GET /background-tasks/stream",
)
async def background_tasks(c: Any) -> None:
    from mastra_client import APITimeoutError, models

    # background-agent's tool runs in the background for 1.5 s; the agent answers at once.
    answer = await call(c.get_agent("background-agent").generate("sleep 1500"))
    [task] = (await call(c.list_background_tasks(run_id=answer.run_id))).tasks
    assert (task.tool_name, task.agent_id) == ("slowTask", "background-agent")
    # The subscription first reports the tasks running now, then what happens to them.
    chunks = await _chunks_until(
        c.stream_background_tasks(task_id=task.id, idle_timeout=10), "background-task-completed"
    )
    assert isinstance(chunks[0], models.BackgroundTaskRunningChunk)
    assert chunks[0].payload.task_id == task.id and chunks[0].payload.args == {"ms": 1500}
    done = chunks[-1]
    assert isinstance(done, models.BackgroundTaskCompletedChunk) and done.payload.result == {"slept": 1500}
    assert (await call(c.get_background_task(task.id))).status == "completed"
    # Silent while nothing of its tasks runs: the caller's idle timeout ends it.
    with pytest.raises(APITimeoutError, match="went silent"):
        await _chunks_until(c.stream_background_tasks(agent_id="no-such-agent", idle_timeout=0.3), "never")


@scenario
@uses("GET /processors", "GET /processors/{processorId}", "POST /processors/{processorId}/execute")
async def processors(c: Any) -> None:
    assert "shout-processor" in await call(c.list_processors(request_context={"tenant": "acme"}))
    processor = c.get_processor("shout-processor")
    details = await call(processor.details(request_context={"tenant": "acme"}))
    assert (details.name, details.phases) == ("Shout Processor", ["input"])
    message = {
        "id": "m1",
        "role": "user",
        "createdAt": "2026-01-01T00:00:00.000Z",
        "content": {"format": 2, "parts": [{"type": "text", "text": "hello there"}]},
    }
    result = await call(processor.execute(phase="input", messages=[message], request_context={"tenant": "acme"}))
    assert result.success is True
    [out] = result.messages
    assert out.content.parts[0]["text"] == "HELLO THERE"


@pytest.mark.parametrize("scenario_fn", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
async def test_scenario(
    any_client: Any, scenario_fn: Scenario, available_routes: Any, route_matcher: Any, mastra_server_version: str
) -> None:
    await run_declared(scenario_fn, any_client, available_routes, route_matcher, mastra_server_version)
