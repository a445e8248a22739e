"""Turn domain dataclasses into JSON-ready dicts and back.

The store keeps each record's full domain form as JSON next to a few indexed
columns; this module is the only place that knows how. Dates, datetimes and
Decimals round-trip exactly (Decimals as strings, never floats).
"""
from __future__ import annotations

import dataclasses
import enum
import json
import types
import typing
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

T = TypeVar("T")


def to_dict(obj: Any) -> Any:
    """The JSON-ready form of a dataclass (recursively); omits None and empty lists."""
    if dataclasses.is_dataclass(obj):
        out = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if value is None or value == [] or value == {}:
                continue
            out[f.name] = to_dict(value)
        return out
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, (date, time)):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


def dumps(obj: Any) -> str:
    return json.dumps(to_dict(obj), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _convert(args[0], value) if len(args) == 1 else value
    if origin in (list, tuple):
        (inner, *_) = typing.get_args(tp) or (Any,)
        return [_convert(inner, v) for v in value]
    if origin is dict:
        return dict(value)
    if tp is Any:
        return value
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp):
            return from_dict(tp, value)
        if issubclass(tp, enum.Enum):
            return tp(value)
        if tp is datetime:
            return datetime.fromisoformat(value)
        if tp is date:
            return date.fromisoformat(value)
        if tp is time:
            return time.fromisoformat(value)
        if tp is Decimal:
            return Decimal(value)
    return value


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a dataclass from :func:`to_dict` output; unknown keys are ignored."""
    hints = _hints(cls)
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in data and f.init:
            kwargs[f.name] = _convert(hints[f.name], data[f.name])
    return cls(**kwargs)


def loads(cls: type[T], text: str) -> T:
    return from_dict(cls, json.loads(text))
