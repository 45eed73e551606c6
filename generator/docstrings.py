"""Docstrings of generated methods: every argument described, every line within the line length.

A parameter is described by the document's text, else the overrides' (``describe:``), else by
what it is and where it travels (``Path parameter ``agentId``.``). The per-call options every
method takes (``extra_headers``, ``timeout``...) share one description each, defined here.
"""

from __future__ import annotations

import ast
import functools
import re
import textwrap
from collections.abc import Sequence

from .fmt import RUFF_SETTINGS
from .ir import Operation, Pagination, Param, ResourceAccessor
from .pysource import docstring_body

# The generated package's line length: ruff formats it with this one (fmt.py).
LINE_LENGTH = int(RUFF_SETTINGS[RUFF_SETTINGS.index("--line-length") + 1])
METHOD_INDENT = 8  # a method's docstring lines, in its class
ARG_INDENT = 4  # an argument under ``Args:``; its continuation lines twice as far

# The per-call options of every generated method, in signature order (see _macros.jinja).
CALL_OPTIONS: dict[str, str] = {
    "retry_unsafe": "Retry this call after a connection error or a retryable status although it is not idempotent "
    "(the server may then act twice). Default ``False``.",
    "strict_response_validation": "``True``: raise ``APIResponseValidationError`` when the answer does not fit its "
    "model; ``False``: keep it leniently. Default: the client's setting.",
    "idle_timeout": "Seconds the stream may go without an event before it raises ``APITimeoutError``; "
    "``None``: no limit. Default: the client's (none for a subscription).",
    "resumable": "Continue a dropped stream by observing its run from the last event received: ``True`` (up to 5 "
    "attempts in a row) or the number of attempts. Default ``False``.",
    "reconnect": "Open the subscription again when it drops or the server ends it: ``True`` (every time) or the "
    "number of times. Default ``False``.",
    "extra_headers": "Headers sent with this call only, over the client's and the method's own.",
    "extra_query": "Query parameters added to this call.",
    "extra_body": "Fields merged into the request body as they are (not checked).",
    "timeout": "Seconds, or an ``httpx.Timeout``, for this call instead of the client's.",
    "max_retries": "Retries of this call instead of the client's ``max_retries``.",
    "max_response_bytes": "The largest answer read whole for this call (``None``: no limit) instead of the client's.",
}
_ALWAYS = ("extra_headers", "extra_query", "extra_body", "timeout", "max_retries", "max_response_bytes")

# Parameters whose meaning the client adds to (runtime features an override switches on).
_CLIENT_TOOLS = (
    "Tools run in this process: functions (their type hints give the schema), ``ClientTool``s, or a mapping by "
    "name. The model sees their declarations; when it calls one, the client runs it here and continues the call "
    "with the result."
)
_STRUCTURED_OUTPUT = (
    "A pydantic model class (its JSON schema is sent, and the answer's ``object`` is parsed into it), or the "
    "server's options with such a class as ``schema``."
)
_COERCIONS = {"messages": "A ``str`` is sent as one user message."}
_WHERE = {"path": "Path parameter", "query": "Query parameter", "header": "Header", "cookie": "Cookie"}
_BODY_KINDS = {"fields": "JSON", "form": "form", "multipart": "multipart"}


def call_options(op: Operation) -> tuple[str, ...]:
    """The per-call options a method of ``op`` takes, as ``_macros.signature`` and ``call_kwargs`` list them."""
    extra: list[str] = []
    if not op.retry_safe:
        extra.append("retry_unsafe")
    if op.stream is None:
        extra.append("strict_response_validation")
    else:
        extra.append("idle_timeout")
        if op.stream.resume is not None:
            extra.append("resumable")
        if op.stream.reconnect:
            extra.append("reconnect")
    return (*extra, *_ALWAYS)


def param_text(param: Param, op: Operation) -> str:
    """What a parameter is: its description, else where it goes on the wire; plus what the client adds."""
    said = param.description and not _only_names(param.description, param)
    text = param.description if said else _wire_sentence(param, op)
    notes: list[str] = []
    if param.py_name == op.client_tools:
        notes.append(_CLIENT_TOOLS)
    if param.py_name == op.structured_output:
        notes.append(_STRUCTURED_OUTPUT)
    if param.coerce in _COERCIONS:
        notes.append(_COERCIONS[param.coerce])
    return " ".join([_sentence(text), *notes])


