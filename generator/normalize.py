"""Normalize a raw OpenAPI document into one with named, deduplicated components.

What it does, in one pass over every schema an operation uses:

* resolves ``$ref`` to parameters, bodies and responses, and the draft-07
  ``definitions`` that Mastra embeds inside single schemas (whose
  ``#/definitions/...`` pointers dangle at document level);
* turns draft-07 and OpenAPI 3.0 constructs into their 3.1 meaning
  (tuple ``items``, ``nullable``, boolean exclusive bounds, ``$schema``...);
* hoists every object schema with properties into ``components.schemas``,
  deduplicating structurally equal ones (descriptions ignored), separately for
  requests (checked: ``additionalProperties: false`` kept) and responses
  (lenient: unknown fields allowed, since the server adds fields release over
  release);
* names each component after the most specific place it is used
  (``AgentGenerateRequest``, ``WorkflowRun``, ``MemoryThread``...). A name
  depends only on the shape and where it is used, never on unrelated parts of
  the document, so names survive server upgrades.
"""

from __future__ import annotations

import datetime
import fnmatch
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import CodegenError, pointer
from .naming import pascal, safe_class_name, singular
from .refs import SCHEMA_REF, deref, escape, recurses, resolve_pointer, unescape

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
REQUEST, RESPONSE = "request", "response"

# Keywords whose values are documentation: kept in the output, ignored for identity.
_DOC_KEYS = frozenset({"description", "title", "examples", "example", "$comment", "deprecated"})
# Keywords dropped outright: they mean nothing to a Python model.
_DROP_KEYS = frozenset({"$schema", "$id", "x-date", "readOnly", "writeOnly", "xml", "externalDocs"})
_SCHEMA_LIST_KEYS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_KEYS = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "unevaluatedProperties",
    "if",
    "then",
    "else",
)
_SCHEMA_MAP_KEYS = ("properties", "patternProperties", "dependentSchemas")


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:20]


@dataclass(eq=False)
class Anchor:
    """Where a name starts: a fixed root (``AgentGenerateRequest``) or a component's final name."""

    fixed: str | None = None
    component_id: str | None = None  # bound once the enclosing object is hashed


@dataclass(frozen=True)
class Hint:
    """A name in the making: an anchor plus the words added since it."""

    anchor: Anchor
    words: tuple[str, ...] = ()
    field: str | None = None  # the property of the anchor's object this place is in (its wire name)

    def child(self, word: str, field: str | None = None) -> Hint:
        return Hint(self.anchor, (*self.words, word), self.field if self.field is not None else field)

    def items(self) -> Hint:
        if self.words:
            return Hint(self.anchor, (*self.words[:-1], singular(self.words[-1])), self.field)
        return self.child("Item")


@dataclass
class Component:
    """One distinct shape, with every place it was seen (candidate names)."""

    id: str
    role: str
    bare: Any  # identity form: children as id placeholders, no docs
    variants: dict[int, Any] = field(default_factory=dict)  # hint index -> full schema seen there
    hints: list[Hint] = field(default_factory=list)
    chosen_hint: int = 0  # the hint the final name came from: its docs are kept
    fixed_name: str | None = None  # components the document already named


@dataclass
class _Scope:
    """Embedded ``definitions`` visible to a schema subtree."""

    ids: dict[str, str]
    parent: _Scope | None = None

    def lookup(self, name: str) -> str | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.ids:
                return scope.ids[name]
            scope = scope.parent
        return None


_PLACEHOLDER = "__component__:"
# components.<this>: {alias: class name}: an operation whose body or response shape is shared
# with another operation still gets a type named after itself (AgentGenerateRequest).
ALIASES_KEY = "x-codegen-aliases"
# components.<this>: {class name: the name it would have had}: a model whose name the package
# uses for something else (the facade class ``Agent``) is named with RENAMED_SUFFIX instead
# (``AgentDetails``), so that no public name of the package means two things.
RENAMED_KEY = "x-codegen-renamed"
RENAMED_SUFFIX = "Details"
# components.<this>: {operation body type: {field: {class name: alias}}}: a shape shared with
# another operation is named after the first place that had it; an operation's signature types
# its fields with the aliases named after itself (StoredAgentsCreateRequestModelWithName, not
# StoredScorerUpdateRequestModel), the same classes.
SITE_NAMES_KEY = "x-codegen-site-names"


