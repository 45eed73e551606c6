"""Run the whole e2e suite again in a nested pytest, with another client or another server.

``MASTRA_E2E_CLIENT_DIR`` names the folder of the ``mastra_client`` under test and
``MASTRA_E2E_SERVER`` the @mastra/server install (``mastra_server.SERVER_DIRS``); the nested
run skips the tests that start nested runs themselves. Scenarios whose routes the client or
the server lacks skip themselves (``routes.py``); every other one must pass.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .mastra_server import SERVER_VERSION_ENV

ROOT = Path(__file__).resolve().parents[2]
CLIENT_DIR_ENV = "MASTRA_E2E_CLIENT_DIR"
NESTED_ENV = "MASTRA_E2E_NESTED"
NESTED_TIMEOUT_S = 900
_TAIL_LINES = 80


def tail(text: str, lines: int = _TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def skip_if_nested() -> None:
    """A nested run (or a run the caller pointed at another client or server) does not nest again."""
    for name in (NESTED_ENV, SERVER_VERSION_ENV, CLIENT_DIR_ENV):
        if os.environ.get(name):
            pytest.skip(f"{name} is set: this is a nested run, or a chosen client or server already")


def codegen_command() -> list[str]:
    """The installed ``mastra-codegen`` next to this interpreter, else the same CLI via ``-m``."""
    script = Path(sys.executable).parent / "mastra-codegen"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "mastra_codegen"]


def generate_client(spec: Path, folder: Path) -> Path:
    """``folder/mastra_client`` generated from ``spec``; returns ``folder`` (for CLIENT_DIR_ENV)."""
    done = subprocess.run(
        [*codegen_command(), str(spec), "-o", str(folder / "mastra_client"), "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"mastra-codegen {spec.name} failed:\n{tail(done.stdout + done.stderr)}"
    return folder


@dataclass(frozen=True)
class NestedRun:
    counts: dict[str, int]  # passed, skipped, ...
    lacking: list[str]  # skip reasons of scenarios whose routes the client or server lacks


def run_suite(label: str, *, server: str | None = None, client_dir: Path | None = None) -> NestedRun:
    """Run tests/e2e nested; fail with the tail of its output unless it passes."""
    env = {**os.environ, NESTED_ENV: "1"}
    if server is not None:
        env[SERVER_VERSION_ENV] = server
    if client_dir is not None:
        env[CLIENT_DIR_ENV] = str(client_dir)
    started = time.monotonic()
    try:
        nested = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/e2e", "-q", "-p", "no:cacheprovider", "-rs"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=NESTED_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        output = exc.output.decode(errors="replace") if isinstance(exc.output, bytes) else exc.output or ""
        pytest.fail(f"nested e2e run ({label}) exceeded {NESTED_TIMEOUT_S} s:\n{tail(output)}")
    elapsed = time.monotonic() - started
    print(f"\nnested e2e run ({label}), {elapsed:.0f} s:\n{tail(nested.stdout, 400)}")
    assert nested.returncode == 0, (
        f"e2e suite ({label}) failed (exit {nested.returncode}, {elapsed:.0f} s):\n{tail(nested.stdout)}"
    )
    summary = nested.stdout.strip().splitlines()[-1]
    counts = {word: int(count) for count, word in re.findall(r"(\d+) (passed|skipped|failed|errors?)", summary)}
    lacking = [line for line in nested.stdout.splitlines() if line.startswith("SKIPPED") and " lacks " in line]
    return NestedRun(counts, lacking)
