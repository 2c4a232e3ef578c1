"""GRADE certainty of a ``grade.csv`` row and the reasons for its downgrades.

The rule tables and the arithmetic are :mod:`evsum.rules`' (a base module, which validation
also uses); the judgements themselves (``serious`` and its reason) are curated in
``data/grade.csv``.
"""

from __future__ import annotations

from collections.abc import Mapping

from evsum.rules import DOMAIN_LABELS, DOWNGRADE_STEPS, certainty_after_downgrades
from evsum.vocab import GRADE_DOMAINS


def _level(domain: str, judgement: object) -> str:
    """A domain judgement in the vocabulary; empty means ``not serious``."""
    text = "" if judgement is None or judgement != judgement else str(judgement)
    text = text.strip().lower() or "not serious"
    if text not in DOWNGRADE_STEPS:
        raise ValueError(f"{domain} must be one of {sorted(DOWNGRADE_STEPS)}; got {judgement!r}")
    return text


def grade_certainty(row: Mapping[str, object]) -> str:
    """Certainty of a body of evidence: ``start`` less the downgrades of the five domains.

    A thin wrapper over :func:`certainty_after_downgrades` (which validation
    also uses), for a row as a mapping.

    Parameters
    ----------
    row : mapping
        One row of ``grade.csv``: ``start`` (``high`` or ``low``) and the five domains
        ``risk_of_bias``, ``inconsistency``, ``indirectness``, ``imprecision``,
        ``publication_bias`` (``not serious``, ``serious``, ``very serious``; empty means
        ``not serious``).

    Returns
    -------
    str
        ``high``, ``moderate``, ``low`` or ``very low`` (the floor: further downgrades stay
        ``very low``).

    Raises
    ------
    ValueError
        If ``start`` or a domain judgement is not in the vocabulary.

    References
    ----------
    Schünemann H, Brożek J, Guyatt G, Oxman A (eds). GRADE handbook, 2013, section 5.

    Examples
    --------
    >>> grade_certainty({"start": "high", "risk_of_bias": "serious",
    ...                  "imprecision": "very serious"})
    'very low'
    >>> grade_certainty({"start": "high", "inconsistency": "serious"})
    'moderate'
    """
    start = str(row.get("start", "")).strip().lower()
    if start not in ("high", "low"):
        raise ValueError(f"start must be one of ['high', 'low']; got {row.get('start')!r}")
    levels = [_level(d, row.get(d)) for d in GRADE_DOMAINS]
    return certainty_after_downgrades(start, levels)


def downgrade_reasons(row: Mapping[str, object]) -> list[str]:
    """Reasons for each downgrade of a ``grade.csv`` row, in domain order.

    Each entry reads ``"<Domain> (<judgement>): <reason>"``; domains judged ``not serious`` are
    left out.

    Examples
    --------
    >>> downgrade_reasons({"start": "high", "imprecision": "serious",
    ...                    "imprecision_reason": "One small trial."})
    ['Imprecision (serious): One small trial.']
    """
    reasons = []
    for domain in GRADE_DOMAINS:
        if DOWNGRADE_STEPS[_level(domain, row.get(domain))] == 0:
            continue
        reason = row.get(f"{domain}_reason")
        reason = "" if reason is None or reason != reason else str(reason).strip()
        text = f"{DOMAIN_LABELS[domain]} ({str(row.get(domain)).strip().lower()})"
        reasons.append(f"{text}: {reason}" if reason else f"{text}: no reason recorded")
    return reasons
