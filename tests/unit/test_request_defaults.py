"""A body field the document marks required but gives a default (zod's ``.default()``) may be left out.

The keyword is optional in the signature; the request model must agree, or the call fails
client-side before sending. Left out, it is not sent: the server applies its own default.
"""

from __future__ import annotations

import json

import httpx
from mastra_client import MastraClient


def test_a_required_field_with_a_default_may_be_left_out() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    client = MastraClient("http://defaults.test", http_client=httpx.Client(transport=httpx.MockTransport(answer)))
    client.datasets.create_generate_item("d-1", model_id="openai/gpt-4o", prompt="ten questions")
    assert json.loads(sent[0].content) == {"modelId": "openai/gpt-4o", "prompt": "ten questions"}
    client.datasets.create_generate_item("d-1", model_id="m", prompt="p", count=7)
    assert json.loads(sent[1].content)["count"] == 7