class Normalizer:
    """Holds the component table while one document is normalized."""

    def __init__(
        self,
        document: dict[str, Any],
        source: str,
        *,
        integers: Iterable[str] = (),
        reserved: Iterable[str] = (),
    ) -> None:
        """``integers``: property names (shell patterns) whose numbers are whole (the overrides');
        ``reserved``: names a model must not take (the package's other public names)."""
        self.document = document
        self.source = source
        patterns = [fnmatch.translate(p) for p in integers]
        self._integer = re.compile("|".join(patterns)).match if patterns else None
        self.reserved = frozenset(reserved)
        self.components: dict[str, Component] = {}
        self._named_ids: dict[str, str] = {}  # '#/components/schemas/X' -> id
        self._in_progress: set[str] = set()

    # ------------------------------------------------------------------ entry
    def run(self) -> dict[str, Any]:
        doc = self.document
        out: dict[str, Any] = {k: v for k, v in doc.items() if k not in ("paths", "components")}
        out["openapi"] = "3.1.0"
        paths_out: dict[str, Any] = {}
        for path in sorted(doc.get("paths") or {}):
            item = doc["paths"][path]
            where = pointer("paths", path)
            item = deref(doc, item, self._where(where))
            if not isinstance(item, dict):
                raise CodegenError(self._where(where), "path item must be a mapping")
            shared = item.get("parameters") or []
            item_out: dict[str, Any] = {}
            for method in HTTP_METHODS:
                if method in item:
                    op_where = pointer("paths", path, method)
                    item_out[method] = self._operation(path, method, item[method], shared, op_where, "get" in item)
            if item_out:
                paths_out[path] = item_out
        out["paths"] = paths_out
        # Named components that nothing references still belong to the API surface.
        for name in sorted((doc.get("components") or {}).get("schemas") or {}):
            self._named_component(SCHEMA_REF + escape(name), pointer("components", "schemas", name))
        assigner = _NameAssigner(self.components, self.reserved)
        names = assigner.assign()
        aliases = assigner.aliases()
        out["components"] = {
            "schemas": {
                names[cid]: _finalize(self._best_variant(comp), names)
                for cid, comp in sorted(self.components.items(), key=lambda kv: names[kv[0]])
            }
        }
        out["paths"] = _finalize(paths_out, names, aliases, self.reserved)
        _drop_unsound_discriminators(out)
        if aliases:
            out["components"][ALIASES_KEY] = {alias: names[cid] for alias, cid in sorted(aliases.items())}
        if assigner.renamed:
            out["components"][RENAMED_KEY] = dict(sorted(assigner.renamed.items()))
        sites = assigner.site_names(aliases)
        if sites:
            out["components"][SITE_NAMES_KEY] = sites
        return out

    def _where(self, ptr: str) -> str:
        return f"{self.source}{ptr}"

    # -------------------------------------------------------------- operations
    def _operation(
        self, path: str, method: str, op: Any, shared: list[Any], where: str, path_has_get: bool
    ) -> dict[str, Any]:
        doc = self.document
        if not isinstance(op, dict):
            raise CodegenError(self._where(where), "operation must be a mapping")
        type_name, is_entity = operation_type_name(method, path, path_has_get)
        op_out = {k: v for k, v in op.items() if k not in ("parameters", "requestBody", "responses")}
        params: dict[tuple[str, str], dict[str, Any]] = {}
        for index, raw in enumerate([*shared, *(op.get("parameters") or [])]):
            p_where = f"{where}/parameters/{index}"
            param = deref(doc, raw, self._where(p_where))
            if not isinstance(param, dict) or "name" not in param or "in" not in param:
                raise CodegenError(self._where(p_where), "parameter needs 'name' and 'in'")
            param = dict(param)
            hint = Hint(Anchor(fixed=type_name + pascal(str(param["name"]))))
            if "schema" in param:
                param["schema"] = self.schema(param["schema"], REQUEST, hint, None, p_where + "/schema")
            elif "content" in param:
                param["content"] = self._content(param["content"], REQUEST, hint, p_where + "/content")
            params[(str(param["in"]), str(param["name"]))] = param  # operation level wins
        if params:
            op_out["parameters"] = list(params.values())
        if "requestBody" in op:
            b_where = where + "/requestBody"
            body = dict(deref(doc, op["requestBody"], self._where(b_where)))
            if "content" in body:
                hint = Hint(Anchor(fixed=type_name + "Request"))
                body["content"] = self._content(body["content"], REQUEST, hint, b_where + "/content")
            op_out["requestBody"] = body
        responses_out: dict[str, Any] = {}
        for status, raw in (op.get("responses") or {}).items():
            r_where = f"{where}/responses/{status}"
            response = dict(deref(doc, raw, self._where(r_where)))
            ok = str(status).startswith("2") or str(status) == "default"
            if ok and str(status).startswith("2"):
                root = type_name if is_entity else type_name + "Response"
            else:
                root = type_name + ("Error" if str(status) == "default" else f"Error{status}")
            if "content" in response:
                hint = Hint(Anchor(fixed=root))
                response["content"] = self._content(response["content"], RESPONSE, hint, r_where + "/content")
            responses_out[str(status)] = response
        op_out["responses"] = responses_out
        return op_out

    def _content(self, content: Any, role: str, hint: Hint, where: str) -> dict[str, Any]:
        if not isinstance(content, dict):
            raise CodegenError(self._where(where), "content must be a mapping")
        out: dict[str, Any] = {}
        for media, body in content.items():
            body = dict(body or {})
            if "schema" in body:
                body["schema"] = self.schema(body["schema"], role, hint, None, f"{where}/{escape(media)}/schema")
            out[media] = body
        return out

    # ----------------------------------------------------------------- schemas
    def schema(self, node: Any, role: str, hint: Hint, scope: _Scope | None, where: str) -> Any:
        """Normalize one schema; objects with properties come back as a component reference."""
        full, _bare = self._walk(node, role, hint, scope, where, root_of=None)
        return full

    def _walk(
        self,
        node: Any,
        role: str,
        hint: Hint,
        scope: _Scope | None,
        where: str,
        root_of: str | None,
    ) -> tuple[Any, Any]:
        if isinstance(node, bool):
            return node, node
        if not isinstance(node, dict):
            raise CodegenError(self._where(where), f"a schema must be an object, not {type(node).__name__}")
        if "$ref" in node:
            full_ref, bare_ref = self._ref(node, role, hint, scope, where)
            default = self._ref_default(node, where)
            if default is not _NO_VALUE and isinstance(full_ref, dict) and isinstance(bare_ref, dict):
                return {**full_ref, "default": default}, {**bare_ref, "default": default}
            return full_ref, bare_ref
        node = dict(node)
        defs = node.pop("definitions", None) or {}
        defs.update(node.pop("$defs", None) or {})
        if defs:
            scope = self._scope(defs, role, scope, where)
        _modernize(node)
        _sound_default(node)
        _loosen(node, role)
        full: dict[str, Any] = {}
        bare: dict[str, Any] = {}
        site = Anchor()
        own = Hint(site)
        is_object = bool(node.get("properties")) and node.get("type") in (None, "object")
        child_hint = own if is_object else hint
        for key, value in node.items():
            if key in _DROP_KEYS or key.startswith("x-"):
                continue
            k_where = f"{where}/{escape(key)}"
            if key in _DOC_KEYS:
                full[key] = _clean_doc(value) if key in ("description", "title") else value
            elif key in _SCHEMA_MAP_KEYS and isinstance(value, dict):
                full[key], bare[key] = {}, {}
                for name, sub in value.items():
                    if key == "properties" and self._integer is not None and self._integer(str(name)):
                        sub = _whole_numbers(sub)
                    f, b = self._walk(
                        sub,
                        role,
                        child_hint.child(pascal(str(name)), str(name) if child_hint is own else None),
                        scope,
                        f"{k_where}/{escape(name)}",
                        None,
                    )
                    full[key][name], bare[key][name] = f, b
            elif key in _SCHEMA_LIST_KEYS and isinstance(value, list):
                if key in ("anyOf", "oneOf"):
                    value = [_unconstrained_scalar(v) for v in value]
                names = _variant_words(key, value)
                pairs = [
                    self._walk(sub, role, child_hint.child(names[i]), scope, f"{k_where}/{i}", None)
                    for i, sub in enumerate(value)
                ]
                full[key] = [f for f, _ in pairs]
                bare[key] = [b for _, b in pairs]
            elif key in _SCHEMA_KEYS and isinstance(value, dict):
                sub_hint = child_hint.items() if key == "items" else child_hint.child("Value")
                full[key], bare[key] = self._walk(value, role, sub_hint, scope, k_where, None)
            else:
                full[key] = value
                bare[key] = value
        if root_of is not None or not is_object:
            if root_of is not None:
                site.component_id = root_of
            return full, bare
        # The default of an inline object is the default of the field it becomes, not of its class.
        default = _fitting_default(bare, full.pop("default", _NO_VALUE))
        bare.pop("default", None)
        cid = _digest(role, canonical(bare))
        site.component_id = cid
        self._register(cid, role, bare, full, hint)
        ref = _PLACEHOLDER + cid
        given = {"default": default} if default is not _NO_VALUE else {}
        if hint.anchor.fixed is not None and not hint.words:
            # An operation's own body or response: it may be typed by an alias of its own name.
            return {"$ref": f"{ref}|{hint.anchor.fixed}", **given}, {"$ref": ref, **given}
        return {"$ref": ref, **given}, {"$ref": ref, **given}

    def _register(self, cid: str, role: str, bare: Any, full: Any, hint: Hint) -> None:
        comp = self.components.get(cid)
        if comp is None:
            comp = Component(id=cid, role=role, bare=bare)
            self.components[cid] = comp
        comp.variants[len(comp.hints)] = full
        comp.hints.append(hint)

    def _scope(self, defs: Any, role: str, parent: _Scope | None, where: str) -> _Scope:
        if not isinstance(defs, dict):
            raise CodegenError(self._where(where + "/definitions"), "must be a mapping")
        block = _digest(role, "defs", canonical(defs))
        scope = _Scope({name: _digest(block, name) for name in defs}, parent)
        fresh = [name for name in defs if scope.ids[name] not in self.components]
        for name in fresh:  # registered before walking: definitions refer to each other
            cid = scope.ids[name]
            self.components[cid] = Component(id=cid, role=role, bare=None)
        for name in fresh:
            comp = self.components[scope.ids[name]]
            d_where = f"{where}/definitions/{escape(name)}"
            full, comp.bare = self._walk(
                defs[name],
                role,
                Hint(Anchor(component_id=comp.id)),
                scope,
                d_where,
                root_of=comp.id,
            )
            comp.variants[-1] = full
        return scope

    def _ref(self, node: dict[str, Any], role: str, hint: Hint, scope: _Scope | None, where: str) -> tuple[Any, Any]:
        ref = node["$ref"]
        if not isinstance(ref, str):
            raise CodegenError(self._where(where), "$ref must be a string")
        for prefix in ("#/definitions/", "#/$defs/"):
            if ref.startswith(prefix) and scope is not None:
                cid = scope.lookup(unescape(ref[len(prefix) :]))
                if cid is not None:
                    self._note_use(cid, hint)
                    return {"$ref": _PLACEHOLDER + cid}, {"$ref": _PLACEHOLDER + cid}
        if ref.startswith(SCHEMA_REF) and ref.count("/") == 3:
            cid = self._named_component(ref, where)
            self._note_use(cid, hint)
            return {"$ref": _PLACEHOLDER + cid}, {"$ref": _PLACEHOLDER + cid}
        # Any other local pointer: inline the target (guarding against cycles), unless it contains
        # itself (a tree kept under #/definitions): then it is a component, named like one.
        target = resolve_pointer(self.document, ref, self._where(where))
        if recurses(self.document, ref):
            cid = self._named_component(ref, where)
            self._note_use(cid, hint)
            return {"$ref": _PLACEHOLDER + cid}, {"$ref": _PLACEHOLDER + cid}
        if ref in self._in_progress:
            raise CodegenError(self._where(where), f"circular $ref {ref!r} outside components")
        self._in_progress.add(ref)
        try:
            return self._walk(target, role, hint, scope, where, None)
        finally:
            self._in_progress.discard(ref)

    def _ref_default(self, node: dict[str, Any], where: str) -> Any:
        """The ``default`` next to a ``$ref`` if it fits what the reference points to, else
        ``_NO_VALUE``; OpenAPI 3.0 ignores the siblings of a ``$ref``, 3.1 does not."""
        if "default" not in node or str(self.document.get("openapi", "")).startswith("3.0"):
            return _NO_VALUE
        try:
            target = deref(self.document, {"$ref": node["$ref"]}, self._where(where))
        except CodegenError:
            return _NO_VALUE  # a pointer into embedded definitions: not checked, not kept
        return _fitting_default(target, node["default"]) if isinstance(target, dict) else _NO_VALUE

    def _named_component(self, ref: str, where: str) -> str:
        if ref in self._named_ids:
            return self._named_ids[ref]
        name = unescape(ref.rsplit("/", 1)[1])
        target = resolve_pointer(self.document, ref, self._where(where))
        is_component = ref.startswith(SCHEMA_REF) and ref.count("/") == 3
        cid = _digest("named", name if is_component else ref)  # a recursive #/definitions/X is not X
        self._named_ids[ref] = cid
        comp = Component(
            id=cid,
            role=RESPONSE,
            bare=None,
            fixed_name=safe_class_name(pascal(name)) if is_component else None,
        )
        if not is_component:  # named after its last word too, once the document's own names are taken
            comp.hints.append(Hint(Anchor(fixed=pascal(name))))
        self.components[cid] = comp  # registered first: recursive references find it
        full, bare = self._walk(
            target,
            RESPONSE,
            Hint(Anchor(component_id=cid)),
            None,
            pointer("components", "schemas", name) if is_component else ref,
            root_of=cid,
        )
        if isinstance(full, dict) and _free_form(full):
            # A named free-form object (``type: object`` and nothing else) takes any keys: not an
            # empty model that would drop them all.
            full["additionalProperties"] = bare["additionalProperties"] = True
        comp.bare = bare
        comp.variants[-1] = full
        return cid

    def _note_use(self, cid: str, hint: Hint) -> None:
        self.components[cid].hints.append(hint)

    @staticmethod
    def _best_variant(comp: Component) -> Any:
        """The schema as written where the chosen name came from (its descriptions)."""
        if comp.chosen_hint in comp.variants:
            return comp.variants[comp.chosen_hint]
        return comp.variants[min(comp.variants)]


