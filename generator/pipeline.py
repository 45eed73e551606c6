"""The whole run, one direction: load -> overrides -> normalize -> model -> render -> ruff -> write.

``prepare`` does the first three for every command (generate, --check, diff),
``assemble`` builds the intermediate model, and ``generate`` / ``check`` end in
writing the package or comparing it with what is there.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .build import build_groups, build_operations, build_resources, chunk_union_model, merge_facade_groups
from .errors import CodegenError
from .ir import ClientModel, Operation, ProjectInfo
from .loader import DEFAULT_MAX_SPEC_BYTES, LoadedSpec, canonical_document, load_spec
from .mount import hoist_api_mount
from .naming import is_python_name
from .normalize import ALIASES_KEY, Normalizer
from .open_enums import open_response_enums
from .overrides import Overrides, apply_to_document, for_document, load_overrides, shipped_override_files
from .public_names import check_override_names, reserved_names
from .render import file_header, package_marker, render_package
from .render_models import (
    STREAMS,
    generic_object_models,
    run_datamodel_codegen,
    split_models,
    type_fallback_chunks,
)
from .surface import build_surface
from .writer import MARKER, prepare_target, read_files, render_into, write_package

Progress = Callable[[str], None]  # told each stage as it starts: "[3/7] building the operations..."
STAGES = 7  # load, normalize, build, models, render, then write + format or format + compare


class _Stages:
    """Numbers the stages of one run for ``progress`` (which may be None: then it says nothing)."""

    def __init__(self, progress: Progress | None, total: int = STAGES) -> None:
        self.progress = progress
        self.total = total
        self.done = 0

    def __call__(self, text: str) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(f"[{self.done}/{self.total}] {text}...")


def _tell(progress: Progress | None, text: str) -> None:
    if progress is not None:
        progress(text)


@dataclass(frozen=True)
class Result:
    out_dir: Path
    operations: int
    models: int
    files: int
    warnings: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # shipped override entries this spec has no place for
    app_notes: tuple[str, ...] = ()  # --app: schemas typed as Any, and why (for -v)


@dataclass(frozen=True)
class Prepared:
    """The spec with the overrides applied, normalized, and its operations: what every command starts from."""

    spec: LoadedSpec
    overrides: Overrides
    normalized: dict[str, Any]
    operations: list[Operation]


@dataclass(frozen=True)
class Inputs:
    """Everything besides the spec that shapes the output."""

    override_paths: tuple[Path, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    server_packages: Mapping[str, str] | None = None  # None: read them from the server when SPEC is a URL
    project: ProjectInfo | None = None
    allow_remote_refs: bool = False  # fetch $ref to URLs (see bundle.py)
    max_spec_bytes: int = DEFAULT_MAX_SPEC_BYTES  # the spec and the documents it refers to
    app: Mapping[str, Any] | None = None  # --app: the snapshot (see app_model.py)


def prepare(
    spec_source: str,
    override_paths: list[Path] | tuple[Path, ...] = (),
    headers: Mapping[str, str] | None = None,
    *,
    allow_remote_refs: bool = False,
    max_spec_bytes: int = DEFAULT_MAX_SPEC_BYTES,
    progress: Progress | None = None,
) -> Prepared:
    _tell(progress, "loading the spec")
    spec = load_spec(spec_source, dict(headers or {}), max_bytes=max_spec_bytes, allow_remote_refs=allow_remote_refs)
    _tell(progress, "applying the overrides and normalizing")
    document = hoist_api_mount(spec.document)
    overrides = for_document(document, load_overrides(list(override_paths), shipped=shipped_override_files()))
    # Sorted once, with what the overrides added: nothing downstream depends on key order.
    document = canonical_document(apply_to_document(document, overrides))
    reserved = reserved_names(document, overrides)
    check_override_names(overrides, reserved)
    normalized = Normalizer(document, spec.source, integers=overrides.integers, reserved=reserved).run()
    _tell(progress, "building the operations")
    return Prepared(spec, overrides, normalized, build_operations(normalized, overrides))


def surface_meta(sha256: str, info: Mapping[str, Any], server_packages: Mapping[str, str]) -> dict[str, Any]:
    """What a surface records about its origin (also in the marker and ``_version.py``)."""
    meta: dict[str, Any] = {
        "generator_version": __version__,
        "spec_sha256": sha256,
        "spec_title": str(info.get("title") or ""),
        "spec_version": str(info.get("version") or ""),
    }
    if server_packages:
        meta["server_packages"] = dict(sorted(server_packages.items()))
    return meta


def spec_surface(prepared: Prepared, server_packages: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The API surface a package generated from this spec would have (without rendering it)."""
    meta = surface_meta(prepared.spec.sha256, prepared.normalized.get("info") or {}, server_packages or {})
    return build_surface(prepared.operations, prepared.normalized, meta)


