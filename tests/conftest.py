"""Shared fixtures: paths of the pinned specs and the checked-in client."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC_1_67 = ROOT / "specs" / "mastra-server-1.67.0.openapi.json"
SPEC_1_69 = ROOT / "specs" / "mastra-server-1.69.0.openapi.json"
GENERATED = ROOT / "generated"

# The checked-in client is importable as `mastra_client` in tests.
if str(GENERATED) not in sys.path:
    sys.path.insert(0, str(GENERATED))


@pytest.fixture(scope="session")
def pinned_spec() -> Path:
    return SPEC_1_67