def _clean_doc(value: Any) -> Any:
    """Documentation text without trailing spaces on its lines (they end up in docstrings)."""
    if not isinstance(value, str):
        return value
    return "\n".join(line.rstrip() for line in value.strip().splitlines())


def _variant_words(key: str, variants: list[Any]) -> list[str]:
    """Name union members after what tells them apart, positions only as a last resort.

    A shared property with a distinct constant per member (``type``, ``method``)
    names them by value; otherwise a property only one member has or requires
    (``WithRunId``); otherwise the JSON type of a non-object member.
    """
    if key == "prefixItems":
        return [f"Item{i + 1}" for i in range(len(variants))]
    if key == "allOf":
        return [f"Part{i + 1}" for i in range(len(variants))]
    objects = [v if isinstance(v, dict) else {} for v in variants]
    if sum(1 for v in objects if _is_composite(v)) <= 1:
        return [""] * len(variants)  # one structured member among scalars: it needs no word
    tags = _discriminator_values(objects)
    if tags is not None:
        return [pascal(t) for t in tags]
    words: list[str] = []
    for i, variant in enumerate(objects):
        others = [o for j, o in enumerate(objects) if j != i]
        props = list(variant.get("properties") or {})
        other_props = {p for o in others for p in (o.get("properties") or {})}
        other_required = {p for o in others for p in (o.get("required") or [])}
        own = [p for p in props if p not in other_props]
        own_required = [p for p in (variant.get("required") or []) if p not in other_required]
        if own:
            word = "With" + pascal(str(own[0]))
        elif own_required:
            word = "With" + pascal(str(own_required[0]))
        elif isinstance(variant.get("type"), str) and variant["type"] != "object":
            word = pascal(variant["type"])
        else:
            word = ""
        words.append(word or f"Option{i + 1}")
    if len(set(words)) != len(words):  # never give two members one name
        words = [w if words.count(w) == 1 else f"{w}Option{i + 1}" for i, w in enumerate(words)]
    return words


