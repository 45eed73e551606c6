"""Shared fixtures: paths of the pinned specs and the checked-in client."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC_1_67 = ROOT / "specs" / "mastra-server-1.67.0.openapi.json"
SPEC_1_69 = ROOT / "specs" / "mastra-server-1.69.0.openapi.json"
GENERATED = ROOT / "generated"

CLIENT_DIR_ENV = "MASTRA_E2E_CLIENT_DIR"
"""Env var naming a directory that holds another ``mastra_client`` package (e.g. one
generated from the 1.69.0 spec), so the e2e suite can test that client unchanged."""

# The checked-in client, or the one in $MASTRA_E2E_CLIENT_DIR, is importable as
# `mastra_client` in tests (first on sys.path, ahead of anything named alike).
CLIENT_DIR = Path(os.environ[CLIENT_DIR_ENV]).resolve() if os.environ.get(CLIENT_DIR_ENV) else GENERATED
if str(CLIENT_DIR) not in sys.path:
    sys.path.insert(0, str(CLIENT_DIR))


@pytest.fixture(scope="session")
def pinned_spec() -> Path:
    return SPEC_1_67
