"""What every generated package in the tests must survive: a full import.

Used in-process (tests/ is on ``sys.path``: pytest puts the folder of the root conftest
there) and by tests that import a package in a fresh interpreter (``PYTHONPATH=tests``).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def import_everything(package: str) -> ModuleType:
    """Import ``package`` and every module under it, and complete every model.

    Models that pydantic left incomplete (forward references) are rebuilt with errors raised,
    so an annotation that resolves nowhere fails here rather than on first use.
    """
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        importlib.import_module(info.name)
    models = importlib.import_module(package + ".models")
    for name in models.__all__:
        cls = getattr(models, name)
        if hasattr(cls, "model_rebuild") and not cls.__pydantic_complete__:
            cls.model_rebuild(raise_errors=True)
    return root