def _is_composite(schema: dict[str, Any]) -> bool:
    return bool(
        schema.get("properties")
        or "$ref" in schema
        or "items" in schema
        or "prefixItems" in schema
        or any(k in schema for k in ("anyOf", "oneOf", "allOf"))
        or isinstance(schema.get("additionalProperties"), dict)
    )


def _discriminator_values(variants: list[dict[str, Any]]) -> list[str] | None:
    """Values of a property that tells every member apart (a constant, or disjoint enums), if any.

    A member whose tag is an enum (``method: message/send | SendMessage``, an alias added by a
    later server) is named after its first value, so adding an alias does not rename it.
    """
    if len(variants) < 2 or not all(v.get("properties") for v in variants):
        return None
    for prop in variants[0]["properties"]:
        values: list[str] = []
        seen: set[str] = set()
        for variant in variants:
            schema = variant["properties"].get(prop)
            tags: list[Any] = []
            if isinstance(schema, dict):
                if "const" in schema:
                    tags = [schema["const"]]
                elif isinstance(schema.get("enum"), list):
                    tags = list(schema["enum"])
            if not tags or not all(isinstance(t, str) for t in tags) or seen.intersection(tags):
                break
            if not pascal(tags[0]):
                break
            seen.update(tags)
            values.append(tags[0])
        else:
            if len({pascal(v) for v in values}) == len(values):
                return values
    return None


