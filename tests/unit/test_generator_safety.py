"""The generator's own safety (issue 14): what it fetches, and how it writes.

Fetches (the spec, remote ``$ref`` documents, ``/system/packages``), against real servers on
127.0.0.1 (two of them: two origins) and ``httpx.MockTransport``:

- ``--header`` values reach the spec's own origin only: not the host a spec's ``servers``
  names, not the target of a cross-origin redirect (``X-Api-Key`` as well as
  ``Authorization``), not a host a fetched document names;
- a gzip bomb is read only up to the limit (memory measured in a child process), on the spec
  and on ``/system/packages`` (there a warning: the generation goes on);
- a server trickling bytes is cut off at one deadline for the whole fetch.

Writes: ruff needs no writable working directory; what a killed run left is cleaned up or put
back; concurrent runs into one folder take turns; SIGTERM (and a signal during the swap) ends
cleanly; a full disk, or any OSError, is one located line with exit status 2, never a traceback
nor "invalid Python (a bug)".
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mastra_codegen.cli import main

SMALL: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "small", "version": "1"},
    "paths": {
        "/things/{thingId}": {
            "get": {
                "tags": ["Things"],
                "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"id": {"type": "string"}},
                                    "required": ["id"],
                                }
                            }
                        },
                    }
                },
            }
        }
    },
}
SECRETS = {"Authorization": "Bearer s3cret", "X-Api-Key": "k3y"}
HEADER_ARGS = [arg for name, value in SECRETS.items() for arg in ("--header", f"{name}: {value}")]
PACKAGES = {"packages": [{"name": "@mastra/core", "version": "1.2.3"}]}


def spec_text(**extra: Any) -> str:
    return json.dumps({**SMALL, **extra})


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def error_line(result: Any) -> str:
    """The one line of a located error (exit status 2, no traceback)."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def beside(out: Path) -> list[str]:
    """What else is next to ``out`` that belongs to it (staging, old copies, the lock)."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


# ----------------------------------------------------------------------------- servers
Route = Callable[["_Handler"], None]


class Site(ThreadingHTTPServer):
    """A server on 127.0.0.1 that records every request's path and headers."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.seen: list[tuple[str, dict[str, str]]] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def headers_at(self, path: str) -> list[dict[str, str]]:
        return [headers for seen, headers in self.seen if seen == path]


class _Handler(BaseHTTPRequestHandler):
    server: Site

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self.server.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = self.server.routes.get(self.path)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            if route is None:
                self.send_error(404)
            else:
                route(self)

    def log_message(self, *args: Any) -> None:
        pass


def answer(body: bytes | str, encoding: str | None = None, content_type: str = "application/json") -> Route:
    data = body.encode() if isinstance(body, str) else body

    def route(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        if encoding:
            handler.send_header("Content-Encoding", encoding)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return route


def redirect(location: str, status: int = 302) -> Route:
    def route(handler: _Handler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def trickle(where: str, every: float = 0.25, until: float = 30.0) -> Route:
    """A byte every ``every`` seconds, in the headers or in the body, for up to ``until`` seconds."""

    def route(handler: _Handler) -> None:
        end = time.monotonic() + until
        write = handler.wfile.write
        if where == "headers":
            write(b"HTTP/1.0 200 OK\r\n")
            while time.monotonic() < end:
                write(b"X-Slow: " + b"a" * 10 + b"\r\n")
                handler.wfile.flush()
                time.sleep(every)
        else:
            write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n")
            text = spec_text(description=" " * 10_000).encode()
            for byte in text:
                if time.monotonic() > end:
                    break
                write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(every)

    return route


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[Site, Site]]:
    sites = (Site(), Site())
    for site in sites:
        threading.Thread(target=site.serve_forever, daemon=True).start()
    yield sites
    for site in sites:
        site.shutdown()
        site.server_close()


@pytest.fixture
def sites(servers: tuple[Site, Site]) -> tuple[Site, Site]:
    for site in servers:
        site.routes.clear()
        site.seen.clear()
    return servers


@functools.lru_cache
def gzip_bomb(mebibytes: int) -> bytes:
    """``mebibytes`` MiB of zeros, gzipped (about a thousandth of that on the wire)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1 << 20)
    return b"".join([packer.compress(block) for _ in range(mebibytes)] + [packer.flush()])


# ----------------------------------------------------------------------------- a child process
CHILD = """
import os, sys
exec(os.environ.get("CODEGEN_TEST_PRELUDE", ""))
from mastra_codegen.cli import main
try:
    main(sys.argv[1:], prog_name="mastra-codegen")
    code = 0
except SystemExit as exc:
    code = exc.code
with open("/proc/self/status") as status:  # this process's own peak (ru_maxrss starts from the parent's)
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print("peak_kb", peak, file=sys.stderr)
sys.exit(code)
"""


def child(
    *args: str, prelude: str = "", cwd: Path | None = None, wrap: list[str] | None = None
) -> subprocess.Popen[str]:
    """The CLI in a child process (``prelude`` runs first: it may patch the generator)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "CODEGEN_TEST_PRELUDE": textwrap.dedent(prelude)}
    command = [*(wrap or []), sys.executable, "-c", CHILD, *args]
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_interruptible,
    )


