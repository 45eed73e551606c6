"""Format and check generated code with ruff (the binary shipped in the ruff wheel)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from .errors import CodegenError

# Settings live here, not in a config file: the output must not depend on where it is written.
RUFF_LINE_LENGTH = 100
RUFF_TARGET = "py310"
# Markdown (README.md, api.md) is written as it is meant to be read: ruff >= 0.15 would reformat
# the Python blocks in it, so it is left out of every ruff run.
RUFF_EXCLUDE = "*.md"
RUFF_SETTINGS = [
    "--isolated",
    "--line-length",
    str(RUFF_LINE_LENGTH),
    "--target-version",
    RUFF_TARGET,
    "--extend-exclude",
    RUFF_EXCLUDE,
]
RUFF_RULES = "E,F,W,I,UP,B"
# Long generated lines (descriptions, literals) and names from the spec are not ours to wrap;
# a property, schema or path named ``l``, ``I`` or ``O`` is the spec's (E741-E743).
RUFF_IGNORE = "E501,B006,B008,UP007,UP045,UP035,F811,E741,E742,E743"
# No .ruff_cache anywhere (not in the output, not in the working directory), and every file checked
# whatever a .gitignore around the output says.
RUFF_RUN = ["--no-cache", "--no-respect-gitignore"]
# The same settings written into the package (see render.ruff_config), for the project that vendors it.
RUFF_CONFIG = "ruff.toml"


def ruff_bin() -> str:
    from ruff.__main__ import find_ruff_bin

    return str(find_ruff_bin())


def format_and_check(folder: Path) -> None:
    """Fix what can be fixed, format, then fail with ruff's first findings if any remain.

    ruff runs in ``folder`` with ``--no-cache``: it writes nothing but the files it formats, so the
    user's working directory may be read-only (or gone). A ruff that fails to *write* (disk full,
    permissions: "(os error 28)") is an error about the output, never taken for invalid code.
    """
    ruff = ruff_bin()
    check = [ruff, "check", *RUFF_SETTINGS, *RUFF_RUN, "--select", RUFF_RULES, "--ignore", RUFF_IGNORE, "--quiet"]
    done = _run([*check, "--fix", "--exit-zero", "."], folder)
    if done.returncode != 0:  # --exit-zero: findings are no failure, only ruff itself failing
        raise CodegenError(str(folder), f"ruff check --fix failed: {_first_lines(done.stderr or done.stdout)}")
    done = _run([ruff, "format", *RUFF_SETTINGS, *RUFF_RUN, "--quiet", "."], folder)
    if done.returncode != 0:
        broken = _first_syntax_error(folder)
        if broken is not None:
            raise CodegenError(broken[0], f"mastra-codegen wrote invalid Python (a bug, please report it): {broken[1]}")
        raise CodegenError(str(folder), f"ruff format failed: {_first_lines(done.stderr or done.stdout)}")
    done = _run([*check, "--output-format", "concise", "."], folder)
    if done.returncode != 0:
        raise CodegenError(
            str(folder),
            f"ruff check found problems in the output: {_first_lines(done.stdout or done.stderr)}",
        )


def _run(command: list[str], folder: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        problem = _os_error(done.stderr + "\n" + done.stdout)
        if problem:
            raise CodegenError(str(folder), f"cannot write the package: ruff: {problem}")
    return done


_OS_ERROR = re.compile(r"\(os error \d+\)")


def _os_error(output: str) -> str:
    """ruff's line about a failed system call (``Failed to write x.py: No space left on device (os error 28)``)."""
    for line in output.splitlines():
        if _OS_ERROR.search(line):
            return line.strip().removeprefix("error: ")
    return ""


def _first_syntax_error(folder: Path) -> tuple[str, str] | None:
    """``(file:line, message)`` of the first generated file Python cannot parse."""
    for path in sorted(folder.rglob("*.py")):
        try:
            compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True)
        except SyntaxError as exc:
            return f"{path}:{exc.lineno}", exc.msg
    return None


def _first_lines(text: str, count: int = 3) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return "; ".join(lines[:count]) + (f" (+{len(lines) - count} more)" if len(lines) > count else "")