def operation_type_name(method: str, path: str, path_has_get: bool = False) -> tuple[str, bool]:
    """The stem of the type names of one operation, and whether it reads one entity.

    ``GET /workflows/{workflowId}/runs/{runId}`` -> (``WorkflowRun``, True);
    ``POST /agents/{agentId}/generate`` -> (``AgentGenerate``, False);
    ``POST /memory/threads`` next to ``GET /memory/threads`` -> (``MemoryThreadsCreate``, False):
    a POST beside a GET on one collection creates in it, and its types must not take the list's names.
    """
    segments = [s for s in path.split("/") if s]
    words: list[str] = []
    for index, segment in enumerate(segments):
        if _is_param(segment):
            continue
        word = pascal(segment)
        followed_by_param = index + 1 < len(segments) and _is_param(segments[index + 1])
        words.append(singular(word) if followed_by_param else word)
    stem = "".join(words) or "Root"
    verb = {
        "put": "Replace",
        "patch": "Update",
        "delete": "Delete",
        "head": "Head",
        "options": "Options",
        "trace": "Trace",
    }
    ends_with_param = bool(segments) and _is_param(segments[-1])
    if method == "post" and path_has_get and not ends_with_param:
        return stem + "Create", False
    return stem + verb.get(method, ""), method == "get" and ends_with_param


def _free_form(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" and not any(
        key in schema for key in ("properties", "additionalProperties", "allOf", "anyOf", "oneOf")
    )


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def _whole_numbers(schema: Any) -> Any:
    """``schema`` with ``type: number`` read as ``integer`` (also in a nullable type or a union)."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    kind = out.get("type")
    if kind == "number":
        out["type"] = "integer"
    elif isinstance(kind, list) and "number" in kind:
        out["type"] = ["integer" if k == "number" else k for k in kind]
    if isinstance(out.get("default"), float) and out["default"].is_integer():
        out["default"] = int(out["default"])
    for key in ("anyOf", "oneOf"):
        if isinstance(out.get(key), list):
            out[key] = [_whole_numbers(member) for member in out[key]]
    return out


def _is_whole_number(node: dict[str, Any]) -> bool:
    """A ``number`` that says it is whole: an ``int32``/``int64`` format or ``multipleOf: 1``."""
    kind = node.get("type")
    if kind != "number" and not (isinstance(kind, list) and "number" in kind):
        return False
    step = node.get("multipleOf")
    return node.get("format") in ("int32", "int64") or (type(step) in (int, float) and step == 1)


def _modernize(node: dict[str, Any]) -> None:
    """Rewrite draft-04/07 and OpenAPI 3.0 keywords in place into JSON Schema 2020-12 / OAS 3.1."""
    if _is_whole_number(node):  # an integer in all but name: typed int
        if node.get("multipleOf") == 1:
            del node["multipleOf"]
        node.update(_whole_numbers({k: node[k] for k in ("type", "default") if k in node}))
    # JSON object keys are always strings; constraints on them are the server's to check.
    node.pop("propertyNames", None)
    items = node.get("items")
    if isinstance(items, list):  # draft-07 tuple form
        node["prefixItems"] = items
        extra = node.pop("additionalItems", None)
        if extra is False:
            node["items"] = False
        elif isinstance(extra, dict):
            node["items"] = extra
        else:
            del node["items"]
    elif "additionalItems" in node:
        del node["additionalItems"]  # meaningless without tuple items
    for bound, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if node.get(exclusive) is True and bound in node:
            node[exclusive] = node.pop(bound)
        elif node.get(exclusive) is False:
            del node[exclusive]
    if node.pop("nullable", False) is True:
        kind = node.get("type")
        if isinstance(kind, str):
            node["type"] = [kind, "null"]
        elif isinstance(kind, list) and "null" not in kind:
            node["type"] = [*kind, "null"]
        elif kind is None and "enum" not in node:
            pass  # an untyped schema already accepts null
        if isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
    if "const" in node and "enum" in node:
        del node["enum"]  # zod emits both; const is the stronger statement
    if node.get("format") == "binary" and "contentMediaType" not in node:
        # OpenAPI 3.1 says binary content with contentMediaType (a file in multipart bodies).
        node["contentMediaType"] = "application/octet-stream"
        del node["format"]
    patterns = node.pop("patternProperties", None)
    if isinstance(patterns, dict) and patterns:
        # Python cannot check ECMAScript key patterns (the server does): the values keep their
        # schemas as the values of any other key, unless other keys may hold anything anyway.
        extra = node.get("additionalProperties")
        if extra is False or isinstance(extra, dict):
            values = [*patterns.values(), *([extra] if isinstance(extra, dict) else [])]
            node["additionalProperties"] = values[0] if len(values) == 1 else {"anyOf": values}
    if node.get("type") == "object" and node.get("additionalProperties") == {} and not node.get("properties"):
        node["additionalProperties"] = True


def _drop_unsound_discriminators(document: dict[str, Any]) -> None:
    """Keep a ``discriminator`` only where the models can honour it, else leave a plain union.

    A tagged union in pydantic needs every member to be a model whose tag field is a literal,
    with no value shared by two members; a document that breaks this (inline members, a tag
    missing from a member, one value for two members) would give a model that fails at import.
    A plain union still parses every member, by trying each.

    A kept discriminator gets its ``mapping`` spelled out, every tag value to its member:
    datamodel-code-generator types a member's tag field after the mapping, and without an entry
    for a value after the member's class name (a member tagged ``enum: [a1, a2]`` would accept
    ``"A"`` and reject its own values).
    """
    schemas: dict[str, Any] = (document.get("components") or {}).get("schemas") or {}
    stack: list[Any] = [schemas, document.get("paths")]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if "discriminator" in node:
            mapping = _sound_mapping(node, schemas)
            if mapping is None:
                del node["discriminator"]
            else:
                node["discriminator"] = {**node["discriminator"], "mapping": mapping}
        stack.extend(node.values())


def _sound_mapping(node: dict[str, Any], schemas: dict[str, Any]) -> dict[str, str] | None:
    """Every tag value of a sound discriminator to the ``$ref`` of its member, else None."""
    spec = node["discriminator"]
    members = node.get("oneOf") or node.get("anyOf")
    if not isinstance(spec, dict) or not isinstance(spec.get("propertyName"), str) or not members:
        return None
    if not isinstance(members, list) or len(members) < 2:
        return None
    found: dict[str, str] = {}
    for member in members:
        values = _tag_values(member, spec["propertyName"], schemas, depth=0)
        if not values or set(found).intersection(values):
            return None
        found.update((value, member["$ref"]) for value in values)
    mapping = spec.get("mapping")
    if mapping is not None and not (isinstance(mapping, dict) and set(mapping) <= set(found)):
        return None  # a value no member has
    return found  # the members' own tags decide (the document's targets may name renamed components)


def _tag_values(member: Any, prop: str, schemas: dict[str, Any], depth: int) -> list[str]:
    """The literal values a model member's tag field may hold ([] when it is not a literal)."""
    ref = member.get("$ref") if isinstance(member, dict) else None
    if not isinstance(ref, str) or not ref.startswith(SCHEMA_REF) or depth > 8:
        return []
    schema = schemas.get(ref[len(SCHEMA_REF) :])
    if not isinstance(schema, dict) or "oneOf" in schema or "anyOf" in schema:
        return []
    field = (schema.get("properties") or {}).get(prop)
    if isinstance(field, dict):
        if isinstance(field.get("const"), str):
            return [field["const"]]
        enum = field.get("enum")
        if isinstance(enum, list) and enum and all(isinstance(v, str) for v in enum):
            return list(enum)
        return []
    for part in schema.get("allOf") or []:  # inherited from a parent model
        values = _tag_values(part, prop, schemas, depth + 1)
        if values:
            return values
    return []


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def _sound_default(node: dict[str, Any]) -> None:
    """A default the schema itself rejects (``"1024"`` for an integer, ``null`` for a string) is
    read as what it plainly means when it can be (``1024``), else dropped: a generated model must
    not start out holding a value of the wrong type."""
    if "default" not in node:
        return
    node["default"] = value = _as_integers(node["default"], node)  # 10.0 for an integer: not a float
    kinds = node.get("type")
    types = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else []
    enum = node.get("enum")
    if "const" in node:
        allowed = [node["const"]]
    elif isinstance(enum, list):
        allowed = enum
    else:
        allowed = None
    if allowed is not None:
        if not any(value == v and type(value) is type(v) for v in allowed):
            del node["default"]
        return
    if value is None and not types:
        if _may_be_null(node):
            return
        del node["default"]
        return
    if not _fits_format(value, node):
        del node["default"]  # "yesterday" for a date: the model would fail to start, or hold a str
        return
    if not types or any(_is_json_type(value, t) for t in types if isinstance(t, str)):
        return
    for kind in types:
        coerced = _coerce(value, kind)
        if coerced is not _NO_VALUE:
            node["default"] = coerced
            return
    del node["default"]


