"""Generation time and peak memory over the corpus, beside openapi-python-client and datamodel-code-generator.

Every document of tests/fixtures/corpus/*/ goes through three tools, each in its own child
process, the three interleaved so that a load spike on the machine hits them alike:

- ours: ``python -m mastra_codegen DOC -o OUT -q`` (the whole pipeline, ruff included; its
  modules compiled to .pyc first, as the other two are by their wheel installs);
- opc: ``openapi-python-client generate --path DOC --output-path OUT --overwrite``, pinned by
  the ``bench`` extra, with its defaults (``--meta poetry``, ruff post-hooks);
- dmcg: ``datamodel-codegen`` on the raw document (models only, no client), for reference.

Time is wall time around the child; memory is its peak RSS as ``os.wait4`` reports it for that
one child, which includes the children it waited for itself (ruff). The table gives the median
time and the largest peak over ``--runs`` runs, the ratios opc/ours, and a verdict per document
for the target of issue 6: at least 3x faster than opc where opc succeeds, and succeeding where
it fails. Exit status: 0 all PASS, 1 some FAIL, 2 openapi-python-client is not installed.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/corpus.py [--runs 3] [--timeout 600] [--only NAME ...] [--json PATH]
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import importlib.util
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
SPEC_SUFFIXES = (".json", ".yaml", ".yml")
TARGET_SPEEDUP = 3.0
TOOLS = ("ours", "opc", "dmcg")
INSTALL_HINT = "pip install -e '.[bench]'"


@dataclass(frozen=True)
class Document:
    name: str
    path: Path
    size: int  # bytes


@dataclass(frozen=True)
class Run:
    """One child process: what it cost and whether it did its job."""

    seconds: float
    peak_mb: float
    ok: bool
    error: str = ""  # first error line when not ok
    skipped: int = 0  # opc: endpoints and schemas it left out with a warning, though it succeeded


@dataclass(frozen=True)
class Summary:
    """The runs of one tool on one document, reduced to what the table shows."""

    ok: bool
    seconds: float | None  # median over the successful runs
    peak_mb: float | None  # largest over all runs
    error: str = ""
    skipped: int = 0
    runs: list[Run] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    document: Document
    tools: dict[str, Summary]


def discover(corpus: Path = CORPUS) -> list[Document]:
    """Each OpenAPI file in a folder of the corpus, so a new document is benchmarked without an edit here.

    A folder holds one document (and its LICENSE); it is named after the folder, or folder/stem
    when a folder holds several.
    """
    documents: list[Document] = []
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        specs = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SPEC_SUFFIXES)
        for spec in specs:
            name = folder.name if len(specs) == 1 else f"{folder.name}/{spec.stem}"
            documents.append(Document(name, spec, spec.stat().st_size))
    return documents


def select(documents: Sequence[Document], only: Sequence[str]) -> list[Document]:
    """The documents named by ``--only`` (exact names, or a folder for all of its documents)."""
    if not only:
        return list(documents)
    chosen = [d for d in documents if d.name in only or d.name.split("/")[0] in only]
    unknown = sorted(set(only) - {d.name for d in chosen} - {d.name.split("/")[0] for d in chosen})
    if unknown:
        known = ", ".join(d.name for d in documents)
        raise ValueError(f"unknown document {unknown[0]!r} (known: {known})")
    return chosen


_WARNING_LINE = re.compile(r"^\S.*:\d+: \w*Warning: ")
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b:?")
_BOX = str.maketrans("", "", "│╭╮╰╯─❱")


def first_error(output: str, limit: int = 160) -> str:
    """The line that says what went wrong, out of a failed child's stdout and stderr.

    After a traceback (plain or rich) it is the exception line, with rich's wrapped tail joined
    back; otherwise the last line that is not a Python warning (nor the source line a warning
    quotes under it).
    """
    lines = [line.translate(_BOX).strip() for line in output.splitlines()]
    if "Traceback" in output:
        for index in range(len(lines) - 1, -1, -1):
            if _EXCEPTION_LINE.match(lines[index]):
                text = " ".join(line for line in lines[index:] if line)
                return _cut(text, limit)
    kept: list[str] = []
    quoted_source = False
    for raw, line in zip(output.splitlines(), lines, strict=True):
        if _WARNING_LINE.match(raw):
            quoted_source = True
            continue
        if quoted_source and raw.startswith(" "):
            quoted_source = False
            continue
        quoted_source = False
        if line:
            kept.append(line)
    return _cut(kept[-1] if kept else "no output", limit)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_OPC_SKIPPED = re.compile(r"^(WARNING parsing \S+ \S+ within .*Endpoint will not be generated|Unable to parse schema )")


def opc_skipped(output: str) -> int:
    """How many endpoints and schemas openapi-python-client left out while still exiting 0."""
    return sum(1 for line in output.splitlines() if _OPC_SKIPPED.match(line))


def summarize(runs: Sequence[Run]) -> Summary:
    """Median time of the successful runs, largest peak of all; failed if any run failed."""
    if not runs:
        return Summary(False, None, None, "not run")
    good = [r for r in runs if r.ok]
    failed = next((r for r in runs if not r.ok), None)
    return Summary(
        ok=failed is None,
        seconds=statistics.median(r.seconds for r in good) if good else None,
        peak_mb=max(r.peak_mb for r in runs),
        error=failed.error if failed else "",
        skipped=max(r.skipped for r in runs),
        runs=list(runs),
    )


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def verdict(ours: Summary, opc: Summary, target: float = TARGET_SPEEDUP) -> tuple[bool, str]:
    """The issue's target for one document: ``(passed, why)``."""
    if not ours.ok:
        return False, f"ours failed: {ours.error}"
    if not opc.ok:
        return True, "opc failed, ours succeeded"
    speedup = ratio(opc.seconds, ours.seconds)
    if speedup is None:
        return False, "no time to compare"
    if speedup >= target:
        return True, f"{speedup:.1f}x faster than opc"
    return False, f"only {speedup:.2f}x faster than opc (target {target:g}x)"


