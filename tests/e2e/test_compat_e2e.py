"""Releases apart, either direction: the e2e suite with an older client, and against an older server.

In the field a vendored client lags its server, and one client talks to servers of
several releases. Two nested runs of the whole suite check both directions (issue 13):

- a client generated from an older release's spec (first half of the 1.x line) against
  the test server: every scenario whose routes that release had must pass;
- the current client (``generated/``) against the test app on an older @mastra/server
  (an npm ``overrides`` entry, like 1.69.0): every scenario whose routes that server has
  must pass, and the others skip, naming the routes the server lacks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .mastra_server import DEFAULT_SERVER_VERSION, OLDER_SERVER_VERSION
from .nested import generate_client, run_suite, skip_if_nested

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
OLDER_CLIENT_RELEASE = "1.15.0"
RELEASES = ROOT / "tests" / "fixtures" / "releases"


def test_a_client_of_an_older_release_against_the_test_server(tmp_path: Path) -> None:
    skip_if_nested()
    spec = RELEASES / f"mastra-server-{OLDER_CLIENT_RELEASE}.openapi.json"
    client_dir = generate_client(spec, tmp_path)
    run = run_suite(f"{OLDER_CLIENT_RELEASE} client, @mastra/server {DEFAULT_SERVER_VERSION}", client_dir=client_dir)
    assert run.counts.get("passed", 0) >= 60, run.counts  # most scenarios are older than 1.15
    assert all("the client's release lacks" in reason for reason in run.lacking), run.lacking


def test_the_current_client_against_an_older_server() -> None:
    skip_if_nested()
    run = run_suite(f"current client, @mastra/server {OLDER_SERVER_VERSION}", server=OLDER_SERVER_VERSION)
    assert run.counts.get("passed", 0) >= 60, run.counts
    assert all("the server's release lacks" in reason for reason in run.lacking), run.lacking
