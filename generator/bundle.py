"""Make the loaded spec one self-contained document, and check its ``$ref`` graph.

``bundle`` resolves every ``$ref`` that leads to another document (``./schemas/pet.yaml#/Pet``,
``common.json``, ``https://example.com/shared.yaml#/Error``) and rewrites it into a local one,
so that normalizing, naming and rendering only ever see local pointers:

* a target reached where a schema is expected (``schema``, ``properties``, ``items``,
  ``allOf``, ``additionalProperties``...) is added to ``components.schemas`` under the last
  word of its pointer, or the file's stem (``Pet``; ``Pet2`` when the name is taken), and the
  ``$ref`` now points there; a ``components.schemas`` entry that is nothing but an external
  ``$ref`` keeps its own name;
* any other target (a parameter, a response, a path item...) is copied in place.

References inside a referenced document are relative to it (``#/...`` points into it). Where
a reference may lead:

* a spec read from a file: relative paths, inside the folder of the spec only (no ``..`` out
  of it, no absolute path, no ``file:`` URL, no symlink out of it);
* http(s) URLs, and every reference of a spec read from a URL (there a relative path is a
  URL): only with ``--allow-remote-refs``. A document from a URL never reads local files.
  URLs are fetched by ``fetch.get`` with the spec's size limit and deadline; the ``--header``
  values go along to URLs on the spec's own origin (for a spec read from a file, on the origins
  of the URLs that file names itself), never across a redirect to another origin;
* at most ``MAX_DOCUMENTS`` documents, each read once, whose bytes count against the one
  ``--max-spec-size`` limit together with the spec. Cycles between documents end: a schema
  is embedded once, under one name, before its own references are followed.

The result is deterministic: documents are walked in sorted key order, so the names given do
not depend on the key order of any file. A document without references to other documents is
returned as it is (the same object).

``check_refs`` then looks at the local references of the (now self-contained) document:
a chain of references each of which is only another name for the next (``A: {$ref: A}``,
``A -> B -> A``, ``A: {allOf: [{$ref: A}]}``, parameters or responses referring to each
other) names no value at all and is a located error naming the chain; a schema that nests
itself inside a property or an item (a tree), or a base type whose ``oneOf`` lists subtypes
that extend it, is fine. And the references that normalizing walks at every use (all but
``#/components/schemas/X``) may not expand the document beyond ``MAX_DOCUMENT_VALUES`` (a
"billion laughs" made of ``$ref``).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from .errors import CodegenError, pointer
from .fetch import RAISE_IT, Origin, TooBig, megabytes, origin
from .loader import MAX_DOCUMENT_VALUES, is_url, parse_data, path_to, read_source
from .refs import SCHEMA_REF, escape, pointer_tokens

MAX_DOCUMENTS = 200  # the spec and the documents it refers to, together
MAX_NESTED_INLINING = 50  # a parameter refers to a parameter that refers to...: like refs.deref

# Where a walk is, which says what a "$ref" there stands for.
SCHEMA, OBJECT, SCHEMAS, OBJECTS = "schema", "object", "schemas", "objects"

_SCHEMA_ONE = frozenset(
    {
        "items",
        "additionalProperties",
        "not",
        "contains",
        "if",
        "then",
        "else",
        "unevaluatedProperties",
        "unevaluatedItems",
        "propertyNames",
        "additionalItems",
        "contentSchema",
    }
)
_SCHEMA_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_SCHEMA_MAP = frozenset({"properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions"})
_SCHEMA_DATA = frozenset({"example", "examples", "default", "const", "enum"})  # values, not schemas
_OBJECT_DATA = frozenset({"example", "value"})
_OBJECT_MAPS = frozenset(
    {
        "paths",
        "webhooks",
        "responses",
        "parameters",
        "requestBodies",
        "headers",
        "content",
        "encoding",
        "links",
        "callbacks",
        "pathItems",
        "securitySchemes",
        "examples",
        "variables",
    }
)
_IN_PLACE_LIST = ("allOf", "anyOf", "oneOf")
# Words of a pointer that say where a schema sits, not what it is: never a component name.
_STRUCTURAL = (
    _SCHEMA_ONE
    | _SCHEMA_LIST
    | _SCHEMA_MAP
    | _OBJECT_MAPS
    | {"schema", "schemas", "components", "requestBody", "get", "put", "post", "delete", "patch", "head", "options"}
)


@dataclass
class RefSite:
    """One ``{"$ref": ...}`` object and where it is."""

    holder: Any  # the dict or list that holds it
    key: Any
    node: dict[str, Any]
    path: tuple[Any, ...]  # its pointer in its document, as raw keys
    schema: bool  # a schema is expected here


@dataclass
class MappingSite:
    """One value of a discriminator's ``mapping`` (a schema name or a reference)."""

    mapping: dict[str, Any]
    key: str
    path: tuple[Any, ...]


