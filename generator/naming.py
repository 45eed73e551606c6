"""Pure helpers that turn spec words into Python identifiers."""

from __future__ import annotations

import hashlib
import keyword
import re
import unicodedata

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")

# Names a generated module already uses for its own imports or that would shadow builtins
# a model module needs; a class called ``Field`` would break ``Field(...)`` below it.
RESERVED_CLASS_NAMES = frozenset(
    {
        "Any",
        "AwareDatetime",
        "BaseModel",
        "ConfigDict",
        "Field",
        "Literal",
        "RootModel",
        "Optional",
        "Union",
        "List",
        "Dict",
        "Annotated",
        "datetime",
        "date",
        "Enum",
        "Model",
        "Json",
        "TypeAdapter",
        "StrictStr",
        "Decimal",
        "UUID",
        "AnyUrl",
        "EmailStr",
        "OpenEnum",  # the runtime's marker of open enums (open_enums.py)
    }
)


def ascii_words(text: str) -> list[str]:
    """Split any text (camelCase, kebab-case, spaces, accents) into ASCII words."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _WORD.findall(folded)


# Hard keywords only, and the same on every Python the output supports: soft keywords
# (``match``, ``case``, ``type``) are valid names, and their list grows with each release,
# which would make the output depend on the Python that generated it.
_HARD_KEYWORDS = frozenset(keyword.kwlist)


def snake(text: str) -> str:
    """``agentId`` -> ``agent_id``; always a valid, non-keyword identifier."""
    words = [w.lower() for w in ascii_words(text)]
    name = "_".join(words) or "value"
    if name[0].isdigit():
        name = "n_" + name
    if name in _HARD_KEYWORDS:
        name += "_"
    return name


def pascal(text: str) -> str:
    """``memory-threads`` -> ``MemoryThreads``; keeps inner capitals of ``runId``."""
    words = ascii_words(text)
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Value"
    if name[0].isdigit():
        name = "N" + name
    return name


def singular(word: str) -> str:
    """A small English singularizer: enough for REST collection names."""
    lower = word.lower()
    if lower.endswith(("series", "species", "status", "news")):
        return word
    if lower.endswith("ies") and len(word) > 4:
        return word[:-3] + ("Y" if word[-3].isupper() else "y")
    if lower.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is", "ics")) and len(word) > 3:
        return word[:-1]
    return word


def safe_class_name(name: str) -> str:
    """A class name that cannot shadow what model modules import, nor be a keyword (``None``)."""
    return name + "Model" if name in RESERVED_CLASS_NAMES or name in _HARD_KEYWORDS else name


def iterator_name(method: str) -> str:
    """The ``iter_*`` method walking the pages of a list method: ``list_threads`` -> ``iter_threads``."""
    for verb in ("list_", "get_"):
        if method.startswith(verb) and len(method) > len(verb):
            return f"iter_{method[len(verb) :]}"
    return f"iter_{method}"


# Group names become file names (resources/<name>.py, models/<name>.py): file systems take
# 255 bytes, and a long name is unreadable long before that.
MAX_MODULE_NAME = 64


def bounded(name: str, limit: int = MAX_MODULE_NAME) -> str:
    """``name`` if it is short enough, else its start plus a hash of the whole (deterministic,
    and two long names that share a start stay apart)."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return name[: limit - 9].rstrip("_") + "_" + digest


def is_python_name(value: object) -> bool:
    """A name usable as written for a class, attribute, argument or module (not ``class``)."""
    return isinstance(value, str) and value.isidentifier() and value not in _HARD_KEYWORDS