def _interruptible() -> None:
    """Ctrl-C reaches the child as in a terminal: a job started in the background (CI scripts
    do) inherits SIGINT ignored, and Python keeps it ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def finish(process: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str, float]:
    """Exit status, stderr (without the peak line) and peak memory in MB."""
    _, stderr = process.communicate(timeout=timeout)
    lines = stderr.strip().splitlines()
    peak = float(lines.pop().split()[1]) / 1024 if lines and lines[-1].startswith("peak_kb ") else -1.0
    return process.returncode, "\n".join(lines), peak


def run_child(*args: str, **options: Any) -> tuple[int, str, float]:
    return finish(child(*args, **options))


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "small.json"
    path.write_text(spec_text(), encoding="utf-8")
    return path


@pytest.fixture
def previous(tmp_path: Path, spec: Path) -> tuple[Path, dict[str, bytes]]:
    """A good generation in ``tmp_path/out/small_client``, and its files."""
    out = tmp_path / "out" / "small_client"
    result = run(str(spec), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    return out, snapshot(out)


# ============================================================================= headers
def test_a_servers_url_on_another_origin_gets_no_user_headers(tmp_path: Path, sites: tuple[Site, Site]) -> None:
    a, b = sites
    a.routes["/api/openapi.json"] = answer(spec_text(servers=[{"url": b.url("/collect")}]))
    b.routes["/collect/system/packages"] = answer(json.dumps(PACKAGES))
    a.routes["/own/openapi.json"] = answer(spec_text(servers=[{"url": "/own"}]))
    a.routes["/own/system/packages"] = answer(json.dumps(PACKAGES))

    result = run(a.url("/api/openapi.json"), "-o", str(tmp_path / "one_client"), "-q", *HEADER_ARGS)
    assert result.exit_code == 0, result.output
    [sent] = a.headers_at("/api/openapi.json")
    assert sent["authorization"] == SECRETS["Authorization"] and sent["x-api-key"] == SECRETS["X-Api-Key"]
    [leaked] = b.headers_at("/collect/system/packages")  # asked, but without the user's headers
    assert "authorization" not in leaked and "x-api-key" not in leaked

    result = run(a.url("/own/openapi.json"), "-o", str(tmp_path / "two_client"), "-q", *HEADER_ARGS)
    assert result.exit_code == 0, result.output
    [own] = a.headers_at("/own/system/packages")  # the spec's own server: they go along
    assert own["authorization"] == SECRETS["Authorization"] and own["x-api-key"] == SECRETS["X-Api-Key"]


def test_a_cross_origin_redirect_of_the_spec_drops_every_user_header(tmp_path: Path, sites: tuple[Site, Site]) -> None:
    a, b = sites
    a.routes["/openapi.json"] = redirect(b.url("/openapi.json"))
    b.routes["/openapi.json"] = answer(spec_text())
    a.routes["/moved.json"] = redirect("/here.json", 301)
    a.routes["/here.json"] = answer(spec_text())

    result = run(a.url("/openapi.json"), "-o", str(tmp_path / "one_client"), "-q", *HEADER_ARGS)
    assert result.exit_code == 0, result.output
    assert a.headers_at("/openapi.json")[0]["x-api-key"] == SECRETS["X-Api-Key"]
    [elsewhere] = b.headers_at("/openapi.json")
    assert "authorization" not in elsewhere and "x-api-key" not in elsewhere

    result = run(a.url("/moved.json"), "-o", str(tmp_path / "two_client"), "-q", *HEADER_ARGS)
    assert result.exit_code == 0, result.output
    [same] = a.headers_at("/here.json")  # a redirect on the same origin keeps them
    assert same["authorization"] == SECRETS["Authorization"] and same["x-api-key"] == SECRETS["X-Api-Key"]


def test_remote_refs_get_headers_only_on_origins_the_spec_file_names(tmp_path: Path, sites: tuple[Site, Site]) -> None:
    a, b = sites
    pet = "Pet: {type: object, properties: {owner: {$ref: '" + b.url("/owner.yaml") + "'}}}\n"
    a.routes["/pet.yaml"] = answer(pet, content_type="application/yaml")  # names b itself
    a.routes["/tag.yaml"] = redirect(b.url("/tag.yaml"))  # sends us to b
    b.routes["/owner.yaml"] = answer("type: object\n", content_type="application/yaml")
    b.routes["/tag.yaml"] = answer("Tag: {type: string}\n", content_type="application/yaml")
    doc = json.loads(spec_text())
    doc["components"] = {
        "schemas": {"Pet": {"$ref": a.url("/pet.yaml#/Pet")}, "Tag": {"$ref": a.url("/tag.yaml#/Tag")}}
    }
    spec = tmp_path / "api.json"
    spec.write_text(json.dumps(doc), encoding="utf-8")

    result = run(str(spec), "-o", str(tmp_path / "pets_client"), "-q", "--allow-remote-refs", *HEADER_ARGS)
    assert result.exit_code == 0, result.output
    assert a.headers_at("/pet.yaml")[0]["x-api-key"] == SECRETS["X-Api-Key"]  # named by the spec file
    for path in ("/owner.yaml", "/tag.yaml"):  # named by a fetched document, or a redirect
        [sent] = b.headers_at(path)
        assert "authorization" not in sent and "x-api-key" not in sent, path


def test_headers_never_come_back_once_a_redirect_chain_left_their_origin() -> None:
    import httpx
    from mastra_codegen import fetch

    seen: list[tuple[str, str | None]] = []
    hops = {
        "https://a.test/spec": "http://a.test/spec",  # https -> http: another origin
        "http://a.test/spec": "https://a.test/final",  # back to the first origin
    }

    def server(request: httpx.Request) -> httpx.Response:
        seen.append((str(request.url), request.headers.get("x-api-key")))
        target = hops.get(str(request.url))
        if target is not None:
            return httpx.Response(307, headers={"Location": target})
        return httpx.Response(200, stream=httpx.ByteStream(b"{}"))  # not read beforehand, as from a socket

    got = fetch.get("https://a.test/spec", headers=SECRETS, max_bytes=1000, transport=httpx.MockTransport(server))
    assert got.url == "https://a.test/final" and got.body == b"{}"
    assert seen == [("https://a.test/spec", "k3y"), ("http://a.test/spec", None), ("https://a.test/final", None)]


def test_redirects_are_bounded_and_only_to_http() -> None:
    import httpx
    from mastra_codegen import fetch
    from mastra_codegen.errors import CodegenError

    def loop(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "/again"})

    with pytest.raises(CodegenError, match="more than 10 redirects"):
        fetch.get("http://a.test/spec", max_bytes=1000, transport=httpx.MockTransport(loop))

    def to_file(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "file:///etc/passwd"})

    with pytest.raises(CodegenError, match="only http"):
        fetch.get("http://a.test/spec", max_bytes=1000, transport=httpx.MockTransport(to_file))


# ============================================================================= size
def test_a_gzip_bomb_on_system_packages_is_a_warning_in_bounded_memory(
    tmp_path: Path, sites: tuple[Site, Site]
) -> None:
    a, _ = sites
    a.routes["/api/openapi.json"] = answer(spec_text(servers=[{"url": "/api"}]))
    a.routes["/api/system/packages"] = answer(gzip_bomb(768), encoding="gzip")  # 768 MB once inflated
    out = tmp_path / "bombed_client"
    code, stderr, peak_mb = run_child(a.url("/api/openapi.json"), "-o", str(out), "-q")
    assert code == 0, stderr
    assert "warning: server package versions not recorded: GET " in stderr
    assert "over the limit of 1 MB" in stderr, stderr
    assert peak_mb < 200, peak_mb  # 1.6 GB when the whole answer was inflated
    assert (out / ".mastra-codegen").is_file()


def test_a_gzip_bomb_spec_is_read_only_up_to_the_limit(tmp_path: Path, sites: tuple[Site, Site]) -> None:
    a, _ = sites
    a.routes["/bomb.json"] = answer(gzip_bomb(256), encoding="gzip")
    a.routes["/big.json"] = answer(b" " * (3 << 20))  # as much over the limit, uncompressed: the yardstick
    out = str(tmp_path / "bombed_client")
    code, stderr, peak_bomb = run_child(a.url("/bomb.json"), "-o", out, "--max-spec-size", "1")
    assert code == 2, stderr
    assert stderr.count("\n") == 0 and "bomb.json: response once decompressed is over the limit of 1 MB" in stderr
    code, stderr, peak_plain = run_child(a.url("/big.json"), "-o", out, "--max-spec-size", "1")
    assert code == 2 and "over the limit of 1 MB" in stderr, stderr
    assert peak_bomb - peak_plain < 24, (peak_bomb, peak_plain)  # +130 MB when each 64 KB read was inflated whole


def test_inflate_gives_bounded_pieces() -> None:
    from mastra_codegen.fetch import CHUNK, inflate

    bomb = gzip_bomb(64)
    pieces = inflate([bomb[i : i + 65536] for i in range(0, len(bomb), 65536)], "gzip")
    sizes = [len(piece) for piece in pieces]
    assert max(sizes) <= CHUNK and sum(sizes) == 64 << 20
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)  # raw deflate, as some servers send it
    raw = packer.compress(b"x" * 100_000) + packer.flush()
    assert b"".join(inflate([raw[:1], raw[1:]], "deflate")) == b"x" * 100_000


# ============================================================================= deadline
@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_trickling_spec_url_meets_one_deadline(
    tmp_path: Path, sites: tuple[Site, Site], where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mastra_codegen.fetch.DEADLINE", 2.0)
    a, _ = sites
    a.routes["/slow.json"] = trickle(where)
    started = time.monotonic()
    line = error_line(run(a.url("/slow.json"), "-o", str(tmp_path / "slow_client")))
    assert time.monotonic() - started < 6
    assert line.endswith("/slow.json: no complete answer within 2 s (a server sending too slowly?)"), line
    assert not (tmp_path / "slow_client").exists()


def test_a_trickling_system_packages_is_a_warning_after_its_deadline(
    tmp_path: Path, sites: tuple[Site, Site], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mastra_codegen.server_info.DEADLINE", 1.0)
    a, _ = sites
    a.routes["/api/openapi.json"] = answer(spec_text(servers=[{"url": "/api"}]))
    a.routes["/api/system/packages"] = trickle("body")
    started = time.monotonic()
    result = run(a.url("/api/openapi.json"), "-o", str(tmp_path / "slow_client"), "-q")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 20
    assert "system/packages: no complete answer within 1 s" in result.output


# ============================================================================= ruff and the working directory
def test_ruff_needs_no_writable_working_directory(tmp_path: Path, spec: Path) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    out = tmp_path / "small_client"
    code, stderr, _ = run_child(str(spec), "-o", str(out), "-q", cwd=cwd)
    assert code == 0, stderr
    assert list(cwd.iterdir()) == [], "ruff wrote into the working directory"
    assert not list(tmp_path.rglob(".ruff_cache"))
    if os.geteuid() == 0 and shutil.which("unshare"):  # root ignores 0555: a read-only bind mount instead
        mount = ["unshare", "-m", "--propagation", "private", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"']
        code, stderr, _ = run_child(str(spec), "-o", str(out), "-q", cwd=cwd, wrap=[*mount, str(cwd)])
        if "mount" not in stderr:  # (no mount namespace here: covered by the check above)
            assert code == 0, stderr
    else:
        cwd.chmod(0o555)
        try:
            code, stderr, _ = run_child(str(spec), "-o", str(out), "-q", cwd=cwd)
        finally:
            cwd.chmod(0o755)
        assert code == 0, stderr


def test_a_gitignore_around_the_output_changes_nothing(tmp_path: Path, spec: Path, previous: Any) -> None:
    _, files = previous
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".gitignore").write_text("*.py\n")
    out = repo / "small_client"
    assert run(str(spec), "-o", str(out), "-q").exit_code == 0
    assert snapshot(out) == files  # formatted and checked by ruff all the same


# ============================================================================= leftovers
def test_a_run_killed_between_the_renames_is_put_right(tmp_path: Path, spec: Path, previous: Any) -> None:
    out, files = previous
    old = out.with_name(f".{out.name}.old-k1lled")
    os.replace(out, old)  # what a kill between the two renames of the swap leaves
    (out.parent / f".{out.name}.new-abc123" / "models").mkdir(parents=True)
    (out.parent / f".{out.name}.new-abc123" / "models" / "x.py").write_text("x = 1\n")
    (out.parent / f".{out.name}.old-empty").mkdir()  # no marker: not a package to put back
    (out.parent / f".{out.name}.del-half").mkdir()
    broken = tmp_path / "broken.json"
    broken.write_text("{")

    line = error_line(run(str(broken), "-o", str(out)))  # even a run that fails puts it back first
    assert "broken.json:1:2: invalid JSON" in line
    assert snapshot(out) == files
    assert beside(out) == []  # the staging folder, the half-deleted and the empty copy are gone

    result = run(str(spec), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert beside(out) == [] and snapshot(out) == files


def test_leftovers_beside_an_existing_output_are_removed(tmp_path: Path, spec: Path, previous: Any) -> None:
    out, files = previous
    for name in (f".{out.name}.old-x", f".{out.name}.new-y", f".{out.name}.del-z"):
        shutil.copytree(out, out.parent / name)
    (out / "stale.py").write_text("x = 1\n")
    result = run(str(spec), "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert beside(out) == [] and snapshot(out) == files


# ============================================================================= concurrency and signals
SLOW_REPLACE = """
import os, time
_replace = os.replace
def replace(src, dst, **kw):
    time.sleep(1.0)  # a wide window between the two renames of the swap
    return _replace(src, dst, **kw)
