"""The command line.

    mastra-codegen SPEC -o OUT [--check] [--project ...]   generate (or check) a client package
    mastra-codegen [--check]                               the same, from [tool.mastra-codegen]
    mastra-codegen diff OLD NEW [--json]                   what changed between two specs or packages
    mastra-codegen app-snapshot BASE_URL -o app.json       the server's own app, for ``--app``

Exit status: 0 success (``--check``: up to date), 1 ``--check`` found differences
(``diff --fail-on-breaking``: breaking changes), 2 an error (one located line on stderr),
130 interrupted (Ctrl-C), 143 terminated (SIGTERM). ``EXIT_STATUS`` says it in ``--help``.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click
from click.core import ParameterSource

from . import __version__
from .errors import CodegenError
from .ir import ProjectInfo
from .loader import DEFAULT_MAX_SPEC_BYTES

if TYPE_CHECKING:
    from .config import Settings
    from .pipeline import CheckResult

_F = TypeVar("_F", bound=Callable[..., Any])

# PEP 508 distribution names and (the common forms of) PEP 440 versions.
_DIST_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_VERSION = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?(\+[a-z0-9]+(\.[a-z0-9]+)*)?$", re.IGNORECASE)


EXIT_STATUS = """\b
Exit status:
  0    success (--check: OUT is up to date)
  1    --check: OUT differs from what would be generated;
       diff --fail-on-breaking: there are breaking changes
  2    an error: bad input, options or settings (one located line on stderr)
  130  interrupted (Ctrl-C); the output is left as it was
  143  terminated (SIGTERM); the output is left as it was
"""


class _GenerateByDefault(click.Group):
    """``mastra-codegen SPEC -o OUT`` (or no arguments at all) runs ``generate``; ``mastra-codegen
    diff ...`` the subcommand; a mistyped command is not taken for a spec."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help", "--version")):
            meant = self._mistyped_command(args[0]) if args else None
            if meant is not None:
                click.echo(f"mastra-codegen: error: no such command {args[0]!r}; did you mean `{meant}`?", err=True)
                ctx.exit(2)
            args = ["generate", *args]
        return super().parse_args(ctx, args)

    def _mistyped_command(self, word: str) -> str | None:
        """The command ``word`` looks like a typo of, unless it is an option, a URL or an existing file."""
        if word.startswith("-") or word.startswith(("http://", "https://")) or Path(word).exists():
            return None
        close = difflib.get_close_matches(word, sorted(self.commands), n=1, cutoff=0.6)
        return close[0] if close else None


