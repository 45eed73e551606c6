"""What a type checker sees of the generated client: checked by ``mypy --strict`` (tests/golden).

Never run: each ``assert_type`` states the type mypy must infer. Covers the results that used
to be ``Any`` (issue 16): raw and streamed responses, ``until_done()``, a structured output's
``object``, one usage type for streams and ``generate()``, chunk narrowing on ``chunk.type`` and
the chunk classes imported from the package itself.
"""

from __future__ import annotations

from typing import Any, Literal

from mastra_client import (
    AgentChunk,
    AgentStreamResult,
    AsyncMastraClient,
    AsyncStreamedResponse,
    ErrorEvent,
    FinishChunk,
    MastraClient,
    OtherAgentChunk,
    OtherWorkflowEvent,
    RawResponse,
    StreamedResponse,
    TextDeltaChunk,
    ToolCallChunk,
    WorkflowEvent,
    WorkflowFinishEvent,
    WorkflowStartEvent,
    WorkflowStreamResult,
    client_tool,
)
from mastra_client.models import AgentDetails, AgentGenerateResult, AgentUsage
from pydantic import BaseModel
from typing_extensions import assert_type


class Weather(BaseModel):
    city: str
    temperature: float


def raw_responses(client: MastraClient) -> None:
    raw = client.with_raw_response.agents.list_agents()
    assert_type(raw, RawResponse[dict[str, AgentDetails]])
    assert_type(raw.parse(), dict[str, AgentDetails])
    assert_type(raw.status_code, int)
    assert_type(client.with_raw_response.list_agents(), RawResponse[dict[str, AgentDetails]])
    generated = client.with_raw_response.get_agent("a").generate("hi", structured_output=Weather)
    assert_type(generated, RawResponse[AgentGenerateResult[Weather]])
    assert_type(generated.parse().object, Weather | None)
    with client.with_streaming_response.get_agent("v").voice_speak("Hi") as response:
        assert_type(response, StreamedResponse)
    with client.with_streaming_response.agents.list_agents() as listed:
        assert_type(listed.read(), bytes)


async def async_raw_responses(client: AsyncMastraClient) -> None:
    raw = await client.with_raw_response.agents.list_agents()
    assert_type(raw, RawResponse[dict[str, AgentDetails]])
    generated = await client.with_raw_response.get_agent("a").generate("hi", structured_output=Weather)
    assert_type(generated.parse().object, Weather | None)
    async with client.with_streaming_response.get_agent("v").voice_speak("Hi") as response:
        assert_type(response, AsyncStreamedResponse)


def structured_output_and_usage(client: MastraClient) -> None:
    agent = client.get_agent("a")
    answer = agent.generate("weather in Oslo?", structured_output=Weather)
    assert_type(answer.object, Weather | None)
    assert_type(answer.usage, AgentUsage | None)
    assert_type(agent.generate("hello").object, Any | None)
    with agent.stream("weather in Oslo?", structured_output=Weather) as stream:
        assert_type(stream.object, Weather | None)
        assert_type(stream.usage, AgentUsage | None)  # the model generate() answers with
    result = agent.stream("weather?", structured_output=Weather).until_done()
    assert_type(result, AgentStreamResult[AgentUsage, Weather])
    assert_type(result.object, Weather | None)
    assert_type(result.usage, AgentUsage | None)
    assert_type(agent.stream("hello").until_done().object, Any | None)


async def async_results(client: AsyncMastraClient) -> None:
    agent = client.get_agent("a")
    answer = await agent.generate("weather?", structured_output=Weather)
    assert_type(answer.object, Weather | None)
    result = await agent.stream("weather?", structured_output=Weather).until_done()
    assert_type(result, AgentStreamResult[AgentUsage, Weather])
    run = await client.get_workflow("w").create_run()
    assert_type(await run.stream(input_data={}).until_done(), WorkflowStreamResult)


def workflow_results(client: MastraClient) -> None:
    run = client.get_workflow("w").create_run()
    assert_type(run.stream(input_data={"name": "Ada"}).until_done(), WorkflowStreamResult)
    with run.stream(input_data={"name": "Ada"}) as events:
        for event in events:
            assert_type(event, WorkflowEvent)
            if event.type == "workflow-start":
                assert_type(event, WorkflowStartEvent | OtherWorkflowEvent)
            elif isinstance(event, WorkflowFinishEvent):
                assert_type(event.payload.workflow_status, str | None)
            elif event.type == "error":
                assert_type(event, ErrorEvent | OtherWorkflowEvent)


def chunk_narrowing(client: MastraClient) -> None:
    with client.get_agent("a").stream("hi") as stream:
        for chunk in stream:
            assert_type(chunk, AgentChunk)
            if chunk.type == "text-delta":
                # a text delta whose payload no longer fits arrives as the fallback, payload kept
                assert_type(chunk, TextDeltaChunk | OtherAgentChunk)
            elif chunk.type == "data-progress":  # an application's own chunk
                assert_type(chunk, OtherAgentChunk)
            if isinstance(chunk, TextDeltaChunk):
                assert_type(chunk.payload.text, str)
            elif isinstance(chunk, ToolCallChunk):
                assert_type(chunk.payload.tool_name, str)
            elif isinstance(chunk, FinishChunk):
                assert_type(chunk.type, Literal["finish"])


# README.md's stream example, as written there: it must pass ``mypy --strict`` too.
if __name__ == "__main__":
    client = MastraClient("http://localhost:4111")
    agent = client.get_agent("my-agent")

    with agent.stream("Tell me a story") as stream:  # the request goes out here
        for chunk in stream:  # typed: TextDeltaChunk, ToolCallChunk, ...
            if chunk.type == "text-delta":
                print(chunk.payload.text, end="")
    print(stream.finish_reason, stream.usage)  # also stream.text, stream.tool_calls

    with agent.stream("count to 3") as stream:
        for text in stream.text_stream:  # only the text deltas
            print(text, end="")

    @client_tool
    def change_color(color: str) -> dict[str, bool]:
        """Change the background color."""  # name, description and JSON schema
        return {"success": True}  # come from the function

    result = agent.stream("make it blue", client_tools=[change_color]).until_done()
    answer = agent.generate("make it blue", client_tools=[change_color])  # same loop, no stream

    print(agent.generate("weather in Oslo?", structured_output=Weather).object)  # a Weather

    paused = agent.stream("delete record 42").until_done()
    if paused.paused:  # a tool needs approval: no finish chunk
        approval = paused.pending_approvals[0]
        with agent.approve_tool_call(run_id=paused.run_id, tool_call_id=approval.payload.tool_call_id) as s:
            print(s.until_done().text)  # or decline_tool_call(...)

    run = client.get_workflow("my-workflow").create_run()
    with run.stream(input_data={"name": "Ada"}) as events:  # WorkflowStartEvent ... WorkflowFinishEvent
        for event in events:
            print(event.type)
    print(events.status, events.result, events.suspended)  # resume_stream(step=..., resume_data=...)