_NO_VALUE = object()


def _as_integers(value: Any, node: dict[str, Any]) -> Any:
    """``value`` with the whole floats written where the schema says integer made ints, in arrays
    and maps too (plain lists and dicts: their defaults are not validated)."""
    kind = node.get("type")
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    if isinstance(value, float) and value.is_integer() and "integer" in kinds and "number" not in kinds:
        return int(value)
    items, extra = node.get("items"), node.get("additionalProperties")
    if isinstance(value, list) and isinstance(items, dict):
        return [_as_integers(item, items) for item in value]
    if isinstance(value, dict) and isinstance(extra, dict) and not node.get("properties"):
        return {key: _as_integers(item, extra) for key, item in value.items()}
    return value


def _fitting_default(schema: dict[str, Any], value: Any) -> Any:
    """``value`` as a default for ``schema`` (read as what it plainly means), or ``_NO_VALUE`` when
    the schema rejects it: a type, a constant or an enum it is not, a required property it lacks.
    The models validate such defaults, so one that does not fit would fail every instance."""
    if value is _NO_VALUE:
        return _NO_VALUE
    probe = {**schema, "default": value}
    _modernize(probe)
    _sound_default(probe)
    fitted = probe.get("default", _NO_VALUE)
    required = schema.get("required")
    if isinstance(fitted, dict) and isinstance(required, list) and not set(map(str, required)) <= set(fitted):
        return _NO_VALUE
    return fitted


_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_TIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?(?:[Zz]|[+-]([0-9]{2}):([0-9]{2}))"
)


def _fits_format(value: Any, node: dict[str, Any]) -> bool:
    """Whether a string default is an RFC 3339 date or date-time where its format says so (the
    models parse those formats), items of an array default included; other values pass."""
    if isinstance(value, list) and isinstance(node.get("items"), dict):
        return all(_fits_format(item, node["items"]) for item in value)
    fmt = node.get("format")
    if not isinstance(value, str) or fmt not in ("date", "date-time"):
        return True
    match = (_DATE if fmt == "date" else _DATE_TIME).fullmatch(value)
    if match is None:
        return False
    parts = [int(part or 0) for part in match.groups()]
    year, month, day, hour, minute, second, offset_hours, offset_minutes = parts + [0] * (8 - len(parts))
    try:
        datetime.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return offset_hours < 24 and offset_minutes < 60
    match = (_DATE if fmt == "date" else _DATE_TIME).fullmatch(value)
    if match is None:
        return False
    numbers = [int(part) for part in match.groups() if part is not None and part not in "+-"]
    try:
        datetime.datetime(*numbers[:6])  # type: ignore[misc]
        if len(numbers) > 6:
            datetime.timezone(datetime.timedelta(hours=numbers[6], minutes=numbers[7]))
    except ValueError:
        return False
    return True


