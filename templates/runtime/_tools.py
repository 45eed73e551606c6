"""Client-side tools: Python functions the agent's model may call, run on this machine.

A tool is declared with a name, a description and a JSON schema of its input. The
schema comes from the function's type hints, or from a pydantic model when the function
takes one. The agent sees the declaration (``clientTools`` in the request body); when its
model calls the tool, the stream or ``generate`` runs the function here and continues
the conversation with the result.
"""

from __future__ import annotations

import asyncio
import inspect
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeAlias

import pydantic

from ._encoding import to_jsonable

__all__ = ["ClientTool", "ClientToolsParam", "ToolCall", "ToolOutcome", "client_tool", "toolset"]


@dataclass(frozen=True)
class ClientTool:
    """A function the model may call, with what the model is told about it."""

    name: str
    description: str
    function: Callable[..., Any]
    input_schema: dict[str, Any]
    input_model: type[pydantic.BaseModel] | None = None  # validates the model's arguments
    takes_model: bool = False  # the function takes one argument: the validated model
    output_schema: dict[str, Any] | None = None

    def declaration(self) -> dict[str, Any]:
        """The tool as sent in ``clientTools``."""
        out: dict[str, Any] = {"id": self.name, "description": self.description, "inputSchema": self.input_schema}
        if self.output_schema is not None:
            out["outputSchema"] = self.output_schema
        return out

    def _call(self, args: object) -> Any:
        if self.input_model is None:
            return self.function(**args) if isinstance(args, dict) else self.function(args)
        parsed = self.input_model.model_validate(args if args is not None else {})
        if self.takes_model:
            return self.function(parsed)
        return self.function(**{name: getattr(parsed, name) for name in type(parsed).model_fields})

    def run(self, args: object) -> Any:
        """Call the function from blocking code (an ``async def`` tool gets its own event loop)."""
        result = self._call(args)
        if inspect.isawaitable(result):
            return _run_to_completion(result)
        return result

    async def arun(self, args: object) -> Any:
        """Call the function from asyncio code (a blocking function is called directly)."""
        result = self._call(args)
        if inspect.isawaitable(result):
            result = await result
        return result


async def _awaited(value: Awaitable[Any]) -> Any:
    return await value


