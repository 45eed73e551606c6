"""The command line a new user meets: settings in pyproject.toml, progress by stage, the output
checked before the work, a mistyped command, a wrong spec URL, the exit codes in ``--help``."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from mastra_codegen import cli, config, pipeline
from mastra_codegen.errors import CodegenError
from mastra_codegen.fetch import BadStatus
from test_cli import SMALL, assert_located_error

STAGES = [
    "loading the spec",
    "applying the overrides and normalizing",
    "building the operations",
    "rendering the models (datamodel-code-generator)",
    "rendering the package",
]


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli.main, list(args), catch_exceptions=False, env=env)


def project(tmp_path: Path, table: str) -> Path:
    """A project folder with the small spec and ``table`` as its [tool.mastra-codegen]."""
    (tmp_path / "specs").mkdir(parents=True)
    (tmp_path / "specs" / "things.json").write_text(json.dumps(SMALL), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "app"\nversion = "1"\n\n[tool.mastra-codegen]\n{table}', encoding="utf-8"
    )
    (tmp_path / "src" / "deep").mkdir(parents=True)
    return tmp_path


@pytest.fixture
def never_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the slow part starts: what is checked must be checked before it."""

    def slow(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the generation started")

    monkeypatch.setattr(pipeline, "_render", slow)


# ------------------------------------------------------------------ [tool.mastra-codegen]


def test_no_arguments_generate_and_check_from_the_closest_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, 'spec = "specs/things.json"\noutput = "src/things_client"\n')
    monkeypatch.chdir(root / "src" / "deep")  # paths are relative to the pyproject.toml, not here
    written = run()
    assert written.exit_code == 0, written.output
    assert (root / "src" / "things_client" / "_client.py").is_file()
    checked = run("--check")
    assert checked.exit_code == 0 and "is up to date" in checked.output, checked.output
    (root / "src" / "things_client" / "_client.py").write_text("# edited\n", encoding="utf-8")
    assert run("--check").exit_code == 1


def test_the_command_line_wins_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path, 'spec = "specs/missing.json"\noutput = "src/things_client"\n')
    monkeypatch.chdir(root)
    assert_located_error(run("-q"), "missing.json")  # the file's spec is used ...
    other = root / "elsewhere" / "other_client"
    result = run(str(root / "specs" / "things.json"), "-o", str(other), "-q")  # ... unless one is given
    assert result.exit_code == 0, result.output
    assert other.is_dir() and not (root / "src" / "things_client").exists()


def test_project_options_and_overrides_come_from_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(
        tmp_path,
        'spec = "specs/things.json"\noutput = "things_client"\noverrides = ["mine.yaml"]\n'
        'project = true\nproject-name = "acme-things"\nproject-version = "2.1.0"\nmax-spec-size = 1\n',
    )
    (root / "mine.yaml").write_text("operations:\n  GET /nowhere:\n    name: x\n", encoding="utf-8")
    monkeypatch.chdir(root)
    result = run("-q")  # the override file is read (relative to the pyproject.toml): its entry is unknown
    assert_located_error(result, "mine.yaml", "GET /nowhere")
    (root / "mine.yaml").write_text("operations: {}\n", encoding="utf-8")
    assert run("-q").exit_code == 0
    pyproject = (root / "things_client" / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "acme-things"' in pyproject and 'version = "2.1.0"' in pyproject


def test_an_unknown_key_is_a_located_error_listing_the_known_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, never_rendered: None
) -> None:
    root = project(tmp_path, 'spec = "specs/things.json"\noutput = "things_client"\nappp = "http://x"\n')
    monkeypatch.chdir(root)
    result = run()
    assert_located_error(result, f"{root / 'pyproject.toml'}:8", "unknown key 'appp'", "output, overrides, project")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("spec = 3", "spec: must be a non-empty string"),
        ('overrides = "one.yaml"', "overrides: must be a list of paths"),
        ('project = "yes"', "project: must be true or false"),
        ("max-spec-size = 0", "max-spec-size: must be a whole number of MB"),
        ('headers = "Authorization"', "headers: must be a table"),
    ],
)
def test_a_wrong_value_names_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, never_rendered: None, line: str, message: str
) -> None:
    root = project(tmp_path, f'output = "things_client"\n{line}\n')
    monkeypatch.chdir(root)
    assert_located_error(run(), f"{root / 'pyproject.toml'}:7", message)


def test_missing_spec_says_where_to_set_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert_located_error(run(), "SPEC", "missing", "[tool.mastra-codegen]")
    root = project(tmp_path / "p", 'spec = "specs/things.json"\n')
    monkeypatch.chdir(root)
    assert_located_error(run(), "-o/--output", "missing", str(root / "pyproject.toml"))


def test_a_config_file_named_on_the_command_line(tmp_path: Path) -> None:
    root = project(tmp_path, 'spec = "specs/things.json"\noutput = "things_client"\n')
    assert run("--config", str(root / "pyproject.toml"), "-q").exit_code == 0
    assert (root / "things_client").is_dir()


def test_header_values_from_the_environment() -> None:
    def fail(what: str) -> CodegenError:
        return CodegenError("pyproject.toml:3", what)

    assert config.expand("Bearer ${TOKEN}", {"TOKEN": "s3cret"}, fail) == "Bearer s3cret"
    assert config.expand("a$$b", {}, fail) == "a$b"
    with pytest.raises(CodegenError, match="environment variable TOKEN is not set"):
        config.expand("Bearer ${TOKEN}", {}, fail)
    with pytest.raises(CodegenError, match=r"must start \$\{NAME\}"):
        config.expand("pa$word", {}, fail)


# ------------------------------------------------------------------ a spec URL


