"""bench/corpus.py without the tools it compares: discovery, verdicts, error lines, the table.

The benchmark itself takes minutes and needs the ``bench`` extra; what decides PASS or FAIL
and what gets benchmarked must still be right, so its pure parts are checked here (plus the
measurement of a trivial child, which needs only this interpreter).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench = _load("bench_corpus", ROOT / "bench" / "corpus.py")


def summary(seconds: float | None, peak: float | None = 100.0, ok: bool = True, error: str = "") -> object:
    return bench.Summary(ok=ok, seconds=seconds, peak_mb=peak, error=error)


def test_discovers_the_documents_the_corpus_tests_run() -> None:
    corpus_tests = _load("corpus_tests_for_bench", ROOT / "tests" / "corpus" / "test_corpus.py")
    CORPUS, DOCUMENTS = corpus_tests.CORPUS, corpus_tests.DOCUMENTS  # noqa: N806

    found = {d.name: d for d in bench.discover()}
    assert {d.path for d in found.values()} == {CORPUS / path for path in DOCUMENTS.values()}
    assert set(found) == {path.split("/")[0] for path in DOCUMENTS.values()}
    assert found["tgi"].size == (CORPUS / DOCUMENTS["tgi"]).stat().st_size


def test_discovery_picks_up_a_new_folder_and_skips_licenses(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "LICENSE").write_text("MIT")
    (tmp_path / "one" / "api.yaml").write_text("openapi: 3.0.0")
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "a.json").write_text("{}")
    (tmp_path / "two" / "b.YML").write_text("{}")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "LICENSE").write_text("MIT")
    (tmp_path / "SOURCES.md").write_text("not a folder")
    names = [d.name for d in bench.discover(tmp_path)]
    assert names == ["one", "two/a", "two/b"]
    assert bench.select(bench.discover(tmp_path), ["two"]) == bench.discover(tmp_path)[1:]
    assert [d.name for d in bench.select(bench.discover(tmp_path), ["two/b", "one"])] == ["one", "two/b"]
    with pytest.raises(ValueError, match="unknown document 'three'"):
        bench.select(bench.discover(tmp_path), ["one", "three"])


@pytest.mark.parametrize(
    ("ours", "opc", "passed", "why"),
    [
        (summary(1.0), summary(3.0), True, "3.0x faster"),
        (summary(1.0), summary(2.99), False, "only 2.99x"),
        (summary(2.0), summary(1.0), False, "only 0.50x"),
        (summary(1.0), summary(None, ok=False, error="exit 1: ValueError"), True, "opc failed"),
        (summary(None, ok=False, error="exit 2: boom"), summary(None, ok=False), False, "ours failed: exit 2: boom"),
        (summary(None, ok=False, error="timeout after 600 s"), summary(9.0), False, "ours failed: timeout"),
    ],
)
def test_verdict(ours: object, opc: object, passed: bool, why: str) -> None:
    result = bench.verdict(ours, opc)
    assert result[0] is passed
    assert why in result[1]


def test_summary_takes_the_median_time_and_the_largest_peak() -> None:
    runs = [bench.Run(3.0, 100, True), bench.Run(1.0, 300, True), bench.Run(2.0, 200, True)]
    result = bench.summarize(runs)
    assert (result.ok, result.seconds, result.peak_mb) == (True, 2.0, 300)
    failed = bench.summarize([bench.Run(1.0, 50, True), bench.Run(600.0, 80, False, "timeout after 600 s")])
    assert (failed.ok, failed.seconds, failed.peak_mb, failed.error) == (False, 1.0, 80, "timeout after 600 s")
    assert not bench.summarize([]).ok


RICH_TRACEBACK = """\
╭───────────────────── Traceback (most recent call last) ──────────────────────╮
│ /x/openapi_python_client/cli.py:163 in generate                              │
│ ❱ 163 │   errors = generate(                                                 │
╰──────────────────────────────────────────────────────────────────────────────╯
ValueError: Duplicate key GMT0 in enum
post_reporting.Timezone; consider setting literal_enums in your config
"""

WARNED_THEN_FAILED = """\
/x/datamodel_code_generator/format.py:540: FutureWarning: Default formatters will change to builtin.
  warn_deprecated(
Modular references require an output directory, not a file
"""


def test_first_error_line() -> None:
    assert bench.first_error(RICH_TRACEBACK) == (
        "ValueError: Duplicate key GMT0 in enum post_reporting.Timezone; consider setting literal_enums in your config"
    )
    assert bench.first_error(WARNED_THEN_FAILED) == "Modular references require an output directory, not a file"
    plain = "Traceback (most recent call last):\n  File 'x', line 1\nKeyError: 'a'\n"
    assert bench.first_error(plain) == "KeyError: 'a'"
    ours = "mastra-codegen: error: spec.json: not JSON"
    assert bench.first_error(ours + "\n") == ours
    assert bench.first_error("") == "no output"
    assert len(bench.first_error("x" * 500, limit=40)) == 40


def test_opc_skipped_counts_endpoints_and_schemas_left_out() -> None:
    output = (
        "Warning(s) encountered while generating. Client was generated, but some pieces may be missing\n"
        "WARNING parsing POST / within default. Endpoint will not be generated.\n\n"
        "Could not find reference in parsed models or enums\n"
        "WARNING parsing GET /x within default. Endpoint will not be generated.\n"
        "Unable to parse schema /components/schemas/Completion\n"
    )
    assert bench.opc_skipped(output) == 3
    assert bench.opc_skipped("Generating /tmp/x\n") == 0


def _row(name: str, ours: object, opc: object, dmcg: object) -> object:
    return bench.Row(bench.Document(name, Path(name), 2048), {"ours": ours, "opc": opc, "dmcg": dmcg})


def test_table() -> None:
    rows = [
        _row("fast", summary(1.0, 50), summary(4.0, 150), summary(2.0, 75)),
        _row("slow", summary(2.0, 100), summary(3.0, 50), summary(None, 10, ok=False, error="exit 2: no")),
        _row("broken", summary(1.0), summary(None, 500, ok=False, error="exit 1: ValueError: dup"), summary(1.0)),
    ]
    cells = {c[0]: c for c in bench.table_rows(rows)}
    header = list(bench.HEADER)
    fast, slow, broken = cells["fast"], cells["slow"], cells["broken"]
    assert fast[header.index("size")] == "2.0 KB"
    assert fast[header.index("opc/ours time")] == "4.00x"
    assert fast[header.index("opc/ours mem")] == "3.00x"
    assert fast[header.index("dmcg/ours time")] == "2.00x"
    assert fast[header.index("verdict")] == "PASS"
    assert slow[header.index("verdict")] == "FAIL"
    assert slow[header.index("dmcg")] == "FAILED"
    assert slow[header.index("dmcg/ours time")] == "-"
    assert broken[header.index("opc")] == "FAILED"
    assert broken[header.index("opc/ours time")] == "-"
    assert broken[header.index("verdict")] == "PASS"
    text = bench.format_table(rows)
    lines = text.splitlines()
    assert lines[0].startswith("| document ")
    assert len({len(line) for line in lines[:5]}) == 1  # aligned columns
    assert "- slow: FAIL, only 1.50x faster than opc (target 3x)" in text
    assert "- broken, opc failed after" in text and "ValueError: dup" in text
    assert "fast: FAIL" not in text


MEASURE = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("bench_corpus", sys.argv[1])
bench = importlib.util.module_from_spec(spec)
sys.modules["bench_corpus"] = bench
spec.loader.exec_module(bench)
cwd, env = sys.argv[2], {"PATH": "/usr/bin:/bin"}
run, output = bench.measure([sys.executable, "-c", "print('hi')"], cwd, 30, env)
assert run.ok and output == "hi\\n" and 0 < run.seconds < 30, (run, output)
big, _ = bench.measure([sys.executable, "-c", "b = bytearray(200 << 20)"], cwd, 30, env)
assert big.ok and big.peak_mb > 200 > run.peak_mb, (big, run)
failed, _ = bench.measure([sys.executable, "-c", "import sys; sys.exit('bad input')"], cwd, 30, env)
assert not failed.ok and failed.error == "exit 1: bad input", failed
crashed, _ = bench.measure([sys.executable, "-c", "raise KeyError('k')"], cwd, 30, env)
assert not crashed.ok and crashed.error == "exit 1: KeyError: 'k'", crashed
stuck, _ = bench.measure([sys.executable, "-c", "import time; time.sleep(60)"], cwd, 0.5, env)
assert not stuck.ok and stuck.error == "timeout after 0.5 s" and stuck.seconds < 30, stuck
"""


def test_measure_reports_one_child(tmp_path: Path) -> None:
    """In a fresh interpreter, as the bench runs: a child's peak RSS starts from its parent's,
    and the pytest process may already hold more than the 200 MB the big child takes."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(ROOT / "bench" / "corpus.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_without_openapi_python_client_it_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bench, "opc_installed", lambda scripts: False)
    assert bench.main(["--runs", "1"]) == 2
    assert "pip install -e '.[bench]'" in capsys.readouterr().err
