"""Every pinned Mastra release generates a working client (issue 13, part 2).

``tests/fixtures/releases`` holds the OpenAPI documents of @mastra/server releases across
the 1.x line (``SOURCES.md`` there says how each was made); ``specs/`` the two the e2e suite
runs against. Each must generate (the shipped overrides degrade where a release lacks
something), pass ruff (inside generation) and ``mypy --strict``, and import; ``diff`` runs
between neighbours; and every shipped override entry must apply to at least one of them, so
a typo in ``overrides/mastra.yaml`` fails here instead of vanishing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
RELEASES = TESTS / "fixtures" / "releases"
_VERSION = re.compile(r"mastra-server-(\d+)\.(\d+)\.(\d+)\.openapi\.json$")


def _version_of(path: Path) -> tuple[int, int, int]:
    found = _VERSION.search(path.name)
    assert found, f"{path.name}: expected mastra-server-X.Y.Z.openapi.json"
    major, minor, patch = found.groups()
    return int(major), int(minor), int(patch)


SPECS = sorted(
    [*RELEASES.glob("mastra-server-*.openapi.json"), *(ROOT / "specs").glob("*.openapi.json")], key=_version_of
)
VERSIONS = [".".join(map(str, _version_of(p))) for p in SPECS]
IMPORT_ALL = """
import sys, warnings
from package_checks import import_everything
warnings.simplefilter("error")
for name in sys.argv[1:]:
    package = import_everything(name)
    package.MastraClient("http://localhost:1").close()
    package.AsyncMastraClient("http://localhost:1")
"""


@dataclass(frozen=True)
class Generated:
    version: str
    spec: Path
    package: Path
    returncode: int
    output: str

    @property
    def left_out(self) -> set[str]:
        """``file:line`` of each shipped override entry this release left out (from ``-v``)."""
        prefix = "mastra-codegen: left out: "
        return {line[len(prefix) :].split(": ", 1)[0] for line in self.output.splitlines() if line.startswith(prefix)}


def _package_name(version: str) -> str:
    return "mastra_" + version.replace(".", "_")


def _generate(spec: Path, version: str, folder: Path) -> Generated:
    out = folder / _package_name(version)
    done = subprocess.run(
        [sys.executable, "-m", "mastra_codegen", str(spec), "-o", str(out), "-q", "-v"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    return Generated(version, spec, out, done.returncode, done.stdout + done.stderr)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Generated]:
    """Every release, generated two at a time (the CI machine has two cores)."""
    folder = tmp_path_factory.mktemp("releases")
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda sv: _generate(sv[0], sv[1], folder), zip(SPECS, VERSIONS, strict=True)))
    return {g.version: g for g in results}


def test_the_fixtures_span_the_1_x_line() -> None:
    assert len(SPECS) >= 8, [p.name for p in SPECS]
    minors = [_version_of(p)[1] for p in SPECS]
    assert minors[0] <= 15 and minors[-1] >= 69, VERSIONS
    sources = (RELEASES / "SOURCES.md").read_text(encoding="utf-8")
    for spec in RELEASES.glob("*.openapi.json"):
        assert spec.name in sources, f"{spec.name} is not described in SOURCES.md"
        json.loads(spec.read_text(encoding="utf-8"))


@pytest.mark.parametrize("version", VERSIONS)
def test_each_release_generates(generated: dict[str, Generated], version: str) -> None:
    result = generated[version]
    assert "Traceback" not in result.output, result.output[-3000:]
    assert result.returncode == 0, result.output[-3000:]
    assert (result.package / "_api.json").is_file()


def test_every_release_passes_mypy_strict(generated: dict[str, Generated]) -> None:
    names = [g.package.name for g in generated.values() if g.returncode == 0]
    assert len(names) == len(VERSIONS)
    folder = next(iter(generated.values())).package.parent
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", "/dev/null", *names],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:]


def test_every_release_imports(generated: dict[str, Generated]) -> None:
    names = [g.package.name for g in generated.values() if g.returncode == 0]
    folder = next(iter(generated.values())).package.parent
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL, *names],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(TESTS)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]


def test_every_shipped_override_entry_applies_to_some_release(generated: dict[str, Generated]) -> None:
    """An entry left out by every release is dead: a typo ({storedAgentId}) or a route Mastra dropped."""
    never_applied = set.intersection(*(g.left_out for g in generated.values()))
    entries = sorted(never_applied, key=lambda w: int(w.rpartition(":")[2]))
    assert not entries, "shipped override entries that apply to no pinned release:\n" + "\n".join(
        next(line for line in generated[VERSIONS[-1]].output.splitlines() if f"{where}: " in line) for where in entries
    )


def test_the_oldest_releases_leave_out_what_they_lack(generated: dict[str, Generated]) -> None:
    """The newest release takes every shipped entry; older ones leave some out, and say so."""
    assert generated[VERSIONS[-1]].left_out == set() or len(generated[VERSIONS[-1]].left_out) < len(
        generated[VERSIONS[0]].left_out
    )
    assert generated[VERSIONS[0]].left_out, "the oldest release lacks nothing the shipped files describe?"


@pytest.mark.parametrize(("old", "new"), list(zip(VERSIONS, VERSIONS[1:], strict=False)), ids=lambda v: v)
def test_diff_between_neighbours_runs(generated: dict[str, Generated], old: str, new: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mastra_codegen",
            "diff",
            str(generated[old].package),
            str(generated[new].package),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert isinstance(result, dict) and result


def test_diff_findings_checked_by_hand(generated: dict[str, Generated]) -> None:
    """Three findings of 1.24.0 -> 1.35.0, each checked against the two documents by hand."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mastra_codegen",
            "diff",
            str(generated["1.24.0"].package),
            str(generated["1.35.0"].package),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    text = done.stdout
    # observe's parameters: [workflowId, runId] in 1.24.0, [workflowId, runId, offset] in 1.35.0
    observe = text[text.index("~ POST /workflows/{workflowId}/observe") :]
    assert observe.splitlines()[1].strip() == "optional parameter 'offset' added (number)"
    # the agent observe route (stream resumption) arrives in 1.35.0
    assert "+ POST /agents/{agentId}/observe  (agents.observe)" in text
    # spanType's enum gains "mapping" and "model_inference": what callers send widens, not breaking
    traces = text[text.index("~ GET /observability/traces  (observability.list_traces)") :].split("\n  ~ ")[0]
    assert 'parameter \'span_type\' widened (+ "mapping", + "model_inference")' in traces
    assert "BREAKING" not in traces.splitlines()[0]
