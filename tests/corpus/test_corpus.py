"""Real-world OpenAPI documents (tests/fixtures/corpus) through the whole CLI.

Each one must generate without a traceback (ruff runs inside generation), pass
``mypy --strict``, import every module, and build its client. They are documents
mastra-codegen was not written for: a failure here is a robustness bug, not a
missing Mastra feature.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
DOCUMENTS = {
    "tgi": "tgi/tgi-3.3.6.openapi.json",
    "openai_2024": "openai-2024/openai-2024-01-18.openapi.yaml",
    "letta": "letta/letta-2026-03-26.openapi.json",
    "openai_2026": "openai-2026/openai-2026-08-21.openapi.json",
    "stripe": "stripe/stripe-2022-04-12.spec3.json",
}
LARGE = {"letta", "openai_2026", "stripe"}  # megabytes each: marked slow, still run by CI

TESTS = Path(__file__).resolve().parents[1]  # package_checks.py, for the fresh interpreter
IMPORT_ALL = """
import sys, warnings
from package_checks import import_everything
warnings.simplefilter("error")
package = import_everything(sys.argv[1])
client = package.MastraClient("http://localhost:1")
async_client = package.AsyncMastraClient("http://localhost:1")
print(len(sys.modules[sys.argv[1] + ".models"].__all__))
"""


def _params() -> list[object]:
    return [pytest.param(name, marks=[pytest.mark.slow] if name in LARGE else [], id=name) for name in DOCUMENTS]


@pytest.fixture(scope="module", params=_params())
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    name: str = request.param
    out = tmp_path_factory.mktemp("corpus") / name
    done = subprocess.run(
        [sys.executable, "-m", "mastra_codegen", str(CORPUS / DOCUMENTS[name]), "-o", str(out), "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def test_passes_mypy_strict(generated: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", "/dev/null", generated.name],
        cwd=generated.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:]


def test_every_module_imports_and_every_model_is_complete(generated: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, generated.name],
        cwd=generated.parent,
        env={**os.environ, "PYTHONPATH": str(TESTS)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert int(done.stdout.split()[-1]) > 0


DOCS_CHECK = """
import sys
from pathlib import Path
from test_package_docs import assert_api_md_matches_the_package, check_readme_examples
print(assert_api_md_matches_the_package(Path(sys.argv[1]).resolve()))
check_readme_examples(Path(sys.argv[1]).resolve())
"""


def test_api_md_and_readme_match_the_package(generated: Path) -> None:
    """Every method is in api.md with its parameters and result; the README's examples compile and
    call only what the package has (tests/unit/test_package_docs.py)."""
    done = subprocess.run(
        [sys.executable, "-c", DOCS_CHECK, generated.name],
        cwd=generated.parent,
        env={**os.environ, "PYTHONPATH": str(TESTS / "unit")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    assert int(done.stdout.split()[0]) > 0
