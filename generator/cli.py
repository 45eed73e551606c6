"""``mastra-codegen SPEC -o OUT_DIR``: the command line."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from . import __version__
from .errors import CodegenError


def _headers(values: tuple[str, ...]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for value in values:
        name, sep, content = value.partition(":")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} is not 'Name: value'", param_hint="--header")
        headers[name.strip()] = content.strip()
    return headers


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("spec")
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Package directory to write (its name is the package name).",
)
@click.option(
    "--overrides",
    "override_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Your own override YAML, layered on top of the shipped ones (repeatable).",
)
@click.option(
    "--header",
    "headers",
    multiple=True,
    help="HTTP header for fetching SPEC from a URL, 'Name: value'.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@click.version_option(__version__, prog_name="mastra-codegen")
def main(
    spec: str,
    out_dir: Path,
    override_paths: tuple[Path, ...],
    headers: tuple[str, ...],
    quiet: bool,
) -> None:
    """Generate a typed Python client package from a Mastra OpenAPI document.

    SPEC is a file (JSON or YAML) or the URL of a running server's document,
    e.g. http://localhost:4111/api/openapi.json.
    """
    from .pipeline import generate

    started = time.perf_counter()
    try:
        result = generate(spec, out_dir, list(override_paths), _headers(headers))
    except CodegenError as exc:
        click.echo(f"mastra-codegen: error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("mastra-codegen: interrupted; the output was left as it was", err=True)
        sys.exit(130)
    if not quiet:
        click.echo(
            f"wrote {result.out_dir} ({result.operations} operations, {result.models} models) "
            f"in {time.perf_counter() - started:.1f}s"
        )
