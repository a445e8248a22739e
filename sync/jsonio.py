"""FHIR JSON in and out with decimals kept exact.

FHIR decimals carry their precision ("40.00" is not "40.0"), so numbers with a
fraction are read as ``Decimal`` and written back with the same digits.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

_MARK = "\ue000dec:"  # a private-use character: never in real data, never escaped
_MARKED = re.compile('"' + _MARK + r'(-?[0-9.Ee+-]+)"')


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _MARK + (str(value) if value.is_finite() else "0")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(data: Any) -> str:
    """Compact JSON text; Decimals are written as JSON numbers with their own digits."""
    text = json.dumps(data, default=_default, ensure_ascii=False, separators=(",", ":"))
    return _MARKED.sub(r"\1", text) if _MARK in text else text


def loads(text: str | bytes) -> Any:
    """Parse JSON; numbers with a fraction or exponent become Decimals."""
    return json.loads(text, parse_float=Decimal)