os.replace = replace
"""


def test_concurrent_runs_into_one_folder_take_turns(tmp_path: Path, spec: Path, previous: Any) -> None:
    out, files = previous
    runs = [child(str(spec), "-o", str(out), "-q", prelude=SLOW_REPLACE) for _ in range(2)]
    for process in runs:
        code, stderr, _ = finish(process)
        assert "Traceback" not in stderr, stderr
        assert code == 0, stderr
    assert snapshot(out) == files and beside(out) == []


WAIT_IN_RUFF = """
import sys, time
import mastra_codegen.fmt as fmt
def format_and_check(folder):
    print("READY", file=sys.stderr, flush=True)
    time.sleep(60)
fmt.format_and_check = format_and_check
"""


def wait_for_ready(process: subprocess.Popen[str]) -> None:
    assert process.stderr is not None
    line = process.stderr.readline()
    assert line.strip() == "READY", line + process.stderr.read()


def test_sigterm_mid_run_leaves_the_output_as_it_was(spec: Path, previous: Any) -> None:
    out, files = previous
    process = child(str(spec), "-o", str(out), prelude=WAIT_IN_RUFF)
    wait_for_ready(process)
    process.send_signal(signal.SIGTERM)
    code, stderr, _ = finish(process, timeout=30)
    assert code == 143, stderr
    assert stderr.strip() == "mastra-codegen: terminated; the output was left as it was"
    assert snapshot(out) == files and beside(out) == []


SIGNAL_IN_SWAP = """
import os, sys, time
_replace = os.replace
def replace(src, dst, **kw):
    result = _replace(src, dst, **kw)
    if os.path.basename(str(src)) == "small_client":  # the old package moved aside: between the renames
        print("READY", file=sys.stderr, flush=True)
        time.sleep(2)
    return result
