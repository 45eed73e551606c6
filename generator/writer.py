"""Write the package atomically: a failed run leaves an existing output exactly as it was."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from .errors import CodegenError

MARKER = ".mastra-codegen"


def check_target(out_dir: Path) -> None:
    """Refuse to replace anything mastra-codegen did not write itself."""
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise CodegenError(str(out_dir), "exists and is not a directory; refusing to replace it")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise CodegenError(
            str(out_dir),
            f"exists, is not empty and has no {MARKER} marker: it was not created by mastra-codegen, "
            "refusing to overwrite it",
        )


def render_into(
    folder: Path,
    files: Mapping[str, str],
    marker: Mapping[str, object],
    finish: Callable[[Path], None] | None = None,
) -> None:
    """Write ``files`` and the marker into a new ``folder``, then run ``finish`` (ruff) on it."""
    for relative, text in sorted(files.items()):
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    (folder / MARKER).write_text(json.dumps(dict(marker), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if finish is not None:
        finish(folder)


def write_package(
    out_dir: Path,
    files: Mapping[str, str],
    marker: Mapping[str, object],
    finish: Callable[[Path], None] | None = None,
) -> None:
    """Render into a sibling temp dir (see ``render_into``), then swap it in."""
    out_dir = out_dir.absolute()
    check_target(out_dir)
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
    except OSError as exc:
        raise CodegenError(str(out_dir), f"cannot create the output: {exc.strerror or exc}") from None
    try:
        render_into(staging, files, marker, finish)
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out_dir: Path) -> None:
    old: Path | None = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rmdir(old)
        os.replace(out_dir, old)
    try:
        os.replace(staging, out_dir)
    except OSError as exc:
        if old is not None:
            os.replace(old, out_dir)  # put the user's files back
        raise CodegenError(str(out_dir), f"cannot move the new package into place: {exc.strerror or exc}") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    os.chmod(out_dir, 0o755)


def read_files(folder: Path) -> dict[str, str]:
    """Every file of a generated package (for --check and the golden test)."""
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }
