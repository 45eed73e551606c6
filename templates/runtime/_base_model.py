"""The base classes of every generated model: pydantic's, plus the value in its wire form.

``to_dict()`` and ``to_json()`` give what the server sent (or would be sent): wire names
(``runId``, not ``run_id``), only the fields that were set (a field the server left out
stays out, instead of coming back as ``null``), and every unknown field the model kept
(``extra="allow"``). A model built leniently from an answer that did not fit its type keeps
the wire values it could not validate; they are written back as they came, without the
serialization warnings pydantic would print for them.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

import pydantic

__all__ = ["BaseModel", "RootModel"]

_RootT = TypeVar("_RootT")


class BaseModel(pydantic.BaseModel):
    """A pydantic model with ``to_dict()`` and ``to_json()`` in wire form."""

    def to_dict(
        self,
        *,
        mode: Literal["python", "json"] = "python",
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        warnings: bool = False,
    ) -> dict[str, Any]:
        """The model as a dict, nested models included.

        Args:
            mode: ``"python"`` keeps Python values (``datetime``); ``"json"`` gives only JSON
                types (a date-time as its ISO string), ready for ``json.dumps``.
            use_api_names: Keys as on the wire (``runId``); ``False``: the Python names.
            exclude_unset: Leave out the fields that were not set (not sent by the server,
                not passed when built).
            exclude_defaults: Leave out the fields whose value is their default.
            exclude_none: Leave out the fields whose value is ``None``.
            warnings: Let pydantic warn about values that do not fit their field (a model
                built leniently holds such values on purpose).
        """
        return self.model_dump(
            mode=mode,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
            warnings=warnings,
        )

    def to_json(
        self,
        *,
        indent: int | None = 2,
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        warnings: bool = False,
    ) -> str:
        """The model as JSON text: the same content as ``to_dict(mode="json")``.

        Args:
            indent: Spaces per level; ``None`` for one compact line.
            use_api_names: Keys as on the wire (``runId``); ``False``: the Python names.
            exclude_unset: Leave out the fields that were not set.
            exclude_defaults: Leave out the fields whose value is their default.
            exclude_none: Leave out the fields whose value is ``None``.
            warnings: Let pydantic warn about values that do not fit their field.
        """
        return self.model_dump_json(
            indent=indent,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
            warnings=warnings,
        )


class RootModel(pydantic.RootModel[_RootT], Generic[_RootT]):
    """A pydantic root model (a list, a union, an enum) with the same two methods.

    Its value is not always an object, so ``to_dict()`` returns what the root holds in wire
    form: a list, a dict or a scalar.
    """

    def to_dict(
        self,
        *,
        mode: Literal["python", "json"] = "python",
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        warnings: bool = False,
    ) -> Any:
        """The root value, nested models in wire form (see ``BaseModel.to_dict``)."""
        return self.model_dump(
            mode=mode,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
            warnings=warnings,
        )

    def to_json(
        self,
        *,
        indent: int | None = 2,
        use_api_names: bool = True,
        exclude_unset: bool = True,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        warnings: bool = False,
    ) -> str:
        """The root value as JSON text (see ``BaseModel.to_json``)."""
        return self.model_dump_json(
            indent=indent,
            by_alias=use_api_names,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
            warnings=warnings,
        )
