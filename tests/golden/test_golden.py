"""generated/ must be exactly what a fresh run produces from the pinned spec."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mastra_codegen.pipeline import check, generate
from mastra_codegen.writer import read_files

ROOT = Path(__file__).resolve().parents[2]
CHECKED_IN = ROOT / "generated" / "mastra_client"
# generated/ is typed to the e2e test server's app (``--app``): the snapshot of that app.
APP_SNAPSHOT = ROOT / "tests" / "fixtures" / "app" / "e2e-app.json"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "mastra_client"
    from mastra_codegen.app_model import read_snapshot

    generate(str(ROOT / "specs" / "mastra-server-1.67.0.openapi.json"), out, app=read_snapshot(APP_SNAPSHOT))
    return out


def test_generated_matches_a_fresh_run(fresh: Path) -> None:
    expected, actual = read_files(fresh), read_files(CHECKED_IN)
    assert sorted(expected) == sorted(actual), "file lists differ: regenerate generated/ (see README)"
    different = [name for name in expected if expected[name] != actual[name]]
    assert not different, f"regenerate generated/ (see README); these differ: {different[:5]}"


def test_the_1_69_spec_generates_is_up_to_date_and_imports(tmp_path: Path) -> None:
    """The upgrade's spec through the whole pipeline (ruff included); ``--check`` agrees with it."""
    spec = str(ROOT / "specs" / "mastra-server-1.69.0.openapi.json")
    out = tmp_path / "mastra_client"
    generate(spec, out)
    assert check(spec, out).up_to_date
    code = (
        "import importlib, pkgutil, mastra_client, mastra_client.models as m, mastra_client.resources as r\n"
        "[getattr(m, n) for n in m.__all__]\n"
        "[importlib.import_module('mastra_client.resources.' + i.name) for i in pkgutil.iter_modules(r.__path__)]\n"
        "c = mastra_client.MastraClient('http://localhost:1')\n"
        "assert callable(c.observability.threads_query)\n"  # new in 1.69.0
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


def test_runtime_imports_only_httpx_and_pydantic() -> None:
    allowed = {"httpx", "pydantic", "pydantic_core", "typing_extensions"}
    for path in CHECKED_IN.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                top = node.module.split(".")[0]
            elif isinstance(node, ast.Import):
                top = node.names[0].name.split(".")[0]
            else:
                continue
            assert top in sys.stdlib_module_names or top in allowed, f"{path}: imports {top}"


TYPING = ROOT / "tests" / "typing"  # usage files whose assert_type calls state what mypy must infer


def readme_blocks() -> list[str]:
    """The README's ```python blocks that use the client: its examples are typed as written."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return [block for block in re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL) if "mastra_client" in block]


def test_mypy_strict_is_clean(tmp_path: Path) -> None:
    """The package, the usage files of tests/typing and the README's examples, in one mypy run."""
    blocks = readme_blocks()
    assert len(blocks) >= 5, "the README's examples were not found"
    for index, block in enumerate(blocks):
        (tmp_path / f"readme_example_{index}.py").write_text(block, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "mastra_client", str(TYPING), str(tmp_path)],
        cwd=CHECKED_IN.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]


def test_ruff_is_clean() -> None:
    from mastra_codegen.fmt import RUFF_IGNORE, RUFF_RULES, RUFF_SETTINGS, ruff_bin

    check = [
        ruff_bin(),
        "check",
        *RUFF_SETTINGS,
        "--select",
        RUFF_RULES,
        "--ignore",
        RUFF_IGNORE,
        str(CHECKED_IN),
    ]
    assert subprocess.run(check, capture_output=True, check=False).returncode == 0
    fmt = [ruff_bin(), "format", "--check", *RUFF_SETTINGS, str(CHECKED_IN)]
    assert subprocess.run(fmt, capture_output=True, check=False).returncode == 0


def test_every_model_and_resource_module_imports() -> None:
    code = (
        "import importlib, pkgutil, mastra_client, mastra_client.models as m, mastra_client.resources as r\n"
        "[getattr(m, n) for n in m.__all__]\n"
        "[importlib.import_module('mastra_client.resources.' + i.name) for i in pkgutil.iter_modules(r.__path__)]\n"
        "c = mastra_client.MastraClient('http://localhost:1')\n"
        "assert c.get_agent('a').agent_id == 'a'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=CHECKED_IN.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_every_exported_name_resolves_and_means_one_thing() -> None:
    """``__all__`` (chunk and event classes included) names no name twice, and each imports."""
    code = (
        "import mastra_client as p\n"
        "assert len(set(p.__all__)) == len(p.__all__)\n"
        "[getattr(p, n) for n in p.__all__]\n"
        "from mastra_client import TextDeltaChunk, WorkflowStartEvent, AgentChunk\n"
        "assert TextDeltaChunk.__name__ == 'TextDeltaChunk'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=CHECKED_IN.parent, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]


def test_importing_the_package_does_not_load_models_resources_or_streams() -> None:
    code = (
        "import sys, mastra_client\nmastra_client.MastraClient('http://localhost:1')\n"
        "lazy = ('mastra_client.models.', 'mastra_client.resources.', 'mastra_client._runtime._stream', "
        "'mastra_client._runtime._tools', 'mastra_client._chunks')\n"
        "loaded = [m for m in sys.modules if m.startswith(lazy)]\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=CHECKED_IN.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
