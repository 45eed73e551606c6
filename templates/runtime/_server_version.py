"""Is the server the one this client was generated from? (``GET /api/system/packages``)

Mastra releases several times a week and each release may add, remove or
reshape routes. A client generated from one server version mostly works with
the next, but when it does not, the first symptom is an odd validation error
far from the cause. The check names the cause: which ``@mastra/*`` packages
differ from the ones recorded at generation time.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PACKAGES_PATH = "/system/packages"


class ServerVersionWarning(UserWarning):
    """The server runs other Mastra package versions than the client was generated from."""


@dataclass(frozen=True)
class ServerVersionCheck:
    """The packages recorded at generation time against the ones the server reports."""

    expected: Mapping[str, str]
    actual: Mapping[str, str]
    base_url: str = ""
    differences: Mapping[str, tuple[str, str | None]] = field(init=False)

    def __post_init__(self) -> None:
        diff = {
            name: (version, self.actual.get(name))
            for name, version in sorted(self.expected.items())
            if self.actual.get(name) != version
        }
        object.__setattr__(self, "differences", diff)

    @property
    def matches(self) -> bool | None:
        """``True`` or ``False``; ``None`` when there is nothing to compare.

        Nothing to compare: the client was generated from a file without recorded
        versions, or the server lists no packages (it was not started by ``mastra dev``
        or ``mastra build``).
        """
        if not self.expected or not self.actual:
            return None
        return not self.differences

    def __str__(self) -> str:
        if self.matches is None:
            missing = "the client records no package versions" if not self.expected else "the server lists none"
            return f"server version not checked: {missing}"
        if self.matches:
            return f"the server at {self.base_url} runs the package versions this client was generated from"
        parts = [f"{name} {want} (server: {got or 'absent'})" for name, (want, got) in self.differences.items()]
        return (
            f"the server at {self.base_url} differs from the one this client was generated from: "
            + ", ".join(parts)
            + "; regenerate the client from this server's spec to match it"
        )


def parse_packages(answer: Any) -> dict[str, str]:
    """``{"packages": [{"name", "version"}, ...]}`` as ``{name: version}``; anything else gives ``{}``."""
    items = answer.get("packages") if isinstance(answer, Mapping) else None
    out: dict[str, str] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str) and isinstance(item.get("version"), str):
            out[item["name"]] = item["version"]
    return out


_warned: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
_warned_lock = threading.Lock()


def warn_once(check: ServerVersionCheck) -> None:
    """One ``ServerVersionWarning`` per server and recorded versions, per process."""
    if check.matches is not False:
        return
    key = (check.base_url, tuple(sorted(check.expected.items())))
    with _warned_lock:
        if key in _warned:
            return
        _warned.add(key)
    warnings.warn(str(check), ServerVersionWarning, stacklevel=4)