def assemble(
    normalized: dict[str, Any],
    overrides: Overrides,
    package: str,
    sha256: str,
    *,
    operations: list[Operation] | None = None,
    server_packages: Mapping[str, str] | None = None,
    project: ProjectInfo | None = None,
    progress: Progress | None = None,
) -> ClientModel:
    """The intermediate model the templates render (models are rendered here by datamodel-code-generator)."""
    components = normalized.get("components") or {}
    schemas = components.get("schemas") or {}
    aliases: dict[str, str] = components.get(ALIASES_KEY) or {}
    if operations is None:
        operations = build_operations(normalized, overrides)
    usage: dict[str, set[str]] = {}
    for op in operations:
        for name in op.models:
            usage.setdefault(aliases.get(name, name), set()).add(op.group)
    unions = [chunk_union_model(u) for _, u in sorted(overrides.chunks.items())]
    members = {u.name: [cls for _, cls in u.variants] + [u.fallback] for u in unions}
    for classes in members.values():
        for cls in classes:
            usage.setdefault(cls, set()).add(STREAMS)
    info = normalized.get("info") or {}
    packages = dict(sorted((server_packages or {}).items()))
    meta = surface_meta(sha256, info, packages)
    model = ClientModel(
        package=package,
        generator_version=__version__,
        spec_sha256=sha256,
        spec_title=meta["spec_title"],
        spec_version=meta["spec_version"],
        groups=build_groups(operations, normalized),
        resources=[],
        client_methods=[],
        model_modules=[],
        model_index={},
        chunk_unions=unions,
        server_packages=packages,
        project=project,
        surface=build_surface(operations, normalized, meta),
    )
    _tell(progress, "rendering the models (datamodel-code-generator)")
    if schemas:
        used_in = {name: entry.get("used_in", []) for name, entry in model.surface["models"].items()}
        chunk_tags = {cls: u.discriminator for u in unions for cls in members[u.name]}
        models = open_response_enums(run_datamodel_codegen(schemas), used_in, chunk_tags)
        models = type_fallback_chunks(models, {u.fallback: u.discriminator for u in unions})
        models = generic_object_models(models, {op.object_model for op in operations if op.object_model})
        model.model_modules, model.model_index = split_models(models, usage, aliases, file_header(model), members)
    missing = sorted(set(schemas) - set(model.model_index))
    if missing:
        raise CodegenError("components", f"datamodel-code-generator renamed or dropped {missing[0]!r}")
    model.resources, model.client_methods = build_resources(overrides, operations)
    model.groups, model.resources = merge_facade_groups(model.groups, model.resources, overrides)
    return model


def _formatting(stages: _Stages, finish: Callable[[Path], None]) -> Callable[[Path], None]:
    """``finish`` (ruff, on the written files), announced as a stage."""

    def announced(folder: Path) -> None:
        stages("formatting with ruff")
        finish(folder)

    return announced