class _Server:
    """Serves SMALL at /api/openapi.json, 404 elsewhere; records the Authorization headers."""

    def __init__(self) -> None:
        seen: list[str | None] = []
        self.seen = seen

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.headers.get("Authorization"))
                if self.path == "/api/openapi.json":
                    body = json.dumps(SMALL).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_error(404 if self.path != "/broken" else 500)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def server() -> Iterator[_Server]:
    served = _Server()
    thread = threading.Thread(target=served.httpd.serve_forever, daemon=True)
    thread.start()
    yield served
    served.httpd.shutdown()
    served.httpd.server_close()


def test_a_404_spec_url_says_where_a_mastra_server_serves_it(tmp_path: Path, server: _Server) -> None:
    url = f"{server.base}/openapi.json"
    result = run(url, "-o", str(tmp_path / "things_client"))
    assert_located_error(
        result, url, "HTTP 404 Not Found; is this the document's URL?", f"serves it at {server.base}/api/openapi.json"
    )
    broken = run(f"{server.base}/broken", "-o", str(tmp_path / "things_client"))
    assert_located_error(broken, "HTTP 500 Internal Server Error", "see the server's log")


def test_a_404_of_a_ref_document_gets_no_spec_hint() -> None:
    assert BadStatus("http://h/x.yaml", 404).what == "HTTP 404"
    assert BadStatus("http://h/api/openapi.json", 404).for_spec().what.startswith("HTTP 404 Not Found; the server")


def test_header_from_the_environment_is_sent_with_the_spec_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: _Server
) -> None:
    table = f'spec = "{server.base}/api/openapi.json"\noutput = "things_client"\n'
    root = project(tmp_path, table + 'headers = { Authorization = "Bearer ${MASTRA_TOKEN}" }\n')
    monkeypatch.chdir(root)
    monkeypatch.delenv("MASTRA_TOKEN", raising=False)
    assert_located_error(run(), f"{root / 'pyproject.toml'}:8", "headers.Authorization", "MASTRA_TOKEN is not set")
    assert server.seen == []
    assert run("-q", env={"MASTRA_TOKEN": "s3cret"}).exit_code == 0
    assert server.seen[0] == "Bearer s3cret"
    assert run("-q", "--header", "authorization: Bearer other", env={"MASTRA_TOKEN": "s3cret"}).exit_code == 0
    assert server.seen[-1] == "Bearer other"  # --header replaces the file's header of that name


# ------------------------------------------------------------------ progress


def test_progress_by_stage_on_stderr_when_it_is_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps(SMALL), encoding="utf-8")
    out = str(tmp_path / "things_client")
    silent = run(str(spec), "-o", out)  # CliRunner's stderr is no terminal
    assert silent.exit_code == 0 and silent.stderr == ""
    monkeypatch.setattr(cli, "_stderr_is_terminal", lambda: True)
    shown = run(str(spec), "-o", out)
    stages = [*STAGES, "writing the files", "formatting with ruff"]
    expected = [f"[{i}/7] {text}..." for i, text in enumerate(stages, 1)]
    assert shown.stderr.splitlines() == expected
    assert shown.stdout.startswith("wrote ")
    assert run(str(spec), "-o", out, "-q").stderr == ""  # -q: nothing
    checked = run(str(spec), "-o", out, "--check")
    assert checked.stderr.splitlines()[-2:] == ["[6/7] formatting with ruff...", f"[7/7] comparing with {out}..."]
    monkeypatch.setattr(cli, "_stderr_is_terminal", lambda: False)
    assert len(run(str(spec), "-o", out, "-q", "--progress").stderr.splitlines()) == 7  # forced on


# ------------------------------------------------------------------ the output, before the work


def test_an_output_under_a_file_is_refused_before_the_work(tmp_path: Path, never_rendered: None) -> None:
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps(SMALL), encoding="utf-8")
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = run(str(spec), "-o", str(tmp_path / "afile" / "deeper" / "things_client"))
    assert_located_error(result, "things_client", "cannot be written", "afile is not a directory")


def test_an_unwritable_parent_is_refused_before_the_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, never_rendered: None
) -> None:
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps(SMALL), encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    # Tests may run as root, where permissions do not stop a write: ask what os.access answers.
    monkeypatch.setattr("mastra_codegen.writer.os.access", lambda path, mode: Path(path) != locked, raising=True)
    result = run(str(spec), "-o", str(locked / "new" / "things_client"))
    assert_located_error(result, "things_client", f"no permission to write in {locked}")
    assert not (locked / "new").exists()


def test_a_folder_it_did_not_create_is_refused_before_the_work(tmp_path: Path, never_rendered: None) -> None:
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps(SMALL), encoding="utf-8")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep", encoding="utf-8")
    assert_located_error(run(str(spec), "-o", str(tmp_path / "mine")), "not created by mastra-codegen")


# ------------------------------------------------------------------ commands and help


def test_a_mistyped_command_is_not_taken_for_a_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("dif", "a.json", "b.json")
    assert_located_error(result, "no such command 'dif'; did you mean `diff`?")
    assert_located_error(run("generat", "s.json"), "did you mean `generate`?")
    # a spec file that is literally named so is still a spec
    (tmp_path / "dif").write_text(json.dumps(SMALL), encoding="utf-8")
    assert run("dif", "-o", "things_client", "-q").exit_code == 0


@pytest.mark.parametrize("args", [["-h"], ["generate", "-h"], ["diff", "-h"]])
def test_exit_codes_are_in_the_help(args: list[str]) -> None:
    text = run(*args).output
    assert "Exit status:" in text
    for code in ("0 ", "1 ", "2 ", "130", "143"):
        assert f"  {code}" in text, code
