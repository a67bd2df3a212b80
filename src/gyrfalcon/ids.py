"""Ids as the catalogues spell them: the one normalisation every part applies to what a user types.

A pad, port, vehicle, scheme or force-model name is read case-insensitively, with ``_`` and
spaces read as ``-`` (``"Rassvet_Nadir"`` and ``"rassvet nadir"`` are ``rassvet-nadir``).
Layer 0: it imports nothing of the package.

>>> norm_id(" Unity_Nadir ")
'unity-nadir'
>>> norm_id("Progress MS")
'progress-ms'
"""
from __future__ import annotations

__all__ = ["norm_id"]


def norm_id(text) -> str:
    """Normalised id of ``text`` (any value, read as ``str``): stripped, lower case, ``_`` and
    spaces become ``-``."""
    return str(text).strip().lower().replace("_", "-").replace(" ", "-")