def _package_name(out_dir: Path) -> str:
    package = out_dir.absolute().name
    if not is_python_name(package):
        raise CodegenError(
            str(out_dir), f"the package directory name {package!r} is not a Python identifier (or is a keyword)"
        )
    return package


def skipped_entries(overrides: Overrides) -> tuple[str, ...]:
    """The shipped override entries a spec left out, each once, in file order (for ``-v``).

    None for a document that is not a Mastra server's (no shipped route entry applies): it
    lacks nothing, the shipped files are just not about it.
    """
    if not overrides.shipped_keys & overrides.operations.keys():
        return ()

    def order(text: str) -> tuple[str, int, str]:
        where = text.split(": ", 1)[0]
        file, _, line = where.rpartition(":")
        return (file, int(line), text) if line.isdigit() else (where, 0, text)

    return tuple(sorted({str(s) for s in overrides.skipped}, key=order))


def _render(
    spec_source: str, package: str, inputs: Inputs, stages: _Stages | None = None
) -> tuple[ClientModel, dict[str, str], dict[str, Any], list[str], tuple[str, ...]]:
    """The files of the package and its marker, before ruff; warnings and left-out overrides for the user."""
    from .server_info import fetch_server_packages

    stages = stages if stages is not None else _Stages(None)
    prepared = prepare(
        spec_source,
        inputs.override_paths,
        inputs.headers,
        allow_remote_refs=inputs.allow_remote_refs,
        max_spec_bytes=inputs.max_spec_bytes,
        progress=stages,
    )
    warnings: list[str] = list(prepared.spec.warnings)
    packages = inputs.server_packages
    if packages is None and spec_source.startswith(("http://", "https://")):
        # The normalized document's servers: a 1.0.x document names its /api mount only once hoisted.
        packages, problem = fetch_server_packages(spec_source, prepared.normalized, dict(inputs.headers))
        if problem:
            warnings.append(f"server package versions not recorded: {problem}")
    model = assemble(
        prepared.normalized,
        prepared.overrides,
        package,
        prepared.spec.sha256,
        operations=prepared.operations,
        server_packages=packages,
        project=inputs.project,
        progress=stages,
    )
    if inputs.app is not None:
        from .app_model import app_surface, build_app

        needed = {"Agent", "Tool", "Workflow", "WorkflowRun"} - {r.name for r in model.resources}
        if needed:
            raise CodegenError(
                "--app", f"the spec has no Mastra {', '.join(sorted(needed))} routes to type: is it a Mastra server's?"
            )
        model.app = build_app(inputs.app, file_header(model))
        model.surface["app"] = app_surface(model.app, inputs.app)
    stages("rendering the package")
    return model, render_package(model), package_marker(model), warnings, skipped_entries(prepared.overrides)


def generate(
    spec_source: str,
    out_dir: Path,
    override_paths: list[Path] | None = None,
    headers: dict[str, str] | None = None,
    *,
    server_packages: Mapping[str, str] | None = None,
    project: ProjectInfo | None = None,
    allow_remote_refs: bool = False,
    max_spec_bytes: int = DEFAULT_MAX_SPEC_BYTES,
    progress: Progress | None = None,
    app: Mapping[str, Any] | None = None,
) -> Result:
    """Write the package to ``out_dir`` atomically (an existing one is replaced only on success).

    ``progress`` is told each stage as it starts (``[3/7] building the operations...``).
    """
    from .fmt import format_and_check

    notes = prepare_target(out_dir)  # fail before the slow part; restore what a killed run left
    package = _package_name(out_dir)
    inputs = Inputs(
        tuple(override_paths or ()),
        dict(headers or {}),
        server_packages,
        project,
        allow_remote_refs,
        max_spec_bytes,
        app,
    )
    stages = _Stages(progress)
    model, files, marker, warnings, skipped = _render(spec_source, package, inputs, stages)
    stages("writing the files")
    notes += write_package(out_dir, files, marker, finish=_formatting(stages, format_and_check))
    ops = sum(len(g.operations) for g in model.groups)
    app_notes = tuple(model.app.notes()) if model.app is not None else ()
    return Result(out_dir, ops, len(model.model_index), len(files) + 1, (*notes, *warnings), skipped, app_notes)


