"""Labels as they read inside a sentence (imported by the options and the wording alike)."""

from __future__ import annotations

__all__ = ["in_prose"]


def in_prose(label: str) -> str:
    """A label as it reads inside a sentence: ``"Previous immunotherapy"`` ->
    ``"previous immunotherapy"``; a first word in capitals or with a capital after its first
    letter (``ECOG``, ``PD-1``, ``CTCAE``, ``eGFR``) and a proper name followed by a
    capitalized word stay as written.

    >>> in_prose("Previous immunotherapy"), in_prose("ECOG performance status")
    ('previous immunotherapy', 'ECOG performance status')
    """
    first = label.split(" ", 1)[0]
    if len(first) > 1 and any(c.isupper() for c in first[1:]):
        return label
    return label[:1].lower() + label[1:]
