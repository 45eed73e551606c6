"""Generation benchmark on the shipped spec, side by side with naive datamodel-code-generator.

Prints: our generation time and peak memory (normalize, models, clients, ruff); the import
time of the generated package plus constructing a client, in fresh interpreters, against
`import httpx, pydantic` alone; our model class count and numbered-collision names; and the
same figures for datamodel-code-generator run naively on the raw spec.

    .venv/bin/python bench/generation.py [--skip-naive]
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "mastra-server-1.67.0.openapi.json"
PY = sys.executable


def timed_child(code: str, cwd: Path | None = None) -> tuple[float, float]:
    """Run code in a fresh interpreter; return (seconds, peak RSS in MB) of that child."""
    wrapper = (
        "import time, resource\nt = time.perf_counter()\n" + code + "\n"
        "print('BENCH', time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    out = subprocess.run([PY, "-c", wrapper], cwd=cwd, capture_output=True, text=True, check=True).stdout
    seconds, mb = out.strip().splitlines()[-1].split()[1:]
    return float(seconds), float(mb)


def import_cost(cwd: Path, code: str, runs: int = 7) -> float:
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [PY, "-c", f"import time\nt=time.perf_counter()\n{code}\nprint(time.perf_counter()-t)"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        samples.append(float(out.strip()))
    return statistics.median(samples)


def count_classes(folder: Path) -> tuple[int, int]:
    names = re.findall(r"^class (\w+)", "\n".join(p.read_text() for p in folder.rglob("*.py")), re.M)
    # our own positional words (Option2, Part1, Item1, Error409) are not collisions
    numbered = [n for n in names if re.search(r"[a-z]\d+$", n) and not re.search(r"(Option|Part|Item|Error)\d+$", n)]
    return len(names), len(numbered)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-naive", action="store_true", help="skip the slow naive run")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mastra-bench-"))
    out = work / "mastra_client"
    seconds, mb = timed_child(
        f"from mastra_codegen.pipeline import generate\nfrom pathlib import Path\n"
        f"generate({str(SPEC)!r}, Path({str(out)!r}))"
    )
    classes, numbered = count_classes(out / "models")
    base = import_cost(work, "import httpx, pydantic")
    ours = import_cost(work, "import mastra_client\nmastra_client.MastraClient('http://localhost:4111')")
    print(f"mastra-codegen: generation {seconds:.1f} s, peak {mb:.0f} MB")
    print(f"  models: {classes} classes, {numbered} with numbered names")
    print(
        f"  import + construct client: {ours * 1000:.0f} ms vs import httpx, pydantic: {base * 1000:.0f} ms "
        f"(adds {(ours - base) * 1000:.0f} ms)"
    )
    if args.skip_naive:
        return
    naive = work / "naive_models.py"
    n_seconds, n_mb = timed_child(
        "import subprocess, sys\n"
        f"subprocess.run([{str(Path(PY).parent / 'datamodel-codegen')!r}, '--input', {str(SPEC)!r}, "
        f"'--input-file-type', 'openapi', '--output', {str(naive)!r}, '--output-model-type', "
        "'pydantic_v2.BaseModel', '--openapi-scopes', 'schemas', 'paths', 'parameters'], check=True)\n"
        "import resource as r\n"
    )
    # the child's peak is that of its own child process: read it from RUSAGE_CHILDREN instead
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    text = naive.read_text()
    naive_names = re.findall(r"^class (\w+)", text, re.M)
    naive_numbered = [n for n in naive_names if re.search(r"\d+$", n)]
    try:
        imported = f"import {import_cost(work, 'import naive_models', runs=3):.1f} s"
    except subprocess.CalledProcessError as exc:
        imported = f"does not import ({(exc.stderr or '').strip().splitlines()[-1:] or 'error'})"
    print(
        f"naive datamodel-code-generator: {n_seconds:.1f} s, peak {max(n_mb, peak):.0f} MB, "
        f"{len(naive_names)} classes ({len(naive_numbered)} numbered), {imported}"
    )


if __name__ == "__main__":
    main()