def _headers(values: tuple[str, ...]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not 'Name: value'", param_hint="--header")
        headers[name.strip()] = content.strip()
    return headers


def _fail(exc: CodegenError) -> NoReturn:
    click.echo(f"mastra-codegen: error: {exc}", err=True)
    sys.exit(2)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C raises ``KeyboardInterrupt``, so that every cleanup runs alike."""


def _interrupted(exc: KeyboardInterrupt) -> NoReturn:
    terminated = isinstance(exc, Terminated)
    written = getattr(exc, "written", None)  # it came while the new package was being moved in: that finished
    outcome = f"{written} was written" if written is not None else "the output was left as it was"
    click.echo(f"mastra-codegen: {'terminated' if terminated else 'interrupted'}; {outcome}", err=True)
    sys.exit(128 + signal.SIGTERM if terminated else 130)


def _handles_interrupts(func: _F) -> _F:
    """Ctrl-C and SIGTERM end the command with one line and status 130 or 143 (staging removed by then)."""

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        previous: Any = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _raise_terminated)
        try:
            return func(*args, **kwargs)
        except KeyboardInterrupt as exc:
            _interrupted(exc)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return command  # type: ignore[return-value]


def _raise_terminated(signum: int, frame: Any) -> NoReturn:
    raise Terminated


def _verbose_option(func: _F) -> _F:
    return click.option(
        "-v",
        "--verbose",
        is_flag=True,
        help="List the shipped override entries this spec has no place for (routes, parameters, fields "
        "and streams an older or trimmed server lacks): they are left out, not errors.",
    )(func)


def _spec_options(func: _F) -> _F:
    """Options shared by every command that reads a spec."""
    func = click.option(
        "--header",
        "headers",
        multiple=True,
        help="HTTP header for fetching a spec from a URL (and its $refs with --allow-remote-refs), "
        "'Name: value' (repeatable); sent only to the spec's own origin, never past a redirect elsewhere.",
    )(func)
    func = click.option(
        "--max-spec-size",
        "max_spec_mb",
        type=click.IntRange(min=1),
        default=DEFAULT_MAX_SPEC_BYTES // (1024 * 1024),
        show_default=True,
        metavar="MB",
        help="Refuse a spec bigger than this, counting the documents its $refs lead to.",
    )(func)
    func = click.option(
        "--allow-remote-refs",
        is_flag=True,
        help="Fetch $refs to http(s) URLs (with the --header values); without it they are an error. "
        "$refs to files are followed without it, inside the folder of the spec.",
    )(func)
    func = click.option(
        "--overrides",
        "override_paths",
        multiple=True,
        type=click.Path(path_type=Path),
        help="Your own override YAML, layered on top of the shipped ones (repeatable).",
    )(func)
    return func


@click.group(cls=_GenerateByDefault, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_STATUS)
@click.version_option(__version__, prog_name="mastra-codegen")
def main() -> None:
    """Generate a typed Python client package from a Mastra server's OpenAPI document.

    \b
    mastra-codegen SPEC -o OUT          write the package OUT (see `mastra-codegen generate -h`)
    mastra-codegen SPEC -o OUT --check  exit 1 if OUT is not what would be generated
    mastra-codegen [--check]            the same, with SPEC and OUT from [tool.mastra-codegen]
                                        in pyproject.toml
    mastra-codegen diff OLD NEW         API changes between two specs or packages
    mastra-codegen app-snapshot URL -o app.json
                                        save the server's workflows, tools and agents
                                        for --app (typed to your app)
    """


@main.command(epilog=EXIT_STATUS)
@click.argument("spec", required=False)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Package directory to write (its name is the package name).",
)
@_spec_options
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 0 if OUT is exactly what would be generated, else 1 with a summary.",
)
@click.option(
    "--project",
    is_flag=True,
    help="Also write a pyproject.toml, so `pip install OUT` installs the package as its own distribution.",
)
@click.option("--project-name", help="Distribution name for --project (default: the package name with '-').")
@click.option("--project-version", help="Distribution and __version__ for --project (default: the generator's).")
@click.option(
    "--server-packages",
    "packages_file",
    type=click.Path(path_type=Path),
    help="A saved answer of GET /api/system/packages to record, when SPEC is a file "
    "(from a URL they are read from the server).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The pyproject.toml whose [tool.mastra-codegen] table to read (default: the closest one "
    "with that table, from the working directory upward).",
)
@click.option(
    "--app",
    "app_source",
    metavar="SOURCE",
    help="Type the package to your app: SOURCE is the running server's base URL (with the --header "
    "values) or a snapshot written by `mastra-codegen app-snapshot`. Adds the module `app` and "
    "client.app.workflows/.tools/.agents.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Print each stage on stderr as it starts (default: when stderr is a terminal, and not with -q).",
)
@_verbose_option
@_handles_interrupts
def generate(
    spec: str | None,
    out_dir: Path | None,
    override_paths: tuple[Path, ...],
    headers: tuple[str, ...],
    allow_remote_refs: bool,
    max_spec_mb: int,
    check: bool,
    project: bool,
    project_name: str | None,
    project_version: str | None,
    packages_file: Path | None,
    config_path: Path | None,
    app_source: str | None,
    quiet: bool,
    progress: bool | None,
    verbose: bool,
) -> None:
    """Generate the client package OUT from SPEC.

    SPEC is a file (JSON or YAML) or the URL of a running server's document,
    e.g. http://localhost:4111/api/openapi.json.

    \b
    SPEC, -o and the options below may be set in the [tool.mastra-codegen]
    table of the closest pyproject.toml instead (paths relative to it):
      [tool.mastra-codegen]
      spec = "specs/mastra.openapi.json"       # or a URL
      output = "src/mastra_client"
      overrides = ["mastra-overrides.yaml"]
      headers = { Authorization = "Bearer ${MASTRA_TOKEN}" }   # ${NAME}: environment
    and project, project-name, project-version, allow-remote-refs, max-spec-size,
    server-packages, app (--app).
    A value given on the command line wins over the file's.
    """
    from .pipeline import check as check_package
    from .pipeline import generate as generate_package
    from .server_info import read_packages_file

    started = time.perf_counter()
    ctx = click.get_current_context()
    arguments: dict[str, Any] = {
        "spec": spec,
        "out_dir": out_dir,
        "override_paths": override_paths,
        "allow_remote_refs": allow_remote_refs,
        "max_spec_mb": max_spec_mb,
        "project": project,
        "project_name": project_name,
        "project_version": project_version,
        "packages_file": packages_file,
        "app_source": app_source,
    }
    try:
        header_map = _headers(headers)
        settings = _settings(config_path)
        if settings is not None:
            if verbose:
                click.echo(f"mastra-codegen: settings from {settings.path}", err=True)
            arguments = _with_settings(ctx, arguments, settings)
            header_map = _with_file_headers(header_map, settings.headers)
        spec, out_dir = _spec_and_output(arguments, settings)
        info = _project(out_dir, arguments["project"], arguments["project_name"], arguments["project_version"])
        packages_file = arguments["packages_file"]
        packages = read_packages_file(packages_file) if packages_file is not None else None
        app = None
        if arguments["app_source"] is not None:
            from .app_model import load_app

            app = load_app(str(arguments["app_source"]), header_map, max_bytes=arguments["max_spec_mb"] << 20)
        common: dict[str, Any] = {
            "app": app,
            "server_packages": packages,
            "project": info,
            "allow_remote_refs": arguments["allow_remote_refs"],
            "max_spec_bytes": arguments["max_spec_mb"] << 20,
            "progress": _progress(progress, quiet),
        }
        paths = list(arguments["override_paths"])
        if check:
            outcome = check_package(spec, out_dir, paths, header_map, **common)
        else:
            result = generate_package(spec, out_dir, paths, header_map, **common)
    except CodegenError as exc:
        _fail(exc)
    if check:
        for warning in outcome.warnings:
            click.echo(f"mastra-codegen: warning: {warning}", err=True)
        _report_skipped(outcome.skipped, verbose)
        _report_app_notes(outcome.app_notes, verbose)
        _report_check(outcome)
        sys.exit(0 if outcome.up_to_date else 1)
    for warning in result.warnings:
        click.echo(f"mastra-codegen: warning: {warning}", err=True)
    _report_skipped(result.skipped, verbose)
    _report_app_notes(result.app_notes, verbose)
    if not quiet:
        left_out = len(result.skipped) if not verbose else 0
        note = f"; {left_out} shipped override entries left out, -v lists them" if left_out else ""
        if result.app_notes and not verbose:
            note += f"; {len(result.app_notes)} app schema notes (typed as Any or undecodable), -v lists them"
        click.echo(
            f"wrote {result.out_dir} ({result.operations} operations, {result.models} models{note}) "
            f"in {time.perf_counter() - started:.1f}s"
        )


# Parameters of ``generate`` the configuration file may set, and the name of each there.
_FROM_FILE = {
    "spec": "spec",
    "out_dir": "output",
    "override_paths": "overrides",
    "allow_remote_refs": "allow_remote_refs",
    "max_spec_mb": "max_spec_size",
    "project": "project",
    "project_name": "project_name",
    "project_version": "project_version",
    "packages_file": "server_packages",
    "app_source": "app",
}


def _settings(config_path: Path | None) -> Settings | None:
    """``[tool.mastra-codegen]`` of ``--config``, else of the closest pyproject.toml that has one."""
    import os

    from . import config

    path = config_path if config_path is not None else config.find(Path.cwd())
    return config.load(path, os.environ) if path is not None else None


def _with_settings(ctx: click.Context, arguments: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The file's values for the parameters the command line left at their defaults."""
    merged = dict(arguments)
    for param, key in _FROM_FILE.items():
        value = getattr(settings, key)
        if value is not None and ctx.get_parameter_source(param) in (None, ParameterSource.DEFAULT):
            merged[param] = value
    return merged


def _with_file_headers(given: dict[str, str], from_file: dict[str, str]) -> dict[str, str]:
    """The file's headers, each replaced by a ``--header`` of the same name (in any case)."""
    named = {name.lower() for name in given}
    return {**{k: v for k, v in from_file.items() if k.lower() not in named}, **given}


def _spec_and_output(arguments: dict[str, Any], settings: Settings | None) -> tuple[str, Path]:
    """Both are needed: a missing one says where it may be set (see ``mastra-codegen -h``)."""
    where = (
        f"or set it in [tool.mastra-codegen] of {settings.path}"
        if settings is not None
        else "or set it in [tool.mastra-codegen] of a pyproject.toml (none found here or above; see -h)"
    )
    if arguments["spec"] is None:
        raise CodegenError("SPEC", f"missing: give the spec's file or URL, {where}")
    if arguments["out_dir"] is None:
        raise CodegenError("-o/--output", f"missing: give the package directory, {where}")
    return str(arguments["spec"]), Path(arguments["out_dir"])


def _progress(flag: bool | None, quiet: bool) -> Callable[[str], None] | None:
    """Where the stages are told: stderr, when it is a terminal (or ``--progress``), not with ``-q``."""
    show = flag if flag is not None else not quiet and _stderr_is_terminal()
    return _tell_stage if show else None


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed
        return False


def _tell_stage(line: str) -> None:
    click.echo(line, err=True)


def _report_skipped(skipped: tuple[str, ...], verbose: bool) -> None:
    if verbose:
        for entry in skipped:
            click.echo(f"mastra-codegen: left out: {entry}", err=True)


def _report_app_notes(notes: tuple[str, ...], verbose: bool) -> None:
    if verbose:
        for note in notes:
            click.echo(f"mastra-codegen: app: {note}", err=True)


def _project(out_dir: Path, project: bool, name: str | None, version: str | None) -> ProjectInfo | None:
    if not project:
        if name is not None or version is not None:
            raise CodegenError("--project-name/--project-version", "only apply together with --project")
        return None
    name = name if name is not None else out_dir.absolute().name.replace("_", "-")
    version = version if version is not None else __version__
    if not _DIST_NAME.match(name):
        raise CodegenError("--project-name", f"{name!r} is not a valid distribution name (PEP 508)")
    if not _VERSION.match(version):
        raise CodegenError("--project-version", f"{version!r} is not a valid version (PEP 440), e.g. 1.2.0")
    return ProjectInfo(name=name, version=version)


def _report_check(outcome: CheckResult) -> None:
    """The short summary for CI logs: which files differ, and the API change when it is known."""
    if outcome.up_to_date:
        click.echo(f"{outcome.out_dir} is up to date")
        return
    total = len(outcome.changed) + len(outcome.missing) + len(outcome.extra)
    click.echo(
        f"{outcome.out_dir} is out of date: {len(outcome.changed)} changed, "
        f"{len(outcome.missing)} missing, {len(outcome.extra)} unexpected file(s) of {total} differing"
    )
    shown = 0
    for mark, names in (("~", outcome.changed), ("+", outcome.missing), ("-", outcome.extra)):
        for name in names:
            if shown < 20:
                click.echo(f"  {mark} {name}")
            shown += 1
    if shown > 20:
        click.echo(f"  ... and {shown - 20} more")
    if outcome.api_summary:
        click.echo("API changes:")
        click.echo(outcome.api_summary.rstrip("\n"))
    click.echo("run the same command without --check to regenerate it")


@main.command(epilog=EXIT_STATUS)
@click.argument("old")
@click.argument("new")
@_spec_options
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@click.option("--fail-on-breaking", is_flag=True, help="Exit 1 when there are breaking changes.")
@_verbose_option
@_handles_interrupts
def diff(
    old: str,
    new: str,
    override_paths: tuple[Path, ...],
    headers: tuple[str, ...],
    allow_remote_refs: bool,
    max_spec_mb: int,
    as_json: bool,
    fail_on_breaking: bool,
    verbose: bool,
) -> None:
    """The API changes from OLD to NEW, breaking ones flagged.

    OLD and NEW are each a spec (file or URL) or a package generated by
    mastra-codegen (its recorded _api.json is compared).
    """
    from .apidiff import diff_surfaces, format_text

    try:
        header_map = _headers(headers)
        loading: dict[str, Any] = {"allow_remote_refs": allow_remote_refs, "max_spec_bytes": max_spec_mb << 20}
        before = _surface_of(old, override_paths, header_map, loading, verbose)
        after = _surface_of(new, override_paths, header_map, loading, verbose)
    except CodegenError as exc:
        _fail(exc)
    result = diff_surfaces(before, after, old, new)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        click.echo(format_text(result), nl=False)
    sys.exit(1 if fail_on_breaking and result.breaking else 0)


def _surface_of(
    source: str, override_paths: tuple[Path, ...], headers: dict[str, str], loading: dict[str, Any], verbose: bool
) -> dict[str, Any]:
    from .pipeline import prepare, skipped_entries, spec_surface
    from .surface import read_surface

    if not source.startswith(("http://", "https://")) and Path(source).is_dir():
        return read_surface(Path(source))
    prepared = prepare(source, override_paths, headers, **loading)
    if verbose:
        for entry in skipped_entries(prepared.overrides):
            click.echo(f"mastra-codegen: left out of {source}: {entry}", err=True)
    return spec_surface(prepared)


@main.command("app-snapshot", epilog=EXIT_STATUS)
@click.argument("base_url")
@click.option(
    "-o",
    "--output",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The snapshot file to write (JSON, deterministic and sorted).",
)
@click.option(
    "--header",
    "headers",
    multiple=True,
    help="HTTP header for the server, 'Name: value' (repeatable); sent only to its origin.",
)
@click.option(
    "--max-spec-size",
    "max_spec_mb",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_SPEC_BYTES // (1024 * 1024),
    show_default=True,
    metavar="MB",
    help="Refuse an answer of the server bigger than this.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@_verbose_option
@_handles_interrupts
def app_snapshot(
    base_url: str, out_file: Path, headers: tuple[str, ...], max_spec_mb: int, quiet: bool, verbose: bool
) -> None:
    """Save what the server at BASE_URL says about its app, for `--app FILE`.

    BASE_URL is the server's root (http://localhost:4111) or its /api mount. The snapshot holds
    each workflow's input, output and step schemas (GET /api/workflows, /api/workflows/{id}),
    each tool's (GET /api/tools) and each agent's tools (GET /api/agents).
    """
    from .app_model import fetch_snapshot, write_snapshot

    try:
        snapshot = fetch_snapshot(base_url, _headers(headers), max_bytes=max_spec_mb << 20)
        write_snapshot(snapshot, out_file)
    except CodegenError as exc:
        _fail(exc)
    _report_app_notes(tuple(snapshot["problems"]), verbose)
    if not quiet:
        click.echo(
            f"wrote {out_file} ({len(snapshot['workflows'])} workflows, {len(snapshot['tools'])} tools, "
            f"{len(snapshot['agents'])} agents)"
        )