os.replace = replace
"""


@pytest.mark.parametrize(
    ("signum", "status", "word"), [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")]
)
def test_a_signal_during_the_swap_waits_for_it(spec: Path, previous: Any, signum: int, status: int, word: str) -> None:
    out, _ = previous
    (out / "stale.py").write_text("x = 1\n")
    process = child(str(spec), "-o", str(out), prelude=SIGNAL_IN_SWAP)
    wait_for_ready(process)
    process.send_signal(signum)
    code, stderr, _ = finish(process, timeout=30)
    assert code == status, stderr
    assert stderr.strip() == f"mastra-codegen: {word}; {out} was written"
    assert (out / ".mastra-codegen").is_file() and not (out / "stale.py").exists()  # the new package, whole
    assert beside(out) == []


# ============================================================================= disk full and other OSErrors
def test_a_full_disk_while_writing_is_a_located_error(
    spec: Path, previous: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, files = previous
    real = Path.write_text
    calls = 0

    def write_text(self: Path, *args: Any, **kwargs: Any) -> int:
        nonlocal calls
        if f".{out.name}.new-" in str(self):
            calls += 1
            if calls > 3:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    line = error_line(run(str(spec), "-o", str(out)))
    assert line.startswith(f"mastra-codegen: error: {out}: cannot write the package: No space left on device (")
    assert ".new-" not in line
    assert snapshot(out) == files and beside(out) == []


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_a_failing_rename_is_a_located_error(
    spec: Path, previous: Any, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    out, files = previous
    real = os.replace
    for failing, what in ((1, "the previous package aside"), (2, "the new package into place")):
        calls = 0

        def replace(src: Any, dst: Any, failing: int = failing, **kwargs: Any) -> None:
            nonlocal calls
            calls += 1
            if calls == failing:
                raise OSError(code, os.strerror(code), str(src), None, str(dst))
            real(src, dst, **kwargs)

        monkeypatch.setattr(os, "replace", replace)
        line = error_line(run(str(spec), "-o", str(out)))
        assert f"{out}: cannot move {what}: {os.strerror(code)}" in line
        assert snapshot(out) == files and beside(out) == []


def test_ruff_failing_to_write_is_not_called_a_bug(
    tmp_path: Path, spec: Path, previous: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mastra_codegen.fmt import ruff_bin

    out, files = previous
    fake = tmp_path / "ruff"
    fake.write_text(
        textwrap.dedent(
            f"""\
            #!/bin/sh
            if [ "$1" = format ]; then  # as ruff does on a full disk: a file cut short, and the os error
                for folder; do :; done  # the last argument: the package being formatted
                [ -f "$folder/.mastra-codegen" ] || exit 3  # never anything else
                f=$(find "$folder" -name '*.py' | sort | head -1)
                printf 'def f(:\\n' > "$f"
                echo "error: Failed to write $f: No space left on device (os error 28)" >&2
                exit 2
            fi
            exec {ruff_bin()} "$@"
            """
        )
    )
    fake.chmod(0o755)
    monkeypatch.setattr("mastra_codegen.fmt.ruff_bin", lambda: str(fake))
    line = error_line(run(str(spec), "-o", str(out)))
    assert "invalid Python" not in line and ".new-" not in line
    assert f"{out}: cannot write the package: ruff: Failed to write " in line
    assert line.endswith("No space left on device (os error 28)")
    assert snapshot(out) == files and beside(out) == []


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"), reason="mounts a tmpfs: root and unshare")
def test_a_really_full_disk(tmp_path: Path, spec: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    listing = tmp_path / "listing"
    # A 128 KB disk (the package is about 400 KB); what is left on it is listed before it goes away.
    script = (
        'mount -t tmpfs -o size=128k tmpfs "$0" || exit 99; l=$1; shift; "$@"; code=$?; ls -A "$0" > "$l"; exit $code'
    )
    wrap = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, str(disk), str(listing)]
    code, stderr, _ = run_child(str(spec), "-o", str(disk / "small_client"), wrap=wrap)
    if code == 99:
        pytest.skip("no tmpfs mount here")
    assert code == 2, stderr
    assert stderr.count("\n") == 0, stderr
    assert stderr.startswith(f"mastra-codegen: error: {disk / 'small_client'}: cannot write the package: ")
    assert "No space left on device" in stderr
    assert listing.read_text() == ""  # no staging folder, no lock file
