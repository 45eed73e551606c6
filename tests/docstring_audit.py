"""Measure the docstrings of a generated package: which parameters an ``Args:`` section documents.

Used by tests/unit/test_docstrings.py (and by hand: ``python tests/docstring_audit.py DIR PACKAGE``
prints the share). Every public method of the package's own classes is looked at: the sync and
async clients, every area class (``resources/*.py``) and every facade (``_resources``,
``_group_facades``); a method inherited from the runtime is the runtime's business.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import pkgutil
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from mastra_codegen.docstrings import LINE_LENGTH

_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
# [tool.ruff] line-length (read without tomllib, which Python 3.10 lacks)
PROJECT_LINE_LENGTH = int(re.findall(r"^line-length\s*=\s*(\d+)", _PYPROJECT.read_text(encoding="utf-8"), re.M)[0])

_ARG_LINE = re.compile(r"^(\s*)(\*{0,2}[A-Za-z_][A-Za-z0-9_]*)(\s*\([^)]*\))?:(\s|$)")
_SECTION = re.compile(r"^\s*[A-Z][A-Za-z ]*:\s*$")


@dataclass
class Audit:
    """What was found: every (method, parameter) and the ones an Args section lacks."""

    parameters: int = 0
    undocumented: list[str] = field(default_factory=list)
    long_lines: list[str] = field(default_factory=list)
    docstrings: dict[str, str] = field(default_factory=dict)  # qualified name -> docstring (classes too)

    @property
    def share(self) -> float:
        return 1.0 if not self.parameters else 1 - len(self.undocumented) / self.parameters


def documented_args(doc: str) -> set[str]:
    """The names an ``Args:`` section (Google style) lists: ``name: text`` one level in."""
    names: set[str] = set()
    lines = inspect.cleandoc(doc).splitlines()
    inside = False
    indent: int | None = None
    for line in lines:
        if line.strip() == "Args:":
            inside, indent = True, None
            continue
        if not inside:
            continue
        if not line.strip():
            continue
        width = len(line) - len(line.lstrip())
        if width == 0 and _SECTION.match(line):
            inside = False
            continue
        if width == 0:
            inside = False
            continue
        match = _ARG_LINE.match(line)
        if match and (indent is None or width == indent):
            indent = width
            names.add(match.group(2).lstrip("*"))
    return names


def package_classes(package: ModuleType) -> Iterator[type]:
    """The classes the package's own modules define (not the runtime's, not the models)."""
    prefix = package.__name__ + "."
    names = [prefix + "_client", prefix + "_resources"]
    if importlib.util.find_spec(prefix + "_group_facades") is not None:
        names.append(prefix + "_group_facades")
    resources = importlib.import_module(prefix + "resources")
    names += [prefix + "resources." + m.name for m in pkgutil.iter_modules(resources.__path__)]
    for name in names:
        module = importlib.import_module(name)
        for _, cls in sorted(vars(module).items()):
            if inspect.isclass(cls) and cls.__module__ == module.__name__:
                yield cls


def audit_package(package_name: str, width: int = LINE_LENGTH) -> Audit:
    """Audit the importable package ``package_name``."""
    package = importlib.import_module(package_name)
    out = Audit()
    seen: set[tuple[str, str]] = set()
    for cls in package_classes(package):
        qualified = f"{cls.__module__}.{cls.__qualname__}"
        out.docstrings[qualified] = cls.__doc__ or ""
        for name, member in sorted(vars(cls).items()):
            if name.startswith("_") or not inspect.isfunction(member) or (qualified, name) in seen:
                continue
            seen.add((qualified, name))
            doc = member.__doc__ or ""
            out.docstrings[f"{qualified}.{name}"] = doc
            documented = documented_args(doc)
            for param in list(inspect.signature(member).parameters)[1:]:
                out.parameters += 1
                if param not in documented:
                    out.undocumented.append(f"{qualified}.{name}({param})")
    out.long_lines = long_docstring_lines(package, width)
    return out


def long_docstring_lines(package: ModuleType, width: int = LINE_LENGTH) -> list[str]:
    """``file:line`` of every docstring line of the package longer than ``width`` that could wrap.

    A line that is one word after its indentation (a URL) cannot, and is not counted. The runtime
    (``_runtime/``) is the project's own source, copied: its lines are held to the project's line
    length (pyproject.toml), not to the generated code's.
    """
    out: list[str] = []
    root = Path(package.__file__ or "").parent
    for path in sorted(root.rglob("*.py")):
        limit = PROJECT_LINE_LENGTH if path.parent.name == "_runtime" else width
        source = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(source))):
            if not isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            first = node.body[0] if node.body else None
            if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)):
                continue
            if not isinstance(first.value.value, str):
                continue
            for number in range(first.lineno, (first.end_lineno or first.lineno) + 1):
                line = source[number - 1]
                words = line.strip().strip('"').split()
                if len(line) > limit and len(words) > 1:
                    out.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return out


if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1])
    result = audit_package(sys.argv[2])
    print(f"{result.parameters} parameters, {len(result.undocumented)} undocumented, share {result.share:.1%}")
    print(f"{len(result.long_lines)} long docstring lines")
    for item in result.undocumented[: int(sys.argv[3]) if len(sys.argv) > 3 else 0]:
        print("  ", item)