_FILLER = frozenset({"the", "a", "an", "query", "path", "header", "cookie", "body", "parameter", "param", "field"})


def _only_names(description: str, param: Param) -> bool:
    """A description that only names the parameter (``Query parameter: page``, ``The runId parameter``)."""
    words = re.findall(r"[A-Za-z0-9_-]+", description.lower())
    return all(word in _FILLER or word in (param.name.lower(), param.py_name.lower()) for word in words)


def _wire_sentence(param: Param, op: Operation) -> str:
    name = f"``{param.name}``"
    if param.location in _WHERE:
        where = f"{_WHERE[param.location]} {name}"
        if param.base64_json:
            return f"{where}, sent as base64 of its JSON."
        if param.json_encoded:
            return f"{where}, sent as JSON."
        return where + "."
    if op.body_kind in _BODY_KINDS:
        kind = _BODY_KINDS[op.body_kind]
        upload = {"one": " (a file)", "many": " (files)"}.get(param.file, "")
        return f"Field {name} of the {kind} body{upload}."
    if op.body_kind == "raw":
        return f"The request body, sent as ``{op.body_media}``."
    if op.body_kind in ("form_whole", "multipart_whole"):
        return f"The {op.body_kind.split('_')[0]} body, as a mapping of its fields."
    return "The JSON request body."


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?:" else text + "."


_BULLET = re.compile(r"\s*([-*+]|\d+[.)])\s+")


@functools.lru_cache(maxsize=16384)  # per-call options and sync/async twins repeat the same texts
def wrap(text: str, indent: int, first: int = 0, width: int = LINE_LENGTH) -> str:
    """Docstring text (escaped here) wrapped to ``width``, later lines indented by ``indent`` spaces.

    ``first`` is the column the first line starts at (after the quotes, or an argument's name);
    the result's first line carries no indentation, the caller writes it after its own prefix.
    Each line of the text is wrapped alone (paragraphs and lists keep their breaks; a list
    item's lines hang under its text); a word longer than a line (a URL) stays whole.
    """
    escaped = docstring_body(text)
    if first + len(escaped) <= width and "\n" not in escaped:
        return escaped.strip()  # most texts: one short line
    return _wrap_lines(escaped, indent, first, width)


def _wrap_lines(escaped: str, indent: int, first: int, width: int) -> str:
    out: list[str] = []
    for number, line in enumerate(escaped.split("\n")):
        stripped = line.rstrip()
        if not stripped:
            out.append("")
            continue
        lead = len(stripped) - len(stripped.lstrip())
        bullet = _BULLET.match(stripped)
        out += textwrap.wrap(
            stripped.lstrip(),
            width=width,
            initial_indent=" " * (first if number == 0 else indent + lead),
            subsequent_indent=" " * (indent + (bullet.end() if bullet else lead)),
            break_long_words=False,
            break_on_hyphens=False,
        )
    if out:
        out[0] = out[0][first:]
    return "\n".join(out)


def args_section(entries: Sequence[tuple[str, str]], indent: int = METHOD_INDENT) -> str:
    """``Args:`` and a wrapped entry per ``(name, text)``; lines after the first indented from ``indent``."""
    lines = ["Args:"]
    at = indent + ARG_INDENT
    for name, text in entries:
        head = f"{name}: "
        lines.append(" " * at + head + wrap(text, at + ARG_INDENT, first=at + len(head)))
    return "\n".join(lines)


def method_docstring(op: Operation, params: Sequence[Param], indent: int = METHOD_INDENT) -> str:
    """The inside of a method's docstring: summary, description, route, and every argument."""
    pad = " " * indent
    parts = [wrap(op.summary or op.key, indent, first=indent + 3)]
    if op.description and op.description != op.summary:
        parts.append(pad + wrap(op.description, indent, first=indent))
    parts.append(pad + f"``{docstring_body(op.key)}``")
    parts.append(pad + args_section(argument_entries(op, params), indent))
    return "\n\n".join(parts)


