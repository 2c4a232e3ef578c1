"""The rules of GRADE and of the risk-of-bias tools: tables and the arithmetic they define.

A base module (like :mod:`evsum.vocab`, it imports no layer): validation (``evsum.ingest``)
checks curated judgements against these rules and the statistics and reports
(``evsum.stats.grade``, ``evsum.present``) use them, so the rules are written once.

GRADE certainty: the starting level less one level per step of downgrading (GRADE handbook,
section 5). Only the arithmetic lives here; the judgements themselves (``serious`` and its
reason) are curated in ``data/grade.csv``.

Overall risk-of-bias judgements derived from the domain judgements, as the tools define them.

RoB 2 (Sterne et al. 2019, BMJ 366:l4898, Table 2 "Reaching an overall risk-of-bias judgement
for a specific outcome"), also in its variant for crossover trials (the extra domain S, "bias
arising from period and carryover effects", counts as any other domain):

- low: "low risk of bias for all domains for this result";
- some concerns: "some concerns in at least one domain ..., but not ... high risk of bias for
  any domain";
- high: "high risk of bias in at least one domain", or "some concerns for multiple domains in a
  way that substantially lowers confidence in the result". The second is the reviewer's
  judgement: here it is an explicit *escalation* that must carry its reason, and is allowed
  only where at least two domains have some concerns and none is high.

ROBINS-I (Sterne et al. 2016, BMJ 355:i4919, Table 3): critical if any domain is critical;
serious if any is serious (none critical); no information if information is lacking in a domain
and no domain is serious or critical; moderate if every domain is low or moderate; low if all
are low.
"""

from __future__ import annotations

from collections.abc import Mapping

from evsum.vocab import GRADE_CERTAINTY, ROB_JUDGEMENTS, ROB_TOOLS

# --- GRADE --------------------------------------------------------------------------------

#: Levels one judgement downgrades by (GRADE handbook, section 5).
DOWNGRADE_STEPS: dict[str, int] = {"not serious": 0, "serious": 1, "very serious": 2}

#: How each GRADE domain is named in tables and footnotes.
DOMAIN_LABELS: dict[str, str] = {
    "risk_of_bias": "Risk of bias",
    "inconsistency": "Inconsistency",
    "indirectness": "Indirectness",
    "imprecision": "Imprecision",
    "publication_bias": "Publication bias",
}


def certainty_after_downgrades(start: str, levels: list[str]) -> str:
    """GRADE arithmetic: ``start`` less one level per ``serious``, two per ``very serious``.

    The result never goes below ``very low``.

    Examples
    --------
    >>> certainty_after_downgrades("high", ["serious", "not serious", "very serious"])
    'very low'
    """
    steps = sum(DOWNGRADE_STEPS[level] for level in levels)
    return GRADE_CERTAINTY[min(GRADE_CERTAINTY.index(start) + steps, len(GRADE_CERTAINTY) - 1)]


# --- risk of bias -------------------------------------------------------------------------


#: Tools whose overall judgement follows the RoB 2 algorithm.
ROB2_TOOLS: frozenset[str] = frozenset(t for t in ROB_TOOLS if t.startswith("RoB 2"))


def _domains(tool: str, domains: Mapping[str, str]) -> dict[str, str]:
    if tool not in ROB_TOOLS:
        raise ValueError(f"tool must be one of {sorted(ROB_TOOLS)}; got {tool!r}")
    expected = [d for d in ROB_TOOLS[tool] if d != "overall"]
    given = {d: j for d, j in domains.items() if d != "overall"}
    missing = [d for d in expected if d not in given]
    extra = sorted(set(given) - set(expected))
    if missing or extra:
        raise ValueError(
            f"{tool} needs a judgement for each of {expected}; "
            f"missing {missing}, unexpected {extra}"
        )
    bad = {d: j for d, j in given.items() if j not in ROB_JUDGEMENTS[tool]}
    if bad:
        raise ValueError(
            f"{tool} judgements must be one of {list(ROB_JUDGEMENTS[tool])}; got {bad}"
        )
    return given


def can_escalate(tool: str, domains: Mapping[str, str]) -> bool:
    """Whether RoB 2 allows judging this pattern high for several domains with some concerns.

    True for RoB 2 tools when no domain is high and at least two have some concerns.
    """
    given = _domains(tool, domains)
    if tool not in ROB2_TOOLS:
        return False
    values = list(given.values())
    return "high" not in values and values.count("some concerns") >= 2


def overall_judgement(tool: str, domains: Mapping[str, str], *, escalate: bool = False) -> str:
    """The overall risk-of-bias judgement of one result from its domain judgements.

    Parameters
    ----------
    tool : str
        ``"RoB 2"``, ``"RoB 2 crossover"`` or ``"ROBINS-I"``.
    domains : mapping
        Domain code -> judgement, one for every domain of the tool (an ``"overall"`` key is
        ignored).
    escalate : bool
        RoB 2 only: the reviewer judges that the domains with some concerns together
        "substantially lower confidence in the result", so the overall judgement is high.

    Returns
    -------
    str
        The overall judgement in the tool's vocabulary.

    Raises
    ------
    ValueError
        Unknown tool, missing or unknown domains or judgements; ``escalate`` where the
        pattern does not allow it (a ROBINS-I tool, a domain already high, or fewer than two
        domains with some concerns).

    References
    ----------
    Sterne JAC, Savović J, Page MJ, et al. RoB 2: a revised tool for assessing risk of bias in
    randomised trials. BMJ 2019;366:l4898. Sterne JAC, Hernán MA, Reeves BC, et al.
    ROBINS-I: a tool for assessing risk of bias in non-randomised studies of interventions.
    BMJ 2016;355:i4919.

    Examples
    --------
    >>> overall_judgement("RoB 2", {"D1": "low", "D2": "some concerns", "D3": "low",
    ...                             "D4": "low", "D5": "low"})
    'some concerns'
    """
    given = _domains(tool, domains)
    values = set(given.values())
    if escalate and not can_escalate(tool, given):
        raise ValueError(
            f"escalation to high applies only to RoB 2 results with some "
            f"concerns in two or more domains and none high; got {given}"
        )
    if tool in ROB2_TOOLS:
        if "high" in values or escalate:
            return "high"
        return "some concerns" if "some concerns" in values else "low"
    for level in ("critical", "serious", "no information", "moderate"):
        if level in values:
            return level
    return "low"
