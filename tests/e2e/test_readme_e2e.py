"""The README's "Try it" examples, run as written against the app they name.

Each ```python block of that section is saved to a file and run in a fresh interpreter, in a
folder where ``mastra_client`` is the package under test, with ``MASTRA_BASE_URL`` pointing at
the session's server (the README's reader starts it on port 4111, the default). A block that
fails, or prints something other than what the README says it prints, fails here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import _client_package_dir
from .mastra_server import MastraTestServer
from .nested import skip_if_nested

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]

# What each block prints, in order (a sample: the README's comments say the rest).
EXPECTED = (
    (
        "Echo Agent\n",
        "Echo: hello stop\n21",
        "Echo: tell me a story\nstop",
        "['user', 'assistant']",
        "changing the color to blue",
        'Tool results: change_color -> {"success":true}',
        'Tool results: deleteRecord -> {"deleted":true,"id":"record-42"}',
    ),
    (
        "success {'greeting': 'Hello, Ada!', 'length': 11}",
        "workflow-start\nworkflow-step-start\n",
        "workflow-finish\nsuccess {'greeting': 'Hello, Grace!', 'length': 13}",
        "{'city': 'Lisbon', 'temperatureC': 16, 'conditions': 'sunny'}",
        "404 ",
        "Agent with id no-such-agent not found",
    ),
    ("w1 w2 w3 w4 w5 \nEcho: hello again",),
)


def try_it_blocks(readme: str) -> list[str]:
    """The ```python blocks of the README's "## Try it" section, in order."""
    start = readme.index("\n## Try it\n")
    end = readme.index("\n## ", start + 1)
    return re.findall(r"```python\n(.*?)```", readme[start:end], flags=re.DOTALL)


def test_the_readme_has_the_blocks_this_test_expects() -> None:
    blocks = try_it_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) == len(EXPECTED), "a block was added or removed: update EXPECTED"


@pytest.mark.parametrize("index", range(len(EXPECTED)))
def test_try_it_block_runs_as_written(index: int, mastra_server: MastraTestServer, tmp_path: Path) -> None:
    skip_if_nested()  # the README's blocks are for today's client and app
    block = try_it_blocks((ROOT / "README.md").read_text(encoding="utf-8"))[index]
    (tmp_path / "mastra_client").symlink_to(_client_package_dir(), target_is_directory=True)
    script = tmp_path / f"try_it_{index}.py"
    script.write_text(block, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("MASTRA_")}
    env |= {"MASTRA_BASE_URL": mastra_server.base_url, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, script.name], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"README block {index + 1} failed:\n{done.stdout}\n{done.stderr}"
    at = 0
    for expected in EXPECTED[index]:
        found = done.stdout.find(expected, at)
        assert found >= 0, f"README block {index + 1} should print {expected!r} (after offset {at}):\n{done.stdout}"
        at = found + len(expected)