@dataclass(frozen=True)
class CheckResult:
    """How an existing package differs from what would be generated now."""

    out_dir: Path
    changed: tuple[str, ...]
    missing: tuple[str, ...]  # would be written, is not there
    extra: tuple[str, ...]  # is there, would not be written
    api_summary: str  # the API difference, when the package records its surface
    warnings: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # shipped override entries this spec has no place for
    app_notes: tuple[str, ...] = ()

    @property
    def up_to_date(self) -> bool:
        return not (self.changed or self.missing or self.extra)


# Left behind by builds and tools in a package directory; regeneration removes them, but they
# are not differences in the generated code.
_IGNORED_PARTS = ("__pycache__", "build", "dist", ".pytest_cache", ".mypy_cache", ".ruff_cache")


def _ignored(relative: str) -> bool:
    parts = Path(relative).parts
    return any(p in _IGNORED_PARTS or p.endswith(".egg-info") for p in parts)


def check(
    spec_source: str,
    out_dir: Path,
    override_paths: list[Path] | None = None,
    headers: dict[str, str] | None = None,
    *,
    server_packages: Mapping[str, str] | None = None,
    project: ProjectInfo | None = None,
    allow_remote_refs: bool = False,
    max_spec_bytes: int = DEFAULT_MAX_SPEC_BYTES,
    progress: Progress | None = None,
    app: Mapping[str, Any] | None = None,
) -> CheckResult:
    """Compare ``out_dir`` with a fresh generation made in a temp dir; ``out_dir`` is never touched."""
    from .apidiff import diff_surfaces, format_text
    from .fmt import format_and_check
    from .surface import SURFACE_FILE, read_surface

    out_dir = out_dir.absolute()
    package = _package_name(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise CodegenError(str(out_dir), "is not a directory")
    inputs = Inputs(
        tuple(override_paths or ()),
        dict(headers or {}),
        server_packages,
        project,
        allow_remote_refs,
        max_spec_bytes,
        app,
    )
    stages = _Stages(progress)
    model, files, marker, warnings, skipped = _render(spec_source, package, inputs, stages)
    try:
        with tempfile.TemporaryDirectory(prefix="mastra-codegen-check-") as tmp:
            fresh_dir = Path(tmp) / package  # same folder name: ruff sees the same layout
            render_into(fresh_dir, files, marker, finish=_formatting(stages, format_and_check), shown=out_dir)
            fresh = read_files(fresh_dir)
        stages(f"comparing with {out_dir}")
        existing = {k: v for k, v in read_files(out_dir).items() if not _ignored(k)} if out_dir.is_dir() else {}
    except OSError as exc:  # no room for the temp dir, an unreadable file in OUT_DIR
        raise CodegenError(str(out_dir), f"cannot compare: {exc.strerror or exc} ({exc.filename})") from None
    changed = tuple(sorted(k for k in fresh.keys() & existing.keys() if fresh[k] != existing[k]))
    missing = tuple(sorted(fresh.keys() - existing.keys()))
    extra = tuple(sorted(existing.keys() - fresh.keys()))
    api_summary = ""
    if (changed or missing or extra) and (out_dir / SURFACE_FILE).is_file() and (out_dir / MARKER).is_file():
        try:
            old = read_surface(out_dir)
        except CodegenError:
            old = None
        if old is not None:
            diff = diff_surfaces(old, model.surface, str(out_dir), spec_source)
            api_summary = format_text(diff, limit=20)
    app_notes = tuple(model.app.notes()) if model.app is not None else ()
    return CheckResult(out_dir, changed, missing, extra, api_summary, tuple(warnings), skipped, app_notes)
