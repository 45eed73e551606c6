"""The command line.

    mastra-codegen SPEC -o OUT [--check] [--project ...]   generate (or check) a client package
    mastra-codegen diff OLD NEW [--json]                   what changed between two specs or packages

Exit status: 0 success (``--check``: up to date), 1 ``--check`` found differences
(``diff --fail-on-breaking``: breaking changes), 2 an error (one located line on stderr).
"""

from __future__ import annotations

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

from . import __version__
from .errors import CodegenError
from .ir import ProjectInfo
from .loader import DEFAULT_MAX_SPEC_BYTES

if TYPE_CHECKING:
    from .pipeline import CheckResult

_F = TypeVar("_F", bound=Callable[..., Any])

# PEP 508 distribution names and (the common forms of) PEP 440 versions.
_DIST_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_VERSION = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?(\+[a-z0-9]+(\.[a-z0-9]+)*)?$", re.IGNORECASE)


class _GenerateByDefault(click.Group):
    """``mastra-codegen SPEC -o OUT`` runs ``generate``; ``mastra-codegen diff ...`` the subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help", "--version"):
            args = ["generate", *args]
        return super().parse_args(ctx, args)


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


@click.group(cls=_GenerateByDefault, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mastra-codegen")
def main() -> None:
    """Generate a typed Python client package from a Mastra server's OpenAPI document.

    \b
    mastra-codegen SPEC -o OUT          write the package OUT (see `mastra-codegen generate -h`)
    mastra-codegen SPEC -o OUT --check  exit 1 if OUT is not what would be generated
    mastra-codegen diff OLD NEW         API changes between two specs or packages
    """


@main.command()
@click.argument("spec")
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
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
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@_verbose_option
@_handles_interrupts
def generate(
    spec: str,
    out_dir: Path,
    override_paths: tuple[Path, ...],
    headers: tuple[str, ...],
    allow_remote_refs: bool,
    max_spec_mb: int,
    check: bool,
    project: bool,
    project_name: str | None,
    project_version: str | None,
    packages_file: Path | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Generate the client package OUT from SPEC.

    SPEC is a file (JSON or YAML) or the URL of a running server's document,
    e.g. http://localhost:4111/api/openapi.json.
    """
    from .pipeline import check as check_package
    from .pipeline import generate as generate_package
    from .server_info import read_packages_file

    started = time.perf_counter()
    try:
        info = _project(out_dir, project, project_name, project_version)
        packages = read_packages_file(packages_file) if packages_file is not None else None
        loading: dict[str, Any] = {"allow_remote_refs": allow_remote_refs, "max_spec_bytes": max_spec_mb << 20}
        if check:
            outcome = check_package(
                spec,
                out_dir,
                list(override_paths),
                _headers(headers),
                server_packages=packages,
                project=info,
                **loading,
            )
        else:
            result = generate_package(
                spec,
                out_dir,
                list(override_paths),
                _headers(headers),
                server_packages=packages,
                project=info,
                **loading,
            )
    except CodegenError as exc:
        _fail(exc)
    if check:
        for warning in outcome.warnings:
            click.echo(f"mastra-codegen: warning: {warning}", err=True)
        _report_skipped(outcome.skipped, verbose)
        _report_check(outcome)
        sys.exit(0 if outcome.up_to_date else 1)
    for warning in result.warnings:
        click.echo(f"mastra-codegen: warning: {warning}", err=True)
    _report_skipped(result.skipped, verbose)
    if not quiet:
        left_out = len(result.skipped) if not verbose else 0
        note = f"; {left_out} shipped override entries left out, -v lists them" if left_out else ""
        click.echo(
            f"wrote {result.out_dir} ({result.operations} operations, {result.models} models{note}) "
            f"in {time.perf_counter() - started:.1f}s"
        )


def _report_skipped(skipped: tuple[str, ...], verbose: bool) -> None:
    if verbose:
        for entry in skipped:
            click.echo(f"mastra-codegen: left out: {entry}", err=True)


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


@main.command()
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
