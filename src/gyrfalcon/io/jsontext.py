"""JSON as the standard has it: no NaN or Infinity literals (``json.dumps`` writes them by
default; strict readers such as JavaScript's ``JSON.parse`` refuse them).

>>> json_text({"p50_s": float("nan"), "runs": [1.5, float("inf")]})
'{"p50_s": null, "runs": [1.5, null]}'
"""
from __future__ import annotations

import json
import math


def finite_or_null(obj):
    """``obj`` with every non-finite float (NaN, +-inf: no value) replaced by None, recursively
    through dicts, lists and tuples (tuples become lists, as JSON has them)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite_or_null(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_or_null(v) for v in obj]
    return obj


def json_text(obj, **kwargs) -> str:
    """``json.dumps`` of ``obj`` with no value written as null (``allow_nan=False`` guards the rest)."""
    return json.dumps(finite_or_null(obj), allow_nan=False, **kwargs)