def _child_kind(kind: str, key: Any, value: Any) -> str | None:
    """What the value under ``key`` of an object of ``kind`` is; None: data or an extension, not walked."""
    if not isinstance(value, (dict, list)) or str(key).startswith("x-"):
        return None
    if kind == SCHEMA:
        if key in _SCHEMA_DATA:
            return None
        if key in _SCHEMA_ONE or key in _SCHEMA_LIST:
            return SCHEMA
        return SCHEMAS if key in _SCHEMA_MAP and isinstance(value, dict) else OBJECT
    if key in _OBJECT_DATA or (key == "examples" and not isinstance(value, dict)):
        return None
    if key == "schema":
        return SCHEMA
    if key == "schemas":
        return SCHEMAS
    return OBJECTS if key in _OBJECT_MAPS and isinstance(value, dict) else OBJECT


def ref_sites(
    root: Any, kind: str, prefix: tuple[Any, ...] = (), holder: list[Any] | None = None
) -> tuple[list[RefSite], list[MappingSite]]:
    """Every reference under ``root`` (held in ``holder[0]``: it may be one itself), in sorted key order.

    Values that are data (``example``, ``default``, ``enum``...) and ``x-`` extensions are not
    looked into: a ``$ref`` key there is not a reference.
    """
    holder = holder if holder is not None else [root]
    sites: list[RefSite] = []
    mappings: list[MappingSite] = []
    stack: list[tuple[Any, Any, Any, tuple[Any, ...], str]] = [(holder, 0, root, prefix, kind)]
    while stack:
        parent, key, node, path, node_kind = stack.pop()
        if isinstance(node, list):
            item_kind = SCHEMA if node_kind == SCHEMAS else OBJECT if node_kind == OBJECTS else node_kind
            stack.extend((node, i, node[i], (*path, i), item_kind) for i in reversed(range(len(node))))
            continue
        if not isinstance(node, dict):
            continue
        if node_kind in (SCHEMAS, OBJECTS):
            item_kind = SCHEMA if node_kind == SCHEMAS else OBJECT
            stack.extend((node, k, node[k], (*path, k), item_kind) for k in sorted(node, reverse=True))
            continue
        if isinstance(node.get("$ref"), str):
            sites.append(RefSite(parent, key, node, path, node_kind == SCHEMA))
        discriminator = node.get("discriminator") if node_kind == SCHEMA else None
        if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
            mapping = discriminator["mapping"]
            mappings.extend(
                MappingSite(mapping, k, (*path, "discriminator", "mapping", k))
                for k in sorted(mapping)
                if isinstance(mapping[k], str)
            )
        for k in sorted(node, reverse=True):
            child_kind = _child_kind(node_kind, k, node[k])
            if child_kind is not None:
                stack.append((node, k, node[k], (*path, k), child_kind))
    return sites, mappings


def _is_reference(value: str) -> bool:
    """A discriminator mapping value that is a reference rather than a component name."""
    return "#" in value or "/" in value or value.endswith((".json", ".yaml", ".yml"))


