"""Compare two API surfaces: what an upgrade adds, removes and changes, and what breaks callers.

Breaking means code written against the old client may fail with the new one:
a removed operation, model, parameter or field; a parameter that became
required; a new required field in a model callers construct (a request model);
a response field that may now be missing; a changed type or result. Types are
compared by direction: what callers send may widen (a new enum value, ``| null``)
without breaking them, what they read may narrow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from .labels import is_constant, relation, union_members

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Detail:
    """One difference inside an operation or model."""

    what: str  # parameter | field | name | result | stream | type | deprecated | alias
    name: str
    change: str  # added | removed | changed | widened | narrowed | required | optional
    breaking: bool
    old: Any = None
    new: Any = None

    def describe(self) -> str:
        label = f"{self.what} {self.name!r}" if self.name else self.what
        if self.change in ("widened", "narrowed"):
            before, after = set(union_members(str(self.old))), set(union_members(str(self.new)))
            delta = [f"+ {m}" for m in sorted(after - before)] + [f"- {m}" for m in sorted(before - after)]
            return f"{label} {self.change} ({', '.join(delta) or f'{self.old} -> {self.new}'})"
        if self.what == "alias":
            if self.new is None:
                return f"now a class of its own (was another name of {self.old})"
            if self.old is None:
                return f"now another name of {self.new} (the same shape)"
            return f"now another name of {self.new} (was of {self.old})"
        if self.change == "changed":
            return f"{label} changed: {self.old} -> {self.new}"
        if self.change in ("required", "optional"):
            return f"{label} became {self.change}"
        if self.change == "added" and self.what in ("parameter", "field") and isinstance(self.new, Mapping):
            kind = "required" if self.new.get("required") else "optional"
            return f"{kind} {label} added ({self.new.get('type')})"
        return f"{label} {self.change}"


@dataclass(frozen=True)
class Change:
    """An operation or model that was added, removed or changed."""

    kind: str  # operation | model | workflow | tool (the last two: the app's, see ``--app``)
    key: str  # "POST /agents/{agentId}/generate", the model's class name, or the workflow's or tool's id
    name: str  # agents.generate, or the class name again
    change: str  # added | removed | changed
    breaking: bool
    details: tuple[Detail, ...] = ()


@dataclass
class ApiDiff:
    old: dict[str, Any]
    new: dict[str, Any]
    changes: list[Change] = field(default_factory=list)
    has_app: bool = False  # either side was generated with --app

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    def counts(self, kind: str) -> dict[str, int]:
        out = {"added": 0, "removed": 0, "changed": 0}
        for c in self.changes:
            if c.kind == kind:
                out[c.change] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "summary": {
                "operations": self.counts("operation"),
                "models": self.counts("model"),
                **({"workflows": self.counts("workflow"), "tools": self.counts("tool")} if self.has_app else {}),
                "breaking": len(self.breaking),
            },
            "changes": [{**asdict(c), "details": [asdict(d) for d in c.details]} for c in self.changes],
        }


def _meta(surface: Mapping[str, Any], source: str) -> dict[str, Any]:
    keys = ("generator_version", "spec_sha256", "spec_version", "server_packages")
    return {"source": source, **{k: surface[k] for k in keys if k in surface}}


def diff_surfaces(
    old: Mapping[str, Any], new: Mapping[str, Any], old_source: str = "", new_source: str = ""
) -> ApiDiff:
    """Every difference, operations first, each group sorted by key."""
    result = ApiDiff(_meta(old, old_source), _meta(new, new_source))
    old_ops, new_ops = old.get("operations") or {}, new.get("operations") or {}
    names = _Names(new.get("models") or {}, _renames(old.get("models") or {}, new.get("models") or {}))
    for key in sorted(set(old_ops) | set(new_ops)):
        before, after = old_ops.get(key), new_ops.get(key)
        if after is None:
            result.changes.append(Change("operation", key, (before or {}).get("name", key), "removed", True))
        elif before is None:
            result.changes.append(Change("operation", key, after["name"], "added", False))
        else:
            details = _operation_details(before, after, names)
            if details:
                breaking = any(d.breaking for d in details)
                result.changes.append(Change("operation", key, after["name"], "changed", breaking, details))
    old_models, new_models = old.get("models") or {}, new.get("models") or {}
    renames = _renames(old_models, new_models)
    for name in sorted(set(old_models) | set(new_models)):
        before, after = old_models.get(name), new_models.get(name)
        if name in renames:  # the model is now named with a suffix: one change, under its old name
            details = (
                Detail("name", "", "changed", True, name, renames[name]),
                *_model_details(old_models, new_models, name, names, renames[name]),
            )
            result.changes.append(Change("model", name, renames[name], "changed", True, details))
        elif before is None and name in renames.values():
            continue  # reported under its old name
        elif before is None:
            result.changes.append(Change("model", name, name, "added", False))
        elif after is None:
            result.changes.append(Change("model", name, name, "removed", True))
        else:
            details = _model_details(old_models, new_models, name, names)
            if details:
                breaking = any(d.breaking for d in details)
                result.changes.append(Change("model", name, name, "changed", breaking, details))
    if old.get("app") is not None or new.get("app") is not None:
        result.has_app = True
        result.changes.extend(_app_changes(old.get("app") or {}, new.get("app") or {}, names))
    return result


def _renames(old_models: Mapping[str, Any], new_models: Mapping[str, Any]) -> dict[str, str]:
    """Old model name -> new name, for the models the new version names with a suffix because
    the package uses the old name for something else (``Agent`` -> ``AgentDetails``)."""
    found: dict[str, str] = {}
    for name, entry in new_models.items():
        old_name = entry.get("renamed_from")
        renamed_now = isinstance(old_name, str) and old_name in old_models and name not in old_models
        if renamed_now and old_name not in new_models:
            found[str(old_name)] = name
    return found


# The parts of an app workflow or tool, and whether callers send them (else they read them).
_APP_PARTS = {"input": "request", "output": "response", "resume": "request", "suspend": "response"}


def _app_changes(old: Mapping[str, Any], new: Mapping[str, Any], names: _Names) -> list[Change]:
    """The app's workflows and tools, each compared part by part with the rules for models:
    an input or resume schema is sent (a new required field breaks), an output or suspend
    schema is read (a field that may now be missing breaks)."""
    out: list[Change] = []
    for kind, section in (("workflow", "workflows"), ("tool", "tools")):
        before_all, after_all = old.get(section) or {}, new.get(section) or {}
        for key in sorted(set(before_all) | set(after_all)):
            before, after = before_all.get(key), after_all.get(key)
            if after is None:
                out.append(Change(kind, key, (before or {}).get("name", key), "removed", True))
            elif before is None:
                out.append(Change(kind, key, after.get("name", key), "added", False))
            else:
                details = _app_details(before, after, names)
                if details:
                    breaking = any(d.breaking for d in details)
                    out.append(Change(kind, key, after.get("name", key), "changed", breaking, details))
    return out


def _app_details(old: Mapping[str, Any], new: Mapping[str, Any], names: _Names) -> tuple[Detail, ...]:
    parts: dict[str, tuple[Any, Any, str]] = {}
    for part in ("input", "output"):
        parts[part] = (old.get(part), new.get(part), _APP_PARTS[part])
    old_steps, new_steps = old.get("steps") or {}, new.get("steps") or {}
    for step in sorted(set(old_steps) | set(new_steps)):
        for part in ("resume", "suspend"):
            label = f"step {step!r} {part}"
            parts[label] = (
                (old_steps.get(step) or {}).get(part),
                (new_steps.get(step) or {}).get(part),
                _APP_PARTS[part],
            )
    out: list[Detail] = []
    for label, (before, after, role) in parts.items():
        if before is None and after is None:
            continue
        if after is None:
            out.append(Detail("schema", label, "removed", True))
            continue
        if before is None:
            out.append(Detail("schema", label, "added", False))
            continue
        models_before, models_after = {label: {**before, "used_in": [role]}}, {label: {**after, "used_in": [role]}}
        for d in _model_details(models_before, models_after, label, names):
            out.append(Detail(d.what, f"{label}.{d.name}" if d.name else label, d.change, d.breaking, d.old, d.new))
    return tuple(out)


class _Names:
    """Reads an old type label with the new version's names: a class renamed but kept as an
    alias (the same class under its old name), or named with a suffix now, is not a type change."""

    def __init__(self, new_models: Mapping[str, Any], renames: Mapping[str, str] | None = None) -> None:
        self.targets = {
            name: entry["alias_of"] for name, entry in new_models.items() if isinstance(entry.get("alias_of"), str)
        }
        for old_name, new_name in (renames or {}).items():  # to the class the new name stands for
            self.targets[old_name] = self.targets.get(new_name, new_name)

    def __call__(self, label: str) -> str:
        if not self.targets:
            return label
        return _NAME.sub(lambda m: self.targets.get(m.group(0), m.group(0)), label)


def _type_change(
    what: str, name: str, old: str, new: str, *, sent: bool, read: bool, names: _Names | None = None
) -> Detail | None:
    """A type difference; breaking unless it only widens what is sent or only narrows what is read."""
    kind = relation(names(old), names(new)) if names is not None else relation(old, new)
    if kind == "same":
        return None
    if kind == "wider":
        # A reader gets values it did not before: new literal values (an enum grew) are news,
        # a new kind of value (null, another type) breaks code that relied on the old ones.
        return Detail(what, name, "widened", read and not _only_new_values(old, new), old, new)
    if kind == "narrower":
        return Detail(what, name, "narrowed", sent, old, new)
    return Detail(what, name, "changed", True, old, new)


def _only_new_values(old: str, new: str) -> bool:
    """Whether a widening only adds literal values (also inside ``array[...]`` or ``map[...]``)."""
    for prefix in ("array[", "map["):
        if (
            old.startswith(prefix)
            and new.startswith(prefix)
            and len(union_members(old)) == len(union_members(new)) == 1
        ):
            return _only_new_values(old[len(prefix) : -1], new[len(prefix) : -1])
    added = set(union_members(new)) - set(union_members(old))
    return all(is_constant(m) for m in added)


def _operation_details(old: Mapping[str, Any], new: Mapping[str, Any], names: _Names) -> tuple[Detail, ...]:
    out: list[Detail] = []
    if old["name"] != new["name"]:
        out.append(Detail("name", "", "changed", True, old["name"], new["name"]))
    old_params, new_params = old.get("params") or {}, new.get("params") or {}
    for name in sorted(set(old_params) | set(new_params)):
        before, after = old_params.get(name), new_params.get(name)
        if after is None:
            out.append(Detail("parameter", name, "removed", True, before, None))
        elif before is None:
            out.append(Detail("parameter", name, "added", bool(after["required"]), None, after))
        else:
            typed = _type_change("parameter", name, before["type"], after["type"], sent=True, read=False, names=names)
            if typed is not None:
                out.append(typed)
            if before["required"] != after["required"]:
                became = "required" if after["required"] else "optional"
                out.append(Detail("parameter", name, became, became == "required"))
    typed = _type_change("result", "", old.get("result", ""), new.get("result", ""), sent=False, read=True, names=names)
    if typed is not None:
        out.append(typed)
    if old.get("stream") != new.get("stream"):
        out.append(Detail("stream", "", "changed", True, old.get("stream"), new.get("stream")))
    if bool(old.get("deprecated")) != bool(new.get("deprecated")):
        out.append(Detail("deprecated", "", "added" if new.get("deprecated") else "removed", False))
    return tuple(out)


def _resolved(models: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """An alias compares as the class it names."""
    entry = models.get(name) or {}
    target = entry.get("alias_of")
    return models.get(target) or entry if isinstance(target, str) else entry


def _model_details(
    old_models: Mapping[str, Any],
    new_models: Mapping[str, Any],
    name: str,
    names: _Names,
    new_name: str | None = None,
) -> tuple[Detail, ...]:
    """How model ``name`` changed (``new_name``: what it is called in the new version)."""
    out: list[Detail] = []
    new_name = new_name or name
    old_target = old_models[name].get("alias_of")
    if (names(old_target) if isinstance(old_target, str) else old_target) != new_models[new_name].get("alias_of"):
        # The same name for another class: harmless when the shape is the same (compared below).
        out.append(
            Detail(
                "alias", "", "changed", False, old_models[name].get("alias_of"), new_models[new_name].get("alias_of")
            )
        )
    old, new = _resolved(old_models, name), _resolved(new_models, new_name)
    used_in = set(old.get("used_in") or []) | set(new.get("used_in") or [])
    sent = "request" in used_in  # callers build it: new requirements break them
    read = "response" in used_in or not used_in  # callers read it: missing values break them
    if "type" in old or "type" in new:
        typed = _type_change(
            "type", "", old.get("type", "object"), new.get("type", "object"), sent=sent, read=read, names=names
        )
        if typed is not None:
            out.append(typed)
    old_fields, new_fields = old.get("fields") or {}, new.get("fields") or {}
    for field_name in sorted(set(old_fields) | set(new_fields)):
        before, after = old_fields.get(field_name), new_fields.get(field_name)
        if after is None:
            out.append(Detail("field", field_name, "removed", True, before, None))
        elif before is None:
            out.append(Detail("field", field_name, "added", sent and bool(after["required"]), None, after))
        else:
            typed = _type_change("field", field_name, before["type"], after["type"], sent=sent, read=read, names=names)
            if typed is not None:
                out.append(typed)
            if before["required"] != after["required"]:
                became = "required" if after["required"] else "optional"
                out.append(Detail("field", field_name, became, sent if became == "required" else read))
    return tuple(out)


def format_text(diff: ApiDiff, limit: int | None = None) -> str:
    """A readable report: a summary line per kind, then one line per change with its details."""
    ops, models = diff.counts("operation"), diff.counts("model")
    lines = [
        f"{diff.old.get('source') or 'old'} -> {diff.new.get('source') or 'new'}",
        f"operations: {ops['added']} added, {ops['removed']} removed, {ops['changed']} changed",
        f"models: {models['added']} added, {models['removed']} removed, {models['changed']} changed",
        f"breaking changes: {len(diff.breaking)}",
    ]
    if diff.has_app:
        for kind in ("workflow", "tool"):
            n = diff.counts(kind)
            lines.insert(-1, f"app {kind}s: {n['added']} added, {n['removed']} removed, {n['changed']} changed")
    if not diff.changes:
        return "\n".join([*lines, "no differences in the API"]) + "\n"
    marks = {"added": "+", "removed": "-", "changed": "~"}
    shown = diff.changes if limit is None else diff.changes[:limit]
    titles = (("operation", "Operations"), ("model", "Models"), ("workflow", "App workflows"), ("tool", "App tools"))
    for kind, title in titles:
        selected = [c for c in shown if c.kind == kind]
        if not selected:
            continue
        lines.append("")
        lines.append(f"{title}:")
        for c in selected:
            flag = "  BREAKING" if c.breaking else ""
            label = c.key if c.kind == "model" else f"{c.key}  ({c.name})"
            lines.append(f"  {marks[c.change]} {label}{flag}")
            for d in c.details:
                lines.append(f"      {'!' if d.breaking else ' '} {d.describe()}")
    if limit is not None and len(diff.changes) > limit:
        lines.append(f"  ... and {len(diff.changes) - limit} more (mastra-codegen diff shows all)")
    return "\n".join(lines) + "\n"
