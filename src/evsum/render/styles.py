"""A page's style sheets once each.

Every block evsum displays carries its own ``<style>`` (``present/templates/block.css``, the
summary of findings' ``sof.css``), so that a block looks the same wherever it is shown. On a
report page the copies after the first add bytes and nothing else: a style sheet applies to
the whole document wherever it stands. The page keeps the first copy of each.
"""

from __future__ import annotations

import re

_STYLE = re.compile(r"<style\b([^>]*)>(.*?)</style>\s*", re.S | re.I)


def drop_repeated_styles(page: str) -> str:
    """``page`` with each ``<style>`` element that repeats an earlier one (the same
    attributes, the same text) left out.

    Examples
    --------
    >>> drop_repeated_styles("<style>a{}</style><p>1</p><style>a{}</style><style>b{}</style>")
    '<style>a{}</style><p>1</p><style>b{}</style>'
    """
    seen: set[tuple[str, str]] = set()

    def keep_first(match: re.Match[str]) -> str:
        key = (match.group(1).strip(), match.group(2).strip())
        if key in seen:
            return ""
        seen.add(key)
        return match.group(0)

    return _STYLE.sub(keep_first, page)
