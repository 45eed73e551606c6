"""Walking the pages of a list operation (``iter_*`` methods), sync and async alike.

The generated ``iter_*`` method asks for one page at a time and hands each answer to a
``Pager``, which knows no I/O: it returns the page's items and decides whether there is a
next page and where it starts. It stops on the first of: an empty page, ``hasMore`` false,
as many items as the ``total`` the server announced, a page shorter than the page size,
or a page identical to the one before (a server that ignores the page parameter).
"""

from __future__ import annotations

import functools
from typing import Any

import pydantic

from ._types import NotGiven

__all__ = ["Pager", "field_value"]

_MISSING = object()
_HAS_MORE = ("hasMore", "has_more")
_TOTAL = ("total", "totalCount", "total_count")
_SIZE = ("perPage", "per_page", "pageSize", "page_size", "limit")
_NESTED = ("pagination", "meta", "page_info", "pageInfo")


@functools.lru_cache(maxsize=1024)
def _attribute_for(cls: type[pydantic.BaseModel], wire: str) -> str | None:
    for name, info in cls.model_fields.items():
        if info.alias == wire or name == wire:
            return name
    return None


def field_value(value: Any, wire: str) -> Any:
    """The field named ``wire`` on the server (its JSON name) of a model or a dict, or ``_MISSING``."""
    if isinstance(value, dict):
        return value.get(wire, _MISSING)
    if isinstance(value, pydantic.BaseModel):
        name = _attribute_for(type(value), wire)
        if name is not None:
            return getattr(value, name)
        extra = value.model_extra or {}
        return extra.get(wire, _MISSING)
    return _MISSING


def _first(value: Any, names: tuple[str, ...]) -> Any:
    """The first of ``names`` found on the page, or in its ``pagination`` object."""
    holders = [value]
    for nested in _NESTED:
        inner = field_value(value, nested)
        if inner is not _MISSING and inner is not None:
            holders.append(inner)
    for holder in holders:
        for name in names:
            found = field_value(holder, name)
            if found is not _MISSING and found is not None:
                return found
    return _MISSING


class Pager:
    """Position and end of a walk over pages; ``take`` each page as it arrives."""

    def __init__(self, style: str, start: object, first: int, size: object, items: str | None) -> None:
        self.style = style  # page | offset
        self.position: int = first if isinstance(start, NotGiven) or start is None else int(start)  # type: ignore[call-overload]
        self.size: int | None = None if isinstance(size, NotGiven) or size is None else int(size)  # type: ignore[call-overload]
        self.first = first
        self.items = items
        self.done = False
        self.seen = 0
        self._previous: list[Any] | None = None

    def take(self, page: Any) -> list[Any]:
        """The items of ``page``; moves to the next page or marks the walk done."""
        items = self._items(page)
        if not items or items == self._previous:
            self.done = True
            return [] if items == self._previous else items
        self._previous = items
        self.seen += len(items)
        has_more = _first(page, _HAS_MORE)
        if isinstance(has_more, bool):
            self.done = not has_more
        else:
            self.done = self._looks_last(page, len(items))
        self.position += 1 if self.style == "page" else len(items)
        return items

    def _items(self, page: Any) -> list[Any]:
        value = page if self.items is None else field_value(page, self.items)
        return list(value) if isinstance(value, (list, tuple)) else []

    def _looks_last(self, page: Any, count: int) -> bool:
        size = self.size
        if size is None:
            announced = _first(page, _SIZE)
            size = (
                announced if isinstance(announced, int) and not isinstance(announced, bool) and announced > 0 else None
            )
        total = _first(page, _TOTAL)
        if isinstance(total, int) and not isinstance(total, bool):
            if self.style == "offset":
                return self.position + count >= total
            if size is not None:
                return (self.position - self.first + 1) * size >= total
            return self.seen >= total
        return size is not None and count < size
