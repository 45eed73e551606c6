"""A generated package checked into another project: upgrades touch only what changed, and the
project's own ruff settings do not apply to it (the package carries its own ``ruff.toml``)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from click.testing import CliRunner
from mastra_codegen.cli import main
from mastra_codegen.fmt import ruff_bin
from mastra_codegen.surface import read_surface
from mastra_codegen.writer import read_files

ROOT = Path(__file__).resolve().parents[2]
SPEC_1_69 = ROOT / "specs" / "mastra-server-1.69.0.openapi.json"
GENERATED = ROOT / "generated" / "mastra_client"  # 1.67.0, kept equal to a fresh run by tests/golden
APP = ROOT / "tests" / "fixtures" / "app" / "e2e-app.json"  # generated/ is typed to this app (--app)


def _differing(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


def test_an_upgrade_changes_only_the_files_whose_content_changed(tmp_path: Path) -> None:
    out = tmp_path / "mastra_client"
    shutil.copytree(GENERATED, out)
    before = read_files(out)
    checked = CliRunner().invoke(
        main, [str(SPEC_1_69), "-o", str(out), "--app", str(APP), "--check"], catch_exceptions=False
    )
    assert checked.exit_code == 1, checked.output
    files_part = checked.output.split("API changes:")[0]
    listed = re.findall(r"^  ~ (\S+)$", files_part, re.MULTILINE)
    summary = re.search(r"(\d+) changed, 0 missing, 0 unexpected", checked.output)
    assert summary, checked.output

    written = CliRunner().invoke(
        main, [str(SPEC_1_69), "-o", str(out), "--app", str(APP), "-q"], catch_exceptions=False
    )
    assert written.exit_code == 0, written.output
    after = read_files(out)
    differing = _differing(before, after)
    assert int(summary.group(1)) == len(differing)
    assert listed == differing[:20]
    # The spec's hash is in _version.py alone: files the upgrade does not concern are byte-identical.
    for unchanged in ("_runtime/_base_client.py", "_runtime/_streams.py", "_chunks.py", "ruff.toml", ".mastra-codegen"):
        assert before[unchanged] == after[unchanged], unchanged
    assert len(differing) < len(after) // 2
    hashes = [name for name, text in after.items() if re.search(r"\b[0-9a-f]{64}\b", text)]
    assert hashes == ["_version.py"]
    # diff of two packages still names the specs' hashes (read from _version.py)
    old_sha = re.search(r'SPEC_SHA256 = "(\w+)"', before["_version.py"])
    assert old_sha and read_surface(GENERATED)["spec_sha256"] == old_sha.group(1)


def test_a_vendored_package_passes_the_host_projects_strict_ruff(tmp_path: Path) -> None:
    host = tmp_path / "host"
    (host / "src").mkdir(parents=True)
    (host / "pyproject.toml").write_text(
        '[project]\nname = "host"\nversion = "0"\n\n[tool.ruff]\nline-length = 79\n\n'
        '[tool.ruff.lint]\nselect = ["ALL"]\n',
        encoding="utf-8",
    )
    shutil.copytree(GENERATED, host / "src" / "mastra_client")
    assert (host / "src" / "mastra_client" / "ruff.toml").is_file()
    for command in (["check"], ["format", "--check"]):
        done = subprocess.run(
            [ruff_bin(), *command, "--no-cache", "."], cwd=host, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    # the host's rules do apply to its own files (the package's ruff.toml stops at the package)
    (host / "src" / "app.py").write_text("import os\n", encoding="utf-8")
    done = subprocess.run([ruff_bin(), "check", "--no-cache", "."], cwd=host, capture_output=True, text=True)
    assert done.returncode == 1 and "src/app.py" in done.stdout and "mastra_client" not in done.stdout