def human_size(size: int) -> str:
    for unit, scale in (("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def _seconds(summary: Summary) -> str:
    return "-" if summary.seconds is None else f"{summary.seconds:.2f}"


def _mb(summary: Summary) -> str:
    return "-" if summary.peak_mb is None else f"{summary.peak_mb:.0f}"


def _status(summary: Summary) -> str:
    if not summary.ok:
        return "timeout" if summary.error.startswith("timeout") else "FAILED"
    return f"ok, {summary.skipped} skipped" if summary.skipped else "ok"


def _times(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


HEADER = (
    "document",
    "size",
    "ours s",
    "ours MB",
    "opc s",
    "opc MB",
    "opc",
    "dmcg s",
    "dmcg MB",
    "dmcg",
    "opc/ours time",
    "opc/ours mem",
    "dmcg/ours time",
    "verdict",
)


def table_rows(rows: Sequence[Row]) -> list[tuple[str, ...]]:
    """The cells of the table, one tuple per document, in HEADER's order."""
    cells = []
    for row in rows:
        ours, opc, dmcg = (row.tools[t] for t in TOOLS)
        passed, _ = verdict(ours, opc)
        cells.append(
            (
                row.document.name,
                human_size(row.document.size),
                _seconds(ours),
                _mb(ours),
                _seconds(opc),
                _mb(opc),
                _status(opc),
                _seconds(dmcg),
                _mb(dmcg),
                _status(dmcg),
                _times(ratio(opc.seconds, ours.seconds) if opc.ok else None),
                _times(ratio(opc.peak_mb, ours.peak_mb) if opc.ok else None),
                _times(ratio(dmcg.seconds, ours.seconds) if dmcg.ok else None),
                "PASS" if passed else "FAIL",
            )
        )
    return cells


def format_table(rows: Sequence[Row]) -> str:
    """A Markdown table (it goes into the README as printed), then why each failure failed."""
    cells = [HEADER, *table_rows(rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADER))]
    numeric = {i for i, name in enumerate(HEADER) if name.endswith((" s", " MB", "time", "mem")) or name == "size"}

    def line(values: Sequence[str]) -> str:
        pairs = enumerate(zip(values, widths, strict=True))
        padded = (v.rjust(w) if i in numeric else v.ljust(w) for i, (v, w) in pairs)
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in numeric else "-" * (w + 2) for i, w in enumerate(widths)) + "|"
    out = [line(HEADER), rule, *(line(c) for c in cells[1:])]
    notes = []
    for row in rows:
        for tool in TOOLS:
            summary = row.tools[tool]
            if not summary.ok:
                after = summary.runs[-1].seconds if summary.runs else 0.0
                notes.append(f"- {row.document.name}, {tool} failed after {after:.1f} s: {summary.error}")
        passed, why = verdict(row.tools["ours"], row.tools["opc"])
        if not passed:
            notes.append(f"- {row.document.name}: FAIL, {why}")
    return "\n".join(out + ([""] + notes if notes else []))


# --- running the tools (not unit-tested: needs the tools and takes minutes) ---------------------


def measure(argv: Sequence[str], cwd: Path, timeout: float, env: dict[str, str]) -> tuple[Run, str]:
    """Run ``argv`` once; its wall time, its peak RSS from ``os.wait4``, and its stdout + stderr.

    The child gets its own session so that a timeout kills it with everything it started. The
    peak RSS a child reports starts at this process's own (an exec keeps the high-water mark of
    the memory it replaces), so this process keeps nothing big in memory.
    """
    with tempfile.TemporaryFile() as out:
        timed_out = threading.Event()
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):  # it ended just now
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    peak_mb = usage.ru_maxrss / 1024  # KiB on Linux
    if timed_out.is_set():
        return Run(seconds, peak_mb, False, f"timeout after {timeout:g} s"), output
    if proc.returncode != 0 or "Traceback" in output:
        return Run(seconds, peak_mb, False, f"exit {proc.returncode}: {first_error(output)}"), output
    return Run(seconds, peak_mb, True), output


