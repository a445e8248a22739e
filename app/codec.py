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
from typing import Any, Callable, TypeVar

T = TypeVar("T")


_PLAIN = (str, int, float, bool, type(None))


@lru_cache(maxsize=None)
def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def to_dict(obj: Any) -> Any:
    """The JSON-ready form of a dataclass (recursively); omits None and empty lists."""
    if isinstance(obj, _PLAIN) and not isinstance(obj, enum.Enum):
        return obj
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        for name in _names(type(obj)):
            value = getattr(obj, name)
            if value is None or value == [] or value == {}:
                continue
            out[name] = to_dict(value)
        return out
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (datetime, date, time)):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


def dumps(obj: Any) -> str:
    return json.dumps(to_dict(obj), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _identity(value: Any) -> Any:
    return value


@lru_cache(maxsize=None)
def _converter(tp: Any) -> Callable[[Any], Any]:
    """A function turning JSON data into a value of type ``tp`` (built once per type: loading
    records is on the hot path of search and the chart)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _converter(args[0]) if len(args) == 1 else _identity
    if origin in (list, tuple):
        (inner, *_) = typing.get_args(tp) or (Any,)
        each = _converter(inner)
        if each is _identity:
            return list
        return lambda value: [each(v) if v is not None else None for v in value]
    if origin is dict:
        return dict
    if tp is Any or not isinstance(tp, type):
        return _identity
    if dataclasses.is_dataclass(tp):
        return lambda value: from_dict(tp, value)
    if issubclass(tp, enum.Enum):
        return tp
    return {datetime: datetime.fromisoformat, date: date.fromisoformat, time: time.fromisoformat,
            Decimal: Decimal}.get(tp, _identity)


def _convert(tp: Any, value: Any) -> Any:
    return None if value is None else _converter(tp)(value)


@lru_cache(maxsize=None)
def _fields(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    hints = _hints(cls)
    return tuple((f.name, _converter(hints[f.name])) for f in dataclasses.fields(cls) if f.init)


def from_dict(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a dataclass from :func:`to_dict` output; unknown keys are ignored."""
    kwargs = {}
    for name, convert in _fields(cls):
        if name in data:
            value = data[name]
            kwargs[name] = None if value is None else convert(value)
    return cls(**kwargs)


def loads(cls: type[T], text: str) -> T:
    return from_dict(cls, json.loads(text))
