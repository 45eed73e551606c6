"""The whole e2e suite again, with a client generated from the 1.69.0 spec against @mastra/server 1.69.0.

An upgrade of the pinned Mastra version must not need new tests: the same
scenarios run in a nested pytest (``MASTRA_E2E_SERVER=1.69.0`` picks the
server install, ``MASTRA_E2E_CLIENT_DIR`` the fresh client), so whatever
the 1.69 server or the 1.69 spec changed shows up as a failing scenario.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .mastra_server import SERVER_VERSION_ENV, spec_for

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
UPGRADE_VERSION = "1.69.0"
NESTED_TIMEOUT_S = 900
_TAIL_LINES = 80


def _tail(text: str, lines: int = _TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _codegen_command() -> list[str]:
    """The installed ``mastra-codegen`` next to this interpreter, else the same CLI via ``-c``."""
    script = Path(sys.executable).parent / "mastra-codegen"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from mastra_codegen.cli import main; sys.exit(main())"]


def test_e2e_suite_passes_with_the_1_69_client_and_server(tmp_path: Path) -> None:
    if os.environ.get(SERVER_VERSION_ENV):
        pytest.skip(f"{SERVER_VERSION_ENV} is set: this is the nested run (or a chosen server) already")

    from mastra_codegen.loader import load_spec

    spec = spec_for(UPGRADE_VERSION)
    out = tmp_path / "mastra_client"
    generated = subprocess.run(
        [*_codegen_command(), str(spec), "-o", str(out), "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert generated.returncode == 0, f"mastra-codegen failed:\n{_tail(generated.stdout + generated.stderr)}"
    version_file = (out / "_version.py").read_text(encoding="utf-8")
    assert load_spec(str(spec)).sha256 in version_file, "the client was not generated from the 1.69.0 spec"

    env = {**os.environ, SERVER_VERSION_ENV: UPGRADE_VERSION, "MASTRA_E2E_CLIENT_DIR": str(tmp_path)}
    started = time.monotonic()
    try:
        nested = subprocess.run(
            [sys.executable, "-m", "pytest", "tests/e2e", "-q", "-p", "no:cacheprovider"],
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
        pytest.fail(f"nested 1.69.0 e2e run exceeded {NESTED_TIMEOUT_S} s:\n{_tail(output)}")
    elapsed = time.monotonic() - started
    assert nested.returncode == 0, (
        f"e2e suite with the 1.69.0 client and @mastra/server 1.69.0 failed "
        f"(exit {nested.returncode}, {elapsed:.0f} s):\n{_tail(nested.stdout)}"
    )