def _run_to_completion(value: Awaitable[Any]) -> Any:
    """Run an ``async def`` tool from blocking code, even where an event loop already runs
    (a notebook, or a blocking client used inside async code): then in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_awaited(value))
    import concurrent.futures  # rarely needed: not paid for at import

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _awaited(value)).result()


def client_tool(
    function: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    input_model: type[pydantic.BaseModel] | None = None,
    output_schema: Mapping[str, Any] | None = None,
) -> Any:
    """Declare a Python function as a client-side tool; usable bare or with arguments.

    ``@client_tool`` reads the name from the function, the description from its docstring
    and the input schema from its type hints (or from ``input_model``, or from its single
    pydantic-model parameter)::

        @client_tool
        def change_color(color: str) -> dict[str, bool]:
            \"\"\"Change the background color.\"\"\"
            return {"success": True}
    """

    def make(fn: Callable[..., Any]) -> ClientTool:
        return _tool_from_function(fn, name, description, input_model, output_schema)

    return make(function) if function is not None else make


def _tool_from_function(
    fn: Callable[..., Any],
    name: str | None,
    description: str | None,
    input_model: type[pydantic.BaseModel] | None,
    output_schema: Mapping[str, Any] | None,
) -> ClientTool:
    tool_name = name or getattr(fn, "__name__", "") or type(fn).__name__
    doc = description if description is not None else inspect.getdoc(fn) or ""
    takes_model = False
    if input_model is None:
        input_model, takes_model = _input_model(fn, tool_name)
    else:
        takes_model = True
    return ClientTool(
        name=tool_name,
        description=doc.strip().split("\n\n")[0].strip() or tool_name,
        function=fn,
        input_schema=input_model.model_json_schema(),
        input_model=input_model,
        takes_model=takes_model,
        output_schema=dict(output_schema) if output_schema is not None else None,
    )


def _input_model(fn: Callable[..., Any], tool_name: str) -> tuple[type[pydantic.BaseModel], bool]:
    """The model of the function's arguments; ``True`` when it already takes one model."""
    signature = inspect.signature(fn)
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # unresolvable forward references: fall back to "any"
        hints = {}
    params = [p for p in signature.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if len(params) == 1:
        hint = hints.get(params[0].name)
        if isinstance(hint, type) and issubclass(hint, pydantic.BaseModel):
            return hint, True
    fields: dict[str, Any] = {}
    for p in params:
        default = ... if p.default is inspect.Parameter.empty else p.default
        fields[p.name] = (hints.get(p.name, Any), default)
    model_name = "".join(part[:1].upper() + part[1:] for part in tool_name.replace("-", "_").split("_")) + "Input"
    model: type[pydantic.BaseModel] = pydantic.create_model(model_name, **fields)
    return model, False


ClientToolsParam: TypeAlias = (
    Sequence[ClientTool | Callable[..., Any]] | Mapping[str, ClientTool | Callable[..., Any] | Mapping[str, Any]]
)
"""Client tools as accepted by generated methods: functions, ``ClientTool``s, or a mapping by name."""


def toolset(tools: object) -> dict[str, ClientTool | dict[str, Any]]:
    """Normalize what the caller passed to ``{name: ClientTool}``.

    A plain mapping value that is not callable is a declaration without a function (as
    client-js allows): it is sent to the server, and calls to it end the stream with
    ``finish_reason == "tool-calls"`` for the caller to handle.
    """
    out: dict[str, ClientTool | dict[str, Any]] = {}
    if isinstance(tools, Mapping):
        items: list[tuple[str | None, object]] = [(str(k), v) for k, v in tools.items()]
    elif isinstance(tools, Sequence) and not isinstance(tools, (str, bytes)):
        items = [(None, v) for v in tools]
    else:
        raise TypeError(f"client_tools must be a list of tools or a mapping, got {type(tools).__name__}")
    for key, value in items:
        if isinstance(value, ClientTool):
            tool: ClientTool | dict[str, Any] = value if key is None or key == value.name else replace(value, name=key)
        elif callable(value):
            tool = _tool_from_function(value, key, None, None, None)
        elif isinstance(value, Mapping) and key is not None:
            tool = dict(value)
        else:
            raise TypeError(f"client tool {key or value!r} must be a function, a ClientTool or a declaration mapping")
        name = key if key is not None else tool.name if isinstance(tool, ClientTool) else ""
        if name in out:
            raise ValueError(f"two client tools are named {name!r}")
        out[name] = tool
    return out


def declarations(tools: Mapping[str, ClientTool | dict[str, Any]]) -> dict[str, Any]:
    """The ``clientTools`` body field."""
    return {
        name: tool.declaration() if isinstance(tool, ClientTool) else to_jsonable(tool) for name, tool in tools.items()
    }


@dataclass(frozen=True)
class ToolCall:
    """A call the model made to a client tool."""

    tool_call_id: str
    tool_name: str
    args: Any


@dataclass(frozen=True)
class ToolOutcome:
    """What running a client tool gave: a JSON-able result, or the error it raised."""

    call: ToolCall
    result: Any = None
    error: BaseException | None = None

    @property
    def is_error(self) -> bool:
        return self.error is not None

    def wire_result(self) -> Any:
        if self.error is not None:
            return {"name": type(self.error).__name__, "message": str(self.error)}
        return to_jsonable(self.result)


def run_tool(tool: ClientTool, call: ToolCall) -> ToolOutcome:
    try:
        return ToolOutcome(call, result=tool.run(call.args))
    except Exception as exc:  # the model is told the tool failed, as client-js does
        return ToolOutcome(call, error=exc)


async def arun_tool(tool: ClientTool, call: ToolCall) -> ToolOutcome:
    try:
        return ToolOutcome(call, result=await tool.arun(call.args))
    except Exception as exc:
        return ToolOutcome(call, error=exc)