def commands(doc: Path, work: Path, scripts: Path) -> dict[str, list[str]]:
    """The command line of each tool for one document, writing under ``work``."""
    return {
        "ours": [sys.executable, "-m", "mastra_codegen", str(doc), "-o", str(work / "pkg"), "-q"],
        "opc": [
            str(scripts / "openapi-python-client"),
            "generate",
            "--path",
            str(doc),
            "--output-path",
            str(work / "opc"),
            "--overwrite",
        ],
        "dmcg": [
            str(scripts / "datamodel-codegen"),
            "--input",
            str(doc),
            "--input-file-type",
            "openapi",
            "--output",
            str(work / "models.py"),
            "--output-model-type",
            "pydantic_v2.BaseModel",
        ],
    }


def bench_document(
    doc: Document, runs: int, timeout: float, env: dict[str, str], progress: Callable[[str], None]
) -> Row:
    """``runs`` rounds of the three tools on one document; a tool that failed is not run again."""
    scripts = Path(sys.executable).parent
    results: dict[str, list[Run]] = {tool: [] for tool in TOOLS}
    for index in range(runs):
        for tool in TOOLS:
            done = results[tool]
            if done and not done[-1].ok:
                continue  # failures are deterministic enough; a timeout must not cost ``runs`` times
            work = Path(tempfile.mkdtemp(prefix="bench-corpus-"))
            try:
                run, output = measure(commands(doc.path, work, scripts)[tool], work, timeout, env)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            if tool == "opc" and run.ok:
                run = Run(run.seconds, run.peak_mb, True, skipped=opc_skipped(output))
            done.append(run)
            state = "ok" if run.ok else run.error
            progress(f"{doc.name} run {index + 1}/{runs} {tool}: {run.seconds:.2f} s, {run.peak_mb:.0f} MB, {state}")
    return Row(doc, {tool: summarize(results[tool]) for tool in TOOLS})


def opc_installed(scripts: Path) -> bool:
    """openapi-python-client is a bench-only extra: the test suite and CI run without it."""
    module = importlib.util.find_spec("openapi_python_client")
    return module is not None and (scripts / "openapi-python-client").exists()


def precompile() -> None:
    """Write our modules' .pyc first, as installing a wheel does for the other two tools.

    From a checkout (``pip install -e``) they are compiled on first import, and never cached
    when PYTHONDONTWRITEBYTECODE is set: every run of ours would pay ~80 ms the others do not.
    """
    for package in ("mastra_codegen", "mastra_codegen.templates", "mastra_codegen.shipped_overrides"):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(folder, maxlevels=0, quiet=1)


def tool_versions() -> dict[str, str]:
    from importlib.metadata import version

    return {
        name: version(name)
        for name in ("mastra-codegen", "openapi-python-client", "datamodel-code-generator", "ruff", "pydantic")
    }


def machine() -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, load average {load}, Python {platform.python_version()}, {platform.system()}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per tool and document (default 3)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a run counts as failed")
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="only this document (repeatable)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write every run's numbers here")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    scripts = Path(sys.executable).parent
    if not opc_installed(scripts):
        print(
            f"bench/corpus.py: openapi-python-client is not installed in this environment; {INSTALL_HINT}",
            file=sys.stderr,
        )
        return 2
    try:
        documents = select(discover(), args.only)
    except ValueError as exc:
        parser.error(str(exc))  # exit 2: a usage error is not a FAIL
    precompile()
    # opc's post-hooks call `ruff` from PATH: the ruff of this environment, the one ours runs.
    # A wide COLUMNS keeps rich (opc's tracebacks) from wrapping the error line it ends with.
    env = {**os.environ, "PATH": f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}", "COLUMNS": "400"}
    before = machine()

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    rows = [bench_document(doc, args.runs, args.timeout, env, progress) for doc in documents]
    after = machine()
    print(format_table(rows))
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # see measure()
    print(
        f"\n{args.runs} runs each; median time, largest peak RSS (none below this process's {floor:.0f} MB)."
        f"\nBefore: {before}.\nAfter: {after}."
    )
    if args.json:
        data = {
            "machine": {"before": before, "after": after, "peak_rss_floor_mb": floor},
            "versions": tool_versions(),
            "runs": args.runs,
            "timeout": args.timeout,
            "documents": [
                {
                    "name": row.document.name,
                    "path": str(row.document.path.relative_to(ROOT)),
                    "bytes": row.document.size,
                    "verdict": verdict(row.tools["ours"], row.tools["opc"])[1],
                    "passed": verdict(row.tools["ours"], row.tools["opc"])[0],
                    "tools": {tool: asdict(summary) for tool, summary in row.tools.items()},
                }
                for row in rows
            ],
        }
        args.json.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return 0 if all(verdict(r.tools["ours"], r.tools["opc"])[0] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