def argument_entries(op: Operation, params: Sequence[Param]) -> list[tuple[str, str]]:
    """``(name, text)`` of every argument, in signature order: positional, required, optional, options."""
    positional = [p for p in params if p.location == "path" or p.positional]
    keywords = [p for p in params if not (p.location == "path" or p.positional)]
    ordered = positional + [p for p in keywords if p.required] + [p for p in keywords if not p.required]
    return [(p.py_name, param_text(p, op)) for p in ordered] + [(o, CALL_OPTIONS[o]) for o in call_options(op)]


def iterator_docstring(
    op: Operation, pagination: Pagination, params: Sequence[Param], method: str, indent: int = METHOD_INDENT
) -> str:
    """The inside of an ``iter_*`` method's docstring."""
    pad = " " * indent
    first = "default " + str(pagination.first) if pagination.style == "page" else "default 0"
    summary = f"Every item of every page of ``{method}``, fetched a page at a time as the loop goes."
    where = (
        f"``{pagination.position}`` is where to start ({first}) and ``{pagination.size}`` the page size; "
        f"the other arguments are those of ``{method}``."
    )
    return "\n\n".join(
        [
            wrap(summary, indent, first=indent + 3),
            pad + wrap(where, indent, first=indent),
            pad + args_section(argument_entries(op, params), indent),
        ]
    )


def attribute_doc(wire: str, resource: str, optional: bool) -> str:
    """What an id a resource is built with is: the parameter every one of its calls sends."""
    text = f"The ``{wire}`` of every call of this {resource}."
    return text + " ``None``: left out of the requests." if optional else text


def selector_doc(selects: str) -> str:
    """A selector (``version=``): what the overrides say it selects, and how it travels."""
    return _sentence(selects) + " Sent as query parameters on every call; ``None``: none."


def accessor_docstring(accessor: ResourceAccessor, indent: int = METHOD_INDENT) -> str:
    """The inside of ``client.get_agent``'s (or ``agent.voice``'s) docstring."""
    doc = wrap(accessor.doc or accessor.resource, indent, first=indent + 3)
    if not accessor.params:
        return doc if "\n" not in doc else doc + "\n" + " " * indent
    entries = [(a[0], text) for a, text in zip(accessor.params, accessor.param_docs, strict=False)]
    entries += [(a[0], f"The ``{a[0]}`` of the {accessor.resource}.") for a in accessor.params[len(entries) :]]
    pad = " " * indent
    return doc + "\n\n" + pad + args_section(entries, indent) + "\n" + pad


def rewrap_docstring(lines: list[str], node: ast.AST, offset: int = 0, width: int = LINE_LENGTH) -> list[str]:
    """``lines`` (the source of ``node``, which starts at line ``offset + 1``) with each line of the
    node's docstring that is longer than ``width`` wrapped at its spaces.

    For another tool's output: datamodel-code-generator writes a schema's description on one line.
    Only whitespace inside the docstring changes; a line with a backslash is left alone (a break
    after one would join lines).
    """
    body = getattr(node, "body", None)
    first = body[0] if body else None
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)):
        return lines
    if not isinstance(first.value.value, str):
        return lines
    out = list(lines[: first.lineno - 1 - offset])
    for line in lines[first.lineno - 1 - offset : (first.end_lineno or first.lineno) - offset]:
        if len(line) <= width or "\\" in line:
            out.append(line)
            continue
        lead = " " * (len(line) - len(line.lstrip()))
        out += textwrap.wrap(
            line.strip(),
            width=width,
            initial_indent=lead,
            subsequent_indent=lead,
            break_long_words=False,
            break_on_hyphens=False,
            replace_whitespace=False,
            expand_tabs=False,
        ) or [line]
    return out + list(lines[(first.end_lineno or first.lineno) - offset :])


def paragraphs(texts: Sequence[str], indent: int) -> str:
    """The inside of a class's or property's docstring: each non-empty text a wrapped paragraph.

    More than one line ends with a line break, so the closing quotes stand on their own line.
    """
    pad = " " * indent
    kept = [text for text in texts if text]
    parts = [wrap(text, indent, first=indent + 3 if number == 0 else indent) for number, text in enumerate(kept)]
    body = ("\n\n" + pad).join(parts)
    return body + "\n" + pad if "\n" in body else body
