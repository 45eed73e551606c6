"""Write the package atomically: a failed, interrupted or killed run never leaves the user without it.

Beside ``OUT_DIR`` (named ``NAME``) a run uses:

* ``.NAME.lock``: held (``flock``) while a run writes, so concurrent runs into one folder take
  turns; removed when done;
* ``.NAME.new-*``: the staging folder the package is written and formatted in;
* ``.NAME.old-*``: the previous package, between the two renames of the swap;
* ``.NAME.del-*``: an old package being deleted (never restored: it may be partly gone).

SIGINT and SIGTERM wait while the two renames happen. A run killed anyway (SIGKILL, power)
leaves some of these; the next run cleans them up under the lock, and first puts a complete
``.NAME.old-*`` (one with the marker) back in place when ``OUT_DIR`` is missing.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .errors import CodegenError

try:
    import fcntl
except ImportError:  # Windows: runs into one folder are not serialized
    fcntl = None  # type: ignore[assignment]

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


def check_writable(out_dir: Path) -> None:
    """Refuse, before the slow part, an output whose folder cannot be made or written.

    The package is staged and swapped in beside ``out_dir``, so its parent folder (or, when it
    does not exist yet, its closest existing ancestor, where it will be made) must be a
    writable directory.
    """
    parent = out_dir.parent
    while not parent.exists() and not parent.is_symlink() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise CodegenError(str(out_dir), f"cannot be written: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CodegenError(str(out_dir), f"cannot be written: no permission to write in {parent}")


def prepare_target(out_dir: Path) -> list[str]:
    """Before a run: ``check_writable``, what earlier runs left beside ``out_dir`` recovered (see
    ``recover``), then ``check_target``. Returns notes for the user."""
    out_dir = out_dir.absolute()
    check_writable(out_dir)
    notes: list[str] = []
    if _leftovers(out_dir):
        try:
            with locked(out_dir):
                notes = recover(out_dir)
        except OSError as exc:
            raise _os_error(out_dir, "cannot check the output", exc) from None
    check_target(out_dir)
    return notes


def render_into(
    folder: Path,
    files: Mapping[str, str],
    marker: Mapping[str, object],
    finish: Callable[[Path], None] | None = None,
    shown: Path | None = None,
) -> None:
    """Write ``files`` and the marker into a new ``folder``, then run ``finish`` (ruff) on it.

    Errors name ``shown`` (the package the user asked for) instead of ``folder``, a temporary
    folder that is gone by the time they read the message.
    """
    try:
        for relative, text in sorted(files.items()):
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
        (folder / MARKER).write_text(json.dumps(dict(marker), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        if finish is not None:
            finish(folder)
    except OSError as exc:
        where = shown if shown is not None else folder
        raise _os_error(where, "cannot write the package", exc, folder) from None
    except CodegenError as exc:
        if shown is None:
            raise
        inside = str(folder)
        raise CodegenError(exc.where.replace(inside, str(shown)), exc.what.replace(inside, str(shown))) from None


def write_package(
    out_dir: Path,
    files: Mapping[str, str],
    marker: Mapping[str, object],
    finish: Callable[[Path], None] | None = None,
) -> list[str]:
    """Render into a sibling staging folder (see ``render_into``), then swap it in; notes for the user.

    A problem (disk full, permissions, ruff unable to write) is a ``CodegenError`` naming
    ``out_dir``, and ``out_dir`` stays as it was; so it does on Ctrl-C or SIGTERM, except
    when they come during the swap: then the swap completes first, and the
    ``KeyboardInterrupt`` carries ``written`` (the path) to say so.
    """
    out_dir = out_dir.absolute()
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with locked(out_dir):
            notes = recover(out_dir)
            check_target(out_dir)
            staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
            old: Path | None = None
            swapped = False
            try:
                render_into(staging, files, marker, finish, shown=out_dir)
                os.chmod(staging, 0o755)  # mkdtemp made it 0700
                with _signals_deferred():
                    old = _swap(staging, out_dir)
                    swapped = True
            except KeyboardInterrupt as exc:
                if swapped:  # it came during the swap, which is done
                    exc.written = out_dir  # type: ignore[attr-defined]
                raise
            finally:
                if not swapped:
                    shutil.rmtree(staging, ignore_errors=True)
                elif old is not None:
                    _discard(old)
    except OSError as exc:
        raise _os_error(out_dir, "cannot write the package", exc) from None
    return notes


def _swap(staging: Path, out_dir: Path) -> Path | None:
    """``staging`` becomes ``out_dir``; the previous ``out_dir``, moved aside, is returned."""
    old: Path | None = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        try:
            os.replace(out_dir, old)  # onto the empty directory just made
        except OSError as exc:
            shutil.rmtree(old, ignore_errors=True)
            raise _os_error(out_dir, "cannot move the previous package aside", exc) from None
    try:
        os.replace(staging, out_dir)
    except OSError as exc:
        if old is None:
            raise _os_error(out_dir, "cannot move the new package into place", exc) from None
        try:
            os.replace(old, out_dir)  # put the user's files back
        except OSError:
            raise CodegenError(
                str(out_dir),
                f"cannot move the new package into place ({exc.strerror or exc}), nor the previous one back: "
                f"it is in {old.name}, and the next run puts it back",
            ) from None
        raise _os_error(out_dir, "cannot move the new package into place", exc) from None
    return old


def _discard(old: Path) -> None:
    """Delete a previous package; renamed first, so that a deletion cut short is never restored."""
    doomed = old.with_name(old.name.replace(".old-", ".del-", 1))
    try:
        os.replace(old, doomed)
    except OSError:
        doomed = old
    shutil.rmtree(doomed, ignore_errors=True)


def recover(out_dir: Path) -> list[str]:
    """Clean up what runs that were killed left beside ``out_dir`` (call it holding ``locked``).

    Staging and half-deleted folders are removed. If ``out_dir`` is missing and a complete
    previous package (with the marker) was left between the two renames of a swap, it is put
    back (the newest, if several); any other previous package is deleted once ``out_dir`` is
    there.
    """
    name = out_dir.name
    try:
        entries = [p for p in out_dir.parent.iterdir() if p.name.startswith(f".{name}.")]
    except FileNotFoundError:
        return []
    folders = [p for p in entries if p.is_dir() and not p.is_symlink()]
    olds = [p for p in folders if p.name.startswith(f".{name}.old-")]
    for leftover in folders:
        if leftover.name.startswith((f".{name}.new-", f".{name}.del-")):
            shutil.rmtree(leftover, ignore_errors=True)
    notes: list[str] = []
    if not out_dir.exists() and not out_dir.is_symlink():
        complete = [p for p in olds if (p / MARKER).is_file()]
        if complete:
            newest = max(complete, key=lambda p: (p / MARKER).stat().st_mtime)
            os.replace(newest, out_dir)
            olds.remove(newest)
            notes.append(f"{out_dir}: put back from {newest.name}, where a killed run had left it")
    if out_dir.is_dir():
        for old in olds:
            _discard(old)
    return notes


def _leftovers(out_dir: Path) -> bool:
    prefixes = tuple(f".{out_dir.name}.{kind}-" for kind in ("new", "old", "del"))
    try:
        return any(entry.name.startswith(prefixes) for entry in os.scandir(out_dir.parent))
    except OSError:
        return False


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold ``.NAME.lock`` beside ``out_dir``: one run at a time writes it (the others wait)."""
    if fcntl is None:
        yield
        return
    path = out_dir.parent / f".{out_dir.name}.lock"
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # waits while another run holds it
            # The run before may have removed the file once done: only the one still there counts.
            if os.path.samestat(os.fstat(fd), os.stat(path)):
                break
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)  # still locked: a run waiting for it retries with a new file
        os.close(fd)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (the swap must not stop between its renames)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if handler is not None:  # None: set outside Python, cannot be put back
            previous[signum] = handler
            signal.signal(signum, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if caught:
            handler = previous[caught[0]]
            if callable(handler):
                handler(caught[0], None)  # Python's SIGINT handler raises KeyboardInterrupt here
            elif handler == signal.SIG_DFL:
                os.kill(os.getpid(), caught[0])


def _os_error(where: Path, doing: str, exc: OSError, inside: Path | None = None) -> CodegenError:
    """``OUT: cannot write the package: No space left on device (models/x.py)``."""
    detail = exc.strerror or str(exc)
    if exc.filename is not None:
        name = str(exc.filename)
        if inside is not None and name.startswith(str(inside)):
            name = name[len(str(inside)) :].lstrip(os.sep) or "."
        detail += f" ({name})"
    return CodegenError(str(where), f"{doing}: {detail}")


def read_files(folder: Path) -> dict[str, str]:
    """Every file of a generated package (for --check and the golden test)."""
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }
