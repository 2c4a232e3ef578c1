"""Bidi controls closed per value: a right-to-left override in one value (an author's name, a
protocol's words) must not reorder what a page or a sentence shows after it."""

from __future__ import annotations

_BIDI_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO, closed by PDF
_BIDI_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI, closed by PDI


def close_bidi(text: str) -> str:
    """``text`` with every bidi embedding, override or isolate it opens closed at its end.

    A right-to-left override (U+202E) in a value would otherwise reorder whatever the page
    shows after it (the year beside an author, the next co-author, the next cell). Surplus
    closing marks are ignored by the Unicode bidi algorithm (UAX #9), so closing is always
    safe; only what is still open at the end is closed. The template environment applies it
    to every value it prints.

    Examples
    --------
    >>> close_bidi("\u202eabc") == "\u202eabc\u202c"
    True
    >>> close_bidi("\u202eabc\u202c, d") == "\u202eabc\u202c, d"
    True
    """
    embeddings = isolates = 0
    for char in text:
        if char in _BIDI_EMBEDDINGS:
            embeddings += 1
        elif char == "\u202c":
            embeddings = max(embeddings - 1, 0)
        elif char in _BIDI_ISOLATES:
            isolates += 1
        elif char == "\u2069":
            isolates = max(isolates - 1, 0)
    return text + "\u202c" * embeddings + "\u2069" * isolates