def _may_be_null(node: dict[str, Any]) -> bool:
    """Whether an untyped schema visibly accepts null: a union with a null member, or no
    constraint at all (``{}``)."""
    members = [m for key in ("anyOf", "oneOf") for m in node.get(key) or []]
    if members:
        return any(isinstance(m, dict) and _accepts_null_type(m) for m in members)
    return not any(key in node for key in ("allOf", "$ref", "properties", "items", "not"))


def _accepts_null_type(member: dict[str, Any]) -> bool:
    kind = member.get("type")
    return kind == "null" or (isinstance(kind, list) and "null" in kind) or member.get("nullable") is True


def _is_json_type(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind in ("integer", "number"):
        return False
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _JSON_TYPES.get(kind, (object,)))


def _coerce(value: Any, kind: str) -> Any:
    """A string default read as the number or boolean it spells, else ``_NO_VALUE``."""
    if not isinstance(value, str):
        return _NO_VALUE
    text = value.strip()
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    if kind == "integer" and re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            return _NO_VALUE
        return number if number == number and abs(number) != float("inf") else _NO_VALUE
    return _NO_VALUE


# Formats a Python model can honour with pydantic alone; others (email needs an extra package,
# uri is stricter than what servers send) stay plain strings.
_KEPT_FORMATS = frozenset({"date-time", "date"})
# Validation keywords: kept on requests (the client checks its input), dropped on responses
# (a client parses what the server says; it does not second-guess it).
_LIMIT_KEYS = frozenset(
    {
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minItems",
        "maxItems",
        "multipleOf",
        "uniqueItems",
        "minProperties",
        "maxProperties",
    }
)


def _unconstrained_scalar(member: Any) -> Any:
    """A constrained scalar inside a union would become a synthetic, numbered model class
    (``Label1``) in datamodel-code-generator; the server checks the bounds anyway."""
    scalar = isinstance(member, dict) and member.get("type") in ("string", "number", "integer")
    if scalar and "properties" not in member:
        return {k: v for k, v in member.items() if k not in _LIMIT_KEYS}
    return member


def _loosen(node: dict[str, Any], role: str) -> None:
    if "format" in node and node["format"] not in _KEPT_FORMATS:
        del node["format"]
    node.pop("pattern", None)  # ECMAScript regexes do not all compile in Python; the server checks them
    if role == RESPONSE:
        for key in _LIMIT_KEYS.intersection(node):
            del node[key]
        if node.get("additionalProperties") is False:
            # The server adds fields release over release: a response object accepts them.
            node["additionalProperties"] = True
        elif (
            "additionalProperties" not in node
            and "patternProperties" not in node
            and node.get("properties")
            and node.get("type") in (None, "object")
        ):
            # JSON Schema allows unknown keys by default: keep them (``model_extra``), not drop them.
            node["additionalProperties"] = True


