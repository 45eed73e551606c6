"""The generator and the client it writes on every Python the project supports (3.10 to 3.13).

The whole suite runs on one interpreter; this smoke test runs on each of the others the
machine has: a fresh venv with the generator installed, a client generated from the shipped
spec, imported and used (MockTransport), and the unit tests of the runtime. Interpreters are
found on PATH (``python3.X``) and under pyenv (``$PYENV_ROOT/versions``); a version the machine
lacks is skipped, saying so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the generator depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "specs" / "mastra-server-1.67.0.openapi.json"
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")

# Quick unit tests that exercise the generated runtime (streams, facades, request building).
SMOKE_TESTS = (
    "tests/unit/test_runtime.py",
    "tests/unit/test_streams.py",
    "tests/unit/test_facade_streams.py",
    "tests/unit/test_protocols_facades.py",
    "tests/unit/test_server_version.py",
    "tests/unit/test_build.py",
)

USE_CLIENT = """
import httpx, sys
sys.path.insert(0, sys.argv[1])
from mastra_client import MastraClient

def answer(request: httpx.Request) -> httpx.Response:
    assert request.url.path == "/api/agents", request.url
    return httpx.Response(200, json={"a": {"name": "A", "instructions": "", "tools": {}}})

with MastraClient("http://mastra.test", http_client=httpx.Client(transport=httpx.MockTransport(answer))) as client:
    agents = client.list_agents()
    assert list(agents) == ["a"], agents
print(sys.version_info[:2])
"""


def _version_of(python: Path) -> str | None:
    try:
        out = subprocess.run(
            [str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


@cache
def interpreters() -> dict[str, Path]:
    """Supported version -> an interpreter of it on this machine (PATH first, then pyenv)."""
    candidates: list[Path] = []
    for version in SUPPORTED:
        found = shutil.which(f"python{version}")
        if found:
            candidates.append(Path(found))
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    pattern = re.compile(r"^3\.1[0-3]\.\d+$")
    if (pyenv_root / "versions").is_dir():
        for folder in sorted((pyenv_root / "versions").iterdir()):
            if pattern.match(folder.name) and (folder / "bin" / "python3").exists():
                candidates.append(folder / "bin" / "python3")
    found_versions: dict[str, Path] = {}
    for python in candidates:
        version = _version_of(python)
        if version in SUPPORTED and version not in found_versions:
            found_versions[version] = python
    return found_versions


def _run(args: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


def _installed_layout(target: Path) -> Path:
    """The generator laid out as its wheel installs it (``[tool.setuptools.package-dir]``).

    Put on ``PYTHONPATH`` instead of building and installing the distribution: a build in
    the checkout would race the other interpreters' and litter it, and an isolated build
    costs more than the rest of the smoke together.
    """
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package, folder in sorted(config["package-dir"].items()):
        shutil.copytree(ROOT / folder, target.joinpath(*package.split(".")), ignore=ignore, dirs_exist_ok=True)
    return target


def _dependencies() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    test_tools = [req for req in project["optional-dependencies"]["test"] if not req.startswith("mypy")]
    return [*project["dependencies"], *test_tools]  # mypy: the smoke tests do not type-check


def _smoke(python: Path, work: Path) -> str:
    """Install, generate, import and use, then the runtime's unit tests, all on ``python``."""
    env_dir = work / "venv"
    _run([str(python), "-m", "venv", str(env_dir)], work, 120)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    py = str(bin_dir / "python")
    _run([py, "-m", "pip", "install", "-q", *_dependencies()], work, 900)
    env = {**os.environ, "PYTHONPATH": str(_installed_layout(work / "site"))}
    out = work / "out"
    _run([py, "-m", "mastra_codegen", str(SPEC), "-o", str(out / "mastra_client"), "-q"], work, 600, env)
    version = _run([py, "-c", USE_CLIENT, str(out)], work, 120, env).strip()
    _run([py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not e2e", *SMOKE_TESTS], ROOT, 600, env)
    return version


@cache
def _smoke_results(base: str) -> dict[str, str | BaseException]:
    """Every other interpreter's smoke, run side by side (pip installs are mostly waiting)."""
    current = "{}.{}".format(*sys.version_info[:2])
    others = {v: p for v, p in interpreters().items() if v != current}
    results: dict[str, str | BaseException] = {}

    def one(version: str) -> tuple[str, str | BaseException]:
        work = Path(base) / version
        work.mkdir(parents=True, exist_ok=True)
        try:
            return version, _smoke(others[version], work)
        except BaseException as exc:  # reported by the test of that version
            return version, exc

    with ThreadPoolExecutor(max_workers=max(1, len(others))) as pool:
        for version, outcome in pool.map(one, sorted(others)):
            results[version] = outcome
    return results


@pytest.fixture(scope="module")
def smoke_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("python-versions")


@pytest.mark.slow
@pytest.mark.parametrize("version", SUPPORTED)
def test_generate_import_and_unit_smoke(version: str, smoke_dir: Path) -> None:
    current = "{}.{}".format(*sys.version_info[:2])
    if version == current:
        # This interpreter runs the whole suite; still generate and use a client in a fresh process.
        out = smoke_dir / "current"
        _run([sys.executable, "-m", "mastra_codegen", str(SPEC), "-o", str(out / "mastra_client"), "-q"], ROOT, 600)
        assert _run([sys.executable, "-c", USE_CLIENT, str(out)], ROOT, 120).strip() == repr(sys.version_info[:2])
        return
    if version not in interpreters():
        pytest.skip(f"no Python {version} on this machine (PATH python{version}, pyenv versions)")
    outcome = _smoke_results(str(smoke_dir))[version]
    if isinstance(outcome, BaseException):
        raise outcome
    assert outcome == repr(tuple(int(part) for part in version.split(".")))


def test_classifiers_name_every_supported_version() -> None:
    """The distribution says what the smoke test checks, and the generated project says it too."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    template = (ROOT / "templates" / "pyproject.toml.jinja").read_text(encoding="utf-8")
    for text in (pyproject, template):
        assert 'requires-python = ">=3.10"' in text
        for version in SUPPORTED:
            assert f'"Programming Language :: Python :: {version}"' in text
