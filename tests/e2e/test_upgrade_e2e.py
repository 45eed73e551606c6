"""The whole e2e suite again, with a client generated from the 1.69.0 spec against @mastra/server 1.69.0.

An upgrade of the pinned Mastra version must not need new tests: the same
scenarios run in a nested pytest (``MASTRA_E2E_SERVER=1.69.0`` picks the
server install, ``MASTRA_E2E_CLIENT_DIR`` the fresh client), so whatever
the 1.69 server or the 1.69 spec changed shows up as a failing scenario.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .mastra_server import spec_for
from .nested import generate_client, run_suite, skip_if_nested

pytestmark = pytest.mark.e2e

UPGRADE_VERSION = "1.69.0"


def test_e2e_suite_passes_with_the_1_69_client_and_server(tmp_path: Path) -> None:
    skip_if_nested()
    from mastra_codegen.loader import load_spec

    spec = spec_for(UPGRADE_VERSION)
    client_dir = generate_client(spec, tmp_path)
    version_file = (client_dir / "mastra_client" / "_version.py").read_text(encoding="utf-8")
    assert load_spec(str(spec)).sha256 in version_file, "the client was not generated from the 1.69.0 spec"
    run = run_suite(f"1.69.0 client, @mastra/server {UPGRADE_VERSION}", server=UPGRADE_VERSION, client_dir=client_dir)
    assert not run.lacking, run.lacking  # the client and the server share one release: nothing is missing