def _finalize(
    value: Any, names: dict[str, str], aliases: dict[str, str] | None = None, reserved: frozenset[str] = frozenset()
) -> Any:
    """Replace component placeholders by real ``$ref`` pointers (aliases where one was made)."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith(_PLACEHOLDER):
            cid, _, alias = ref[len(_PLACEHOLDER) :].partition("|")
            alias = safe_class_name(alias) if alias else ""
            alias = alias + RENAMED_SUFFIX if alias in reserved else alias
            name = alias if alias and aliases and aliases.get(alias) == cid else names[cid]
            siblings = {k: _finalize(v, names, aliases, reserved) for k, v in value.items() if k != "$ref"}
            return {"$ref": SCHEMA_REF + name, **siblings}  # a default
        return {k: _finalize(v, names, aliases, reserved) for k, v in value.items()}
    if isinstance(value, list):
        return [_finalize(v, names, aliases, reserved) for v in value]
    return value


class _NameAssigner:
    """Give every component one unique, stable name from the places it is used."""

    def __init__(self, components: dict[str, Component], reserved: frozenset[str] = frozenset()) -> None:
        self.components = components
        self.names: dict[str, str] = {}
        self.stems: dict[str, str] = {}  # what nested shapes' names start with: the name before RENAMED_SUFFIX
        self.reserved = reserved
        self.taken: set[str] = set(reserved)
        self.renamed: dict[str, str] = {}  # final name -> the name it would have had

    def _public(self, name: str) -> str:
        """``name``, or ``name + RENAMED_SUFFIX`` when the package uses it for something else."""
        return name + RENAMED_SUFFIX if name in self.reserved else name

    def assign(self) -> dict[str, str]:
        # Names the document chose itself are claimed first.
        for comp in sorted(self.components.values(), key=lambda c: c.id):
            if comp.fixed_name:
                self._claim(comp.id, [comp.fixed_name])
        # Then the bodies and results of operations, named after their operation: a shape nested
        # somewhere else that a new server release happens to name alike must not take the name.
        roots = [
            (safe_class_name(hint.anchor.fixed), comp.id, index)
            for comp in self.components.values()
            for index, hint in enumerate(comp.hints)
            if hint.anchor.fixed is not None and not hint.words and not comp.fixed_name
        ]
        for name, cid, index in sorted(roots, key=lambda r: (len(r[0]), r[0], r[1], r[2])):
            if cid not in self.names and self._public(name) not in self.taken:
                self.components[cid].chosen_hint = index
                self._claim(cid, [name])
        for comp in sorted(self.components.values(), key=lambda c: c.id):
            self._resolve(comp.id, frozenset())
        return self.names

    def _resolve(self, cid: str, visiting: frozenset[str]) -> str | None:
        """The stem of ``cid``'s name (named first if need be), or None while its users have none."""
        if cid in self.names:
            return self.stems[cid]
        if cid in visiting:
            return None
        comp = self.components[cid]
        candidates: dict[str, int] = {}
        for index, hint in enumerate(comp.hints):
            if hint.anchor.fixed is not None:
                base: str | None = hint.anchor.fixed
            elif hint.anchor.component_id is not None:
                base = self._resolve(hint.anchor.component_id, visiting | {cid})
            else:
                base = None
            if base is not None:
                candidates.setdefault(safe_class_name(base + "".join(hint.words)), index)
        if not candidates:
            if visiting:
                return None  # resolved later from the top level, once its users have names
            candidates = {"Schema" + cid[:8].upper(): 0}
        ordered = sorted(candidates, key=lambda n: (len(n), n))
        comp.chosen_hint = candidates[ordered[0]]
        for name in ordered:
            if self._public(name) not in self.taken:
                comp.chosen_hint = candidates[name]
                return self._claim(cid, [name])
        return self._claim(cid, ordered)

    def aliases(self) -> dict[str, str]:
        """Extra names for shared shapes: every place a shape is used keeps a type named after it.

        A shape used in several places gets its class name from one of them; when a server
        release adds a place whose name wins, the old name stays importable as an alias, so
        user code written against the previous client keeps working. A place nested in an
        operation's body or result is named after the operation too, whatever the name of the
        (shared) class it sits in. Operation roots first, then shorter names.
        """
        roots: dict[str, list[str]] = {}  # component -> the operation roots it is (their type names)
        for cid, comp in self.components.items():
            for hint in comp.hints:
                if hint.anchor.fixed is not None and not hint.words:
                    roots.setdefault(cid, []).append(hint.anchor.fixed)
        wanted: set[tuple[int, str, str, str]] = set()  # rank, alias, component, stem
        for cid, comp in self.components.items():
            for hint in comp.hints:
                if hint.anchor.fixed is not None:
                    bases = [hint.anchor.fixed]
                elif hint.anchor.component_id is not None:
                    parent = hint.anchor.component_id
                    bases = [self.stems[parent], *roots.get(parent, ())] if parent in self.names else []
                else:
                    bases = []
                rank = 0 if hint.anchor.fixed is not None and not hint.words else 1
                for base in bases:
                    stem = safe_class_name(base + "".join(hint.words))
                    wanted.add((rank, self._public(stem), cid, stem))
        found: dict[str, str] = {}
        for _, alias, cid, stem in sorted(wanted, key=lambda w: (w[0], len(w[1]), w[1], w[2])):
            if alias != self.names[cid] and alias not in self.taken:
                self.taken.add(alias)
                found[alias] = cid
                if alias != stem:
                    self.renamed[alias] = stem
        return found

    def site_names(self, aliases: dict[str, str]) -> dict[str, dict[str, dict[str, str]]]:
        """For each operation root that types its fields through shared shapes, the aliases named
        after the root that stand for those shapes, by field (see ``SITE_NAMES_KEY``).

        ``aliases`` are this assigner's (alias -> component id). Only a root's own name that the
        document's operations use (an alias of the root, or its class name) is a key.
        """
        roots: dict[str, set[str]] = {}  # component -> the operation roots' type names it is known by
        for cid, comp in self.components.items():
            for hint in comp.hints:
                if hint.anchor.fixed is not None and not hint.words:
                    name = self._public(safe_class_name(hint.anchor.fixed))
                    if aliases.get(name) == cid or self.names[cid] == name:
                        roots.setdefault(cid, set()).add(name)
        out: dict[str, dict[str, dict[str, str]]] = {}
        for cid, comp in sorted(self.components.items()):
            for hint in comp.hints:
                parent = hint.anchor.component_id
                if parent is None or hint.field is None or parent not in roots:
                    continue
                for root in sorted(roots[parent]):
                    own = self._public(safe_class_name(self.renamed.get(root, root) + "".join(hint.words)))
                    if own == self.names[cid] or aliases.get(own) != cid:
                        continue
                    by_class = out.setdefault(root, {}).setdefault(hint.field, {})
                    known = by_class.get(self.names[cid])
                    if known is None or (len(own), own) < (len(known), known):
                        by_class[self.names[cid]] = own
        return {root: dict(sorted(fields.items())) for root, fields in sorted(out.items())}

    def _claim(self, cid: str, candidates: list[str]) -> str:
        """Give ``cid`` the first free name of ``candidates``; its stem is returned."""
        stem = ""
        for stem in candidates:
            stem = safe_class_name(stem)
            name = self._public(stem)
            if name not in self.taken:
                break
        else:
            base = safe_class_name(candidates[0])
            # A structurally different shape already has every name we could derive:
            # qualify with the role, then with a short digest of the shape (stable, never a counter).
            role = self.components[cid].role.capitalize()
            name = base + role if base + role not in self.taken else base + cid[:6].upper()
            stem = name
        self.taken.add(name)
        self.names[cid] = name
        self.stems[cid] = stem
        if name != stem:
            self.renamed[name] = stem
        return stem
