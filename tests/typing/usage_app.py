"""Typed-to-the-app usage that ``mypy --strict`` checks with generated/ (test_golden.py).

Never run: it is only type-checked. The lines marked ``# type: ignore[...]`` are mistakes the
types must catch: with ``--strict`` (``warn_unused_ignores``) an ignore that is not needed is
itself an error, so each one proves that mypy rejects that call.
"""

from __future__ import annotations

from mastra_client import AsyncMastraClient, MastraClient
from mastra_client.app import (
    AsyncOrderPipelineRun,
    OrderPipelineInput,
    OrderPipelineInputCustomer,
    OrderPipelineInputItem,
    OrderPipelineOutput,
    OrderPipelineResult,
    OrderPipelineReviewOrderResume,
    OrderPipelineReviewOrderResumeReviewer,
    OrderPipelineReviewOrderSuspend,
    OrderPipelineRun,
    QuoteOrderInput,
    QuoteOrderOutput,
)
from mastra_client.models import WorkflowStartAsyncResponse


def sync_usage(client: MastraClient) -> None:
    pipeline = client.app.workflows.order_pipeline
    run: OrderPipelineRun = pipeline.create_run()
    order = OrderPipelineInput(
        customer=OrderPipelineInputCustomer(name="Ada", tier="pro"),
        items=[OrderPipelineInputItem(sku="A-1", quantity=2, unitPrice=5.0)],
    )
    result: OrderPipelineResult = run.start_async(input_data=order)
    untyped: WorkflowStartAsyncResponse = result  # still the untyped answer, with more
    suspended: OrderPipelineReviewOrderSuspend | None = result.suspend_payload("review-order")
    checks: list[str] = suspended.checks if suspended is not None else []
    decision = OrderPipelineReviewOrderResume(
        decision="approved", reviewer=OrderPipelineReviewOrderResumeReviewer(name="Bo")
    )
    done = run.resume_async(resume_data=decision, step="review-order")
    output: OrderPipelineOutput | None = done.result
    total: float = output.total if output is not None else 0.0
    run.start_async(input_data={"customer": {"name": "Ada"}, "items": []})  # a mapping: validated at run time
    run.start_async(input_data=decision)  # type: ignore[arg-type]
    pipeline.start_async(input_data=order, run_id=run.run_id)
    quote: QuoteOrderOutput = client.app.tools.quote_order.execute(data=QuoteOrderInput(items=[]))
    client.app.tools.quote_order.execute(data=order)  # type: ignore[arg-type]
    client.app.agents.tool_agent.generate("hello")
    print(untyped, checks, total, quote.total, client.check_app().matches)


async def async_usage(client: AsyncMastraClient) -> None:
    run: AsyncOrderPipelineRun = await client.app.workflows.order_pipeline.create_run()
    result: OrderPipelineResult = await run.start_async(input_data={"customer": {"name": "Ada"}, "items": []})
    stream = run.stream(input_data=OrderPipelineInput.model_validate({"customer": {"name": "A"}, "items": []}))
    quote: QuoteOrderOutput = await client.app.tools.quote_order.execute(data={"items": []})
    check = await client.check_app()
    print(result.result, stream, quote.currency, check.differences)