@dataclass(frozen=True)
class _Doc:
    key: str  # the resolved path, or the URL without its fragment
    display: str  # how messages name it
    url: bool


def bundle(
    document: dict[str, Any],
    source: str,
    *,
    headers: dict[str, str] | None = None,
    allow_remote: bool = False,
    max_bytes: int,
    used: int = 0,
    found: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The document with every reference to another document made local, then checked (``check_refs``).

    ``max_bytes`` is the size limit for the spec (``used`` bytes) and the documents it refers to
    together; ``found``, the mappings of ``document`` with a ``$ref`` or a
    ``mapping`` key when the caller has them (``loader.check_shape``).
    """
    refs = _holders(document) if found is None else found
    if any(_leads_out(holder) for holder in refs):
        _Bundler(document, source, dict(headers or {}), allow_remote, max_bytes - used, max_bytes, refs).run()
        refs = _holders(document)
    check_refs(document, source, refs)
    return document


def _holders(document: Any) -> list[dict[str, Any]]:
    """The mappings with a ``$ref`` or a ``mapping`` key, data and extensions included."""
    found: list[dict[str, Any]] = []
    stack: list[Any] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "$ref" in node or "mapping" in node:
                found.append(node)
            stack.extend(reversed([v for v in node.values() if isinstance(v, (dict, list))]))
        else:
            stack.extend(reversed([v for v in node if isinstance(v, (dict, list))]))
    return found


def _leads_out(holder: dict[str, Any]) -> bool:
    """Whether a ``$ref``, or a discriminator mapping's value, may lead to another document."""
    ref = holder.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#"):
        return True
    mapping = holder.get("mapping")
    values = mapping.values() if isinstance(mapping, dict) else ()
    return any(isinstance(v, str) and _is_reference(v) and not v.startswith("#") for v in values)


class _Bundler:
    def __init__(
        self,
        document: dict[str, Any],
        source: str,
        headers: dict[str, str],
        allow_remote: bool,
        budget: int,
        max_bytes: int,
        holders: list[dict[str, Any]],
    ) -> None:
        self.document = document
        self.source = source
        self.headers = headers
        self.allow_remote = allow_remote
        self.budget = budget  # bytes the documents still to be read may take
        self.max_bytes = max_bytes
        if is_url(source):
            self.root = _Doc(urldefrag(source).url, source, True)
            self.root_dir: Path | None = None
        else:
            resolved = Path(source).resolve()
            self.root = _Doc(str(resolved), source, False)
            self.root_dir = resolved.parent
        self.origins = _header_origins(self.root, holders)
        self.documents: dict[str, Any] = {self.root.key: document}
        self.embedded: dict[tuple[str, tuple[str, ...]], str] = {}  # (document, pointer) -> local $ref
        self.new_schemas: dict[str, Any] = {}
        self.queue: list[tuple[str, _Doc, tuple[str, ...]]] = []
        self.inlining: dict[tuple[str, tuple[str, ...]], str] = {}  # the chain being copied in place
        self.copied = 0
        components = document.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        self.root_schemas: dict[str, Any] = schemas if isinstance(schemas, dict) else {}
        self.taken = {_fold(name) for name in self.root_schemas}

    def run(self) -> None:
        # A component that is nothing but an external reference keeps its name for the target.
        for name in sorted(self.root_schemas):
            node = self.root_schemas[name]
            ref = node.get("$ref") if isinstance(node, dict) else None
            if isinstance(ref, str) and not ref.startswith("#") and len(node) == 1:
                where = self.source + pointer("components", "schemas", name)
                doc, tokens = self.target(ref, self.root, where)
                if doc.key != self.root.key and (doc.key, tokens) not in self.embedded:
                    self.embedded[(doc.key, tokens)] = SCHEMA_REF + escape(name)
                    self.new_schemas[name] = self.copy_of(doc, tokens, ref, where)
                    self.queue.append((name, doc, tokens))
        self.rewrite(self.document, self.root, (), OBJECT)
        while self.queue:
            name, doc, tokens = self.queue.pop(0)
            schema = self.rewrite(self.new_schemas[name], doc, tokens, SCHEMA)
            if not tokens and isinstance(schema, dict):
                # A whole document's own definitions: every reference to them now names a component.
                schema.pop("definitions", None)
                schema.pop("$defs", None)
            self.new_schemas[name] = schema
        if self.new_schemas:
            components = self.document.setdefault("components", {})
            if not isinstance(components, dict):
                raise CodegenError(self.source + "#/components", "must be a mapping")
            schemas = components.setdefault("schemas", {})
            if not isinstance(schemas, dict):
                raise CodegenError(self.source + "#/components/schemas", "must be a mapping")
            schemas.update(self.new_schemas)

    # ------------------------------------------------------------------ rewriting
    def rewrite(self, node: Any, doc: _Doc, prefix: tuple[Any, ...], kind: str) -> Any:
        """``node`` (a part of ``doc`` at ``prefix``) with its references made local to the spec."""
        holder = [node]
        sites, mappings = ref_sites(node, kind, prefix, holder)
        for site in sites:
            ref = site.node["$ref"]
            if doc is self.root and ref.startswith("#"):
                continue
            where = doc.display + pointer(*site.path)
            if ref.startswith("#") and self._scoped_definition(ref, doc):
                continue  # draft-07 definitions of an enclosing schema: resolved when it is normalized
            target_doc, tokens = self.target(ref, doc, where)
            if target_doc.key == self.root.key:
                self._check_exists(self.document, tokens, ref, where)
                site.node["$ref"] = _local(tokens)
            elif site.schema:
                site.node["$ref"] = self.embed(target_doc, tokens, ref, where)
            else:
                site.holder[site.key] = self.inline(target_doc, tokens, site.node, ref, where)
        for entry in mappings:
            value = entry.mapping[entry.key]
            if doc is self.root and (value.startswith("#") or not _is_reference(value)):
                continue
            where = doc.display + pointer(*entry.path)
            ref = value if _is_reference(value) else SCHEMA_REF + escape(value)
            if ref.startswith("#") and not _exists(self.documents[doc.key], ref):
                continue  # a name the document does not define: left for the discriminator check
            target_doc, tokens = self.target(ref, doc, where)
            if target_doc.key == self.root.key:
                entry.mapping[entry.key] = _local(tokens)
            else:
                entry.mapping[entry.key] = self.embed(target_doc, tokens, ref, where)
        return holder[0]

    def embed(self, doc: _Doc, tokens: tuple[str, ...], ref: str, where: str) -> str:
        """The local ``$ref`` of a schema of another document, added to ``components.schemas`` once."""
        local = self.embedded.get((doc.key, tokens))
        if local is not None:
            return local
        schema = self.copy_of(doc, tokens, ref, where)
        name = self._unique(_base_name(doc, tokens))
        local = SCHEMA_REF + escape(name)
        self.embedded[(doc.key, tokens)] = local  # before its own references: cycles end here
        self.new_schemas[name] = schema
        self.queue.append((name, doc, tokens))
        return local

    def inline(self, doc: _Doc, tokens: tuple[str, ...], ref_node: dict[str, Any], ref: str, where: str) -> Any:
        """A copy of a parameter, response, path item... of another document, its references made local."""
        key = (doc.key, tokens)
        if key in self.inlining:
            chain = [*self.inlining.values(), doc.display + _local(tokens)]
            raise CodegenError(where, f"circular $ref chain: {' -> '.join(chain)}")
        if len(self.inlining) >= MAX_NESTED_INLINING:
            raise CodegenError(where, f"$ref {ref!r} is nested more than {MAX_NESTED_INLINING} references deep")
        value = self.copy_of(doc, tokens, ref, where)
        self.inlining[key] = doc.display + _local(tokens)
        try:
            value = self.rewrite(value, doc, tokens, OBJECT)
        finally:
            del self.inlining[key]
        if isinstance(value, dict):  # OpenAPI 3.1: a reference's summary and description win
            value.update({k: ref_node[k] for k in ("summary", "description") if k in ref_node})
        return value

    # ------------------------------------------------------------------ documents
    def target(self, ref: str, base: _Doc, where: str) -> tuple[_Doc, tuple[str, ...]]:
        """The document and the pointer a reference leads to, or a located error if it may not go there."""
        address, _, fragment = ref.partition("#")
        tokens = pointer_tokens(fragment)
        if tokens is None:
            raise CodegenError(
                where, f"$ref {ref!r}: only JSON pointer fragments ('#/a/b', '~' only as ~0 or ~1) are supported"
            )
        if not address:
            return base, tuple(tokens)
        if base.url:
            url = urldefrag(urljoin(base.key, address)).url
            if urlsplit(url).scheme not in ("http", "https"):
                raise CodegenError(where, f"$ref {ref!r}: a document read from a URL may only refer to http(s) URLs")
            return self._remote(url, ref, where), tuple(tokens)
        parts = urlsplit(address)
        if parts.scheme in ("http", "https"):
            return self._remote(urldefrag(address).url, ref, where), tuple(tokens)
        if parts.scheme == "file":
            raise CodegenError(where, f"$ref {ref!r}: file: URLs are not followed; use a path relative to the spec")
        if len(parts.scheme) > 1:
            raise CodegenError(where, f"$ref {ref!r}: unsupported scheme '{parts.scheme}:'")
        relative = unquote(address)
        if relative.startswith(("/", "\\")) or Path(relative).is_absolute() or parts.scheme:
            raise CodegenError(where, f"$ref {ref!r}: absolute paths are not followed; use a path relative to the spec")
        assert self.root_dir is not None  # a file-based document only exists under a file spec
        path = (Path(base.key).parent / relative).resolve()
        if not path.is_relative_to(self.root_dir):
            raise CodegenError(where, f"$ref {ref!r} leads outside the folder of the spec; it is not followed")
        display = str(Path(self.root.display).parent / path.relative_to(self.root_dir))
        return _Doc(str(path), display, False), tuple(tokens)

    def _remote(self, url: str, ref: str, where: str) -> _Doc:
        if not self.allow_remote:
            shown = f"'{ref}'" if ref.startswith(url) else f"'{ref}' ({url})"
            raise CodegenError(where, f"remote $ref {shown} is not fetched; pass --allow-remote-refs to fetch it")
        return _Doc(url, url, True)

    def load(self, doc: _Doc, ref: str, where: str) -> Any:
        if doc.key in self.documents:
            return self.documents[doc.key]
        if len(self.documents) >= MAX_DOCUMENTS:
            raise CodegenError(where, f"$ref {ref!r}: more than {MAX_DOCUMENTS} documents referenced")
        try:
            raw = read_source(doc.key, self.headers, max(self.budget, 0), self.origins)
        except TooBig as exc:
            size = f" of {exc.size} bytes" if exc.size is not None else ""
            raise CodegenError(
                where,
                f"$ref {ref!r}: the {exc.kind}{size} takes the spec and the documents it refers to over the limit "
                f"of {megabytes(self.max_bytes)} for them together{RAISE_IT}",
            ) from None
        except CodegenError as exc:
            raise CodegenError(where, f"$ref {ref!r}: {exc.what}") from None
        self.budget -= len(raw)
        data = parse_data(raw, doc.display)  # its own syntax errors are located in it
        self.documents[doc.key] = data
        return data

    def copy_of(self, doc: _Doc, tokens: tuple[str, ...], ref: str, where: str) -> Any:
        """A copy of the target (which the rewriting changes), counted against the size limit."""
        data = self.load(doc, ref, where)
        node = data
        for token in tokens:
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise CodegenError(where, f"unresolvable $ref {ref!r}: {doc.display} has no {_local(tokens)}")
        self.copied += _count(node)
        if self.copied > MAX_DOCUMENT_VALUES:
            raise CodegenError(where, f"the referenced documents add more than {MAX_DOCUMENT_VALUES:,} values")
        return copy.deepcopy(node)

    def _check_exists(self, document: Any, tokens: tuple[str, ...], ref: str, where: str) -> None:
        if not _exists(document, _local(tokens)):
            raise CodegenError(where, f"unresolvable $ref {ref!r}: the spec has no {_local(tokens)}")

    def _scoped_definition(self, ref: str, doc: _Doc) -> bool:
        tokens = pointer_tokens(ref[1:])
        in_definitions = bool(tokens) and tokens is not None and tokens[0] in ("definitions", "$defs")
        return in_definitions and not _exists(self.documents[doc.key], ref)

    def _unique(self, base: str) -> str:
        name, number = base, 1
        while _fold(name) in self.taken:
            number += 1
            name = f"{base}{number}"
        self.taken.add(_fold(name))
        return name


def _header_origins(root: _Doc, holders: list[dict[str, Any]]) -> set[Origin]:
    """Where the ``--header`` values may go: the spec's own origin; for a spec file, the origins of
    the URLs it names itself (not those a fetched document names: that one may be anyone's)."""
    if root.url:
        return {origin(root.key)}
    named: set[Origin] = set()
    for holder in holders:
        ref = holder.get("$ref")
        mapping = holder.get("mapping")
        for value in [ref, *(mapping.values() if isinstance(mapping, dict) else ())]:
            if isinstance(value, str) and origin(value)[0] in ("http", "https"):
                named.add(origin(value))
    return named


def _local(tokens: tuple[str, ...]) -> str:
    return pointer(*tokens) if tokens else "#"


def _fold(name: str) -> str:
    """Names that would make the same class name (``pet``, ``Pet``, ``pet_``) are one name."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _base_name(doc: _Doc, tokens: tuple[str, ...]) -> str:
    """A component name from the pointer's last meaningful word, else from the file's stem."""
    for token in reversed(tokens):
        if token not in _STRUCTURAL and not token.isdigit() and "/" not in token:
            name = re.sub(r"[^A-Za-z0-9._-]+", "_", token).strip("_.-")
            if name:
                return name
    stem = PurePosixPath(urlsplit(doc.key).path).stem if doc.url else Path(doc.key).stem
    return re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("_.-") or "Schema"


_MISSING = object()


def _lookup(document: Any, ref: str) -> Any:
    """The target of a local reference, or ``_MISSING``."""
    tokens = pointer_tokens(ref[1:]) if ref.startswith("#") else None
    if tokens is None:
        return _MISSING
    node = document
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _MISSING
    return node


def _exists(document: Any, ref: str) -> bool:
    return _lookup(document, ref) is not _MISSING


def _count(value: Any) -> int:
    """Values and keys in ``value`` (iterative)."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            count += len(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


# ---------------------------------------------------------------------- the local $ref graph
def check_refs(document: dict[str, Any], source: str, found: list[dict[str, Any]] | None = None) -> None:
    """Refuse reference cycles that name no value, and references that expand without bound.

    ``found``: the mappings of ``document`` with a ``$ref`` (found here when not given).
    """
    holders = _holders(document) if found is None else found
    local = [h for h in holders if isinstance(h.get("$ref"), str) and h["$ref"].startswith("#")]
    _check_cycles(document, source, local)
    _check_expansion(document, source, local)


def _where(source: str, document: Any, node: Any) -> str:
    return source + pointer(*path_to(document, node))


def _aliases_of(target: Any) -> list[dict[str, Any]]:
    """The references ``target`` is only another name for: itself when it is a ``$ref``, and the one
    member of a one-member ``allOf``/``anyOf``/``oneOf``. (A union or intersection with others,
    like a subtype's ``allOf: [Base, {...}]`` beside ``Base: {oneOf: [subtypes]}``, is not.)"""
    if not isinstance(target, dict):
        return []
    found = [target] if isinstance(target.get("$ref"), str) else []
    for key in _IN_PLACE_LIST:
        members = target.get(key)
        only = members[0] if isinstance(members, list) and len(members) == 1 else None
        if isinstance(only, dict) and isinstance(only.get("$ref"), str):
            found.append(only)
    return found


def _check_cycles(document: Any, source: str, refs: list[dict[str, Any]]) -> None:
    """Depth-first over "this reference is another name for that one": a cycle names no value at all."""
    done: set[int] = set()
    for site in refs:
        if id(site) in done:
            continue
        path: list[dict[str, Any]] = []  # the chain being followed
        on_path: set[int] = set()
        stack: list[tuple[dict[str, Any], bool]] = [(site, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                path.pop()
                on_path.discard(id(node))
                done.add(id(node))
                continue
            if id(node) in done:
                continue
            if id(node) in on_path:
                members = path[next(i for i, n in enumerate(path) if n is node) :]
                first = pointer(*path_to(document, members[0]))
                chain = [first, *(n["$ref"] for n in members)]
                raise CodegenError(
                    source + first,
                    f"circular $ref chain: {' -> '.join(chain)} (each is only another name for the next: no value)",
                )
            path.append(node)
            on_path.add(id(node))
            stack.append((node, True))
            target = _lookup(document, node["$ref"])
            if target is not _MISSING:  # unresolvable ones are reported where they are used
                stack.extend((ref, False) for ref in reversed(_aliases_of(target)))


def _is_component_ref(ref: str) -> bool:
    return ref.startswith(SCHEMA_REF) and "/" not in ref[len(SCHEMA_REF) :]


_BOMB = f"the $refs expand the document to more than {MAX_DOCUMENT_VALUES:,} values (a $ref bomb?)"


def _check_expansion(document: Any, source: str, refs: list[dict[str, Any]]) -> None:
    """How big the document gets once the references normalizing walks at every use are copied
    there (a ``$ref`` bomb): all but ``#/components/schemas/X``, which are walked once."""
    sizes: dict[int, int] = {}
    total = 0
    for ref in refs:
        if _is_component_ref(ref["$ref"]):
            continue
        target = _lookup(document, ref["$ref"])
        if target is _MISSING:
            continue
        total += _expanded_size(document, source, target, sizes, ref) - 1
        if total > MAX_DOCUMENT_VALUES:
            raise CodegenError(
                _where(source, document, ref),
                _BOMB,
            )


def _expanded_size(document: Any, source: str, root: Any, sizes: dict[int, int], ref: dict[str, Any]) -> int:
    """Values and keys under ``root`` with inlined references counted as their targets (memoized)."""
    if not isinstance(root, (dict, list)):
        return 1
    active: set[int] = set()  # the containers on the current path: a reference back to one is a cycle
    stack: list[Any] = [root]
    while stack:
        node = stack[-1]
        key = id(node)
        if key in sizes:
            stack.pop()
            continue
        children = _expanding_children(document, node)
        if key not in active:
            active.add(key)
            stack.extend(c for c in children if id(c) not in sizes and id(c) not in active)
            continue
        stack.pop()
        active.discard(key)
        size = 1 + (len(node) if isinstance(node, dict) else 0)
        values = node.values() if isinstance(node, dict) else node
        size += sum(sizes.get(id(v), 1) for v in values)
        if len(children) > sum(1 for v in values if isinstance(v, (dict, list))):
            size += sizes.get(id(children[-1]), 1)  # the target of its inlined $ref
        sizes[key] = size
        if size > MAX_DOCUMENT_VALUES:
            raise CodegenError(
                _where(source, document, ref),
                _BOMB,
            )
    return sizes[id(root)]


def _expanding_children(document: Any, node: Any) -> list[Any]:
    values = list(node.values()) if isinstance(node, dict) else list(node)
    children = [v for v in values if isinstance(v, (dict, list))]
    ref = node.get("$ref") if isinstance(node, dict) else None
    if isinstance(ref, str) and ref.startswith("#") and not _is_component_ref(ref):
        target = _lookup(document, ref)
        if isinstance(target, (dict, list)):
            children.append(target)
    return children
