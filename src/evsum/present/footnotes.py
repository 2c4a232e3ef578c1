"""Lettered footnotes of a table: each note once, marked ``a``, ``b``, … in order of use."""

from __future__ import annotations


def footnote_mark(footnotes: list[str], note: str) -> str:
    """The letter of footnote ``note``, appended to ``footnotes`` when it is new.

    Examples
    --------
    >>> notes: list[str] = []
    >>> [footnote_mark(notes, n) for n in ("low n", "no blinding", "low n")]
    ['a', 'b', 'a']
    """
    if note not in footnotes:
        footnotes.append(note)
    return chr(ord("a") + footnotes.index(note))
