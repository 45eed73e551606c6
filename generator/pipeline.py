"""The whole run, one direction: load -> overrides -> normalize -> model -> render -> ruff -> write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .build import build_groups, build_operations, build_resources, chunk_union_model
from .errors import CodegenError
from .ir import ClientModel
from .loader import canonical_document, load_spec
from .normalize import ALIASES_KEY, Normalizer
from .overrides import Overrides, apply_to_document, load_overrides, shipped_override_files
from .render import file_header, render_package
from .render_models import STREAMS, run_datamodel_codegen, split_models
from .writer import write_package


@dataclass(frozen=True)
class Result:
    out_dir: Path
    operations: int
    models: int
    files: int


def build_model(
    spec_source: str,
    package: str,
    override_paths: list[Path] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[ClientModel, str]:
    """Everything up to the rendered files' model; returns it and the spec's sha256."""
    spec = load_spec(spec_source, headers)
    overrides = load_overrides(list(override_paths or []), shipped=shipped_override_files())
    document = canonical_document(apply_to_document(spec.document, overrides))
    normalized = Normalizer(document, spec.source).run()
    return assemble(normalized, overrides, package, spec.sha256), spec.sha256


def assemble(normalized: dict, overrides: Overrides, package: str, sha256: str) -> ClientModel:  # type: ignore[type-arg]
    components = normalized.get("components") or {}
    schemas = components.get("schemas") or {}
    aliases: dict[str, str] = components.get(ALIASES_KEY) or {}
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
    probe = ClientModel(package, __version__, sha256, "", "", [], [], [], [], {})
    source = run_datamodel_codegen(schemas) if schemas else ""
    modules, index = split_models(source, usage, aliases, file_header(probe), members) if source else ([], {})
    missing = sorted(set(schemas) - set(index))
    if missing:
        raise CodegenError("components", f"datamodel-code-generator renamed or dropped {missing[0]!r}")
    groups = build_groups(operations)
    resources, client_methods = build_resources(overrides, operations)
    info = normalized.get("info") or {}
    return ClientModel(
        package=package,
        generator_version=__version__,
        spec_sha256=sha256,
        spec_title=str(info.get("title") or ""),
        spec_version=str(info.get("version") or ""),
        groups=groups,
        resources=resources,
        client_methods=client_methods,
        model_modules=modules,
        model_index=index,
        chunk_unions=unions,
    )


def generate(
    spec_source: str,
    out_dir: Path,
    override_paths: list[Path] | None = None,
    headers: dict[str, str] | None = None,
) -> Result:
    from .fmt import format_and_check
    from .writer import check_target

    check_target(out_dir.absolute())  # fail before the slow part
    package = out_dir.absolute().name
    if not package.isidentifier():
        raise CodegenError(str(out_dir), f"the package directory name {package!r} is not a Python identifier")
    model, sha256 = build_model(spec_source, package, override_paths, headers)
    files = render_package(model)
    marker = {
        "generator": "mastra-codegen",
        "generator_version": __version__,
        "spec_sha256": sha256,
    }
    write_package(out_dir, files, marker, finish=format_and_check)
    ops = sum(len(g.operations) for g in model.groups)
    return Result(out_dir, ops, len(model.model_index), len(files) + 1)
