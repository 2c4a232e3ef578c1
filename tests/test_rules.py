"""Overall risk-of-bias judgements against the tools' published algorithms.

RoB 2: Sterne et al. 2019, BMJ 366:l4898, Table 2 ("Reaching an overall risk-of-bias
judgement for a specific outcome"): "Low risk of bias: the trial is judged to be at low risk of
bias for all domains for this result. Some concerns: the trial is judged to raise some concerns
in at least one domain for this result, but not to be at high risk of bias for any domain. High
risk of bias: the trial is judged to be at high risk of bias in at least one domain for this
result, or the trial is judged to have some concerns for multiple domains in a way that
substantially lowers confidence in the result." The variant for crossover trials adds domain S
("bias arising from period and carryover effects") under the same rule.

ROBINS-I: Sterne et al. 2016, BMJ 355:i4919, Table 3: low = low in all domains; moderate = low
or moderate in all domains; serious = serious in at least one domain, but not critical in any;
critical = critical in at least one domain; no information = no clear indication of serious or
critical risk and a lack of information in one or more key domains.
"""

import itertools

import pytest

from evsum.rules import can_escalate, overall_judgement
from evsum.vocab import ROB_JUDGEMENTS, ROB_TOOLS

RCT = ("D1", "D2", "D3", "D4", "D5")


def _all(tool, judgement, **override):
    domains = {d: judgement for d in ROB_TOOLS[tool] if d != "overall"}
    domains.update(override)
    return domains


@pytest.mark.parametrize("tool", ["RoB 2", "RoB 2 crossover"])
def test_rob2_low_only_if_every_domain_is_low(tool):
    assert overall_judgement(tool, _all(tool, "low")) == "low"
    for domain in [d for d in ROB_TOOLS[tool] if d != "overall"]:
        assert (
            overall_judgement(tool, _all(tool, "low", **{domain: "some concerns"}))
            == "some concerns"
        )
        assert overall_judgement(tool, _all(tool, "low", **{domain: "high"})) == "high"


def test_rob2_every_pattern_follows_the_table():
    # All 3^5 patterns: any high -> high; else any some concerns -> some concerns; else low.
    for pattern in itertools.product(ROB_JUDGEMENTS["RoB 2"], repeat=5):
        domains = dict(zip(RCT, pattern, strict=True))
        expected = (
            "high"
            if "high" in pattern
            else "some concerns"
            if "some concerns" in pattern
            else "low"
        )
        assert overall_judgement("RoB 2", domains) == expected, pattern


def test_crossover_domain_s_counts_like_any_other():
    domains = _all("RoB 2 crossover", "low", DS="high")
    assert overall_judgement("RoB 2 crossover", domains) == "high"
    with pytest.raises(ValueError, match="missing \\['DS'\\]"):
        overall_judgement("RoB 2 crossover", _all("RoB 2", "low"))


def test_escalation_needs_several_domains_with_some_concerns():
    # "some concerns for multiple domains in a way that substantially lowers confidence"
    several = _all("RoB 2", "low", D2="some concerns", D4="some concerns")
    assert can_escalate("RoB 2", several)
    assert overall_judgement("RoB 2", several) == "some concerns"
    assert overall_judgement("RoB 2", several, escalate=True) == "high"
    one = _all("RoB 2", "low", D2="some concerns")
    assert not can_escalate("RoB 2", one)
    with pytest.raises(ValueError, match="escalation to high applies only"):
        overall_judgement("RoB 2", one, escalate=True)
    already_high = _all("RoB 2", "some concerns", D1="high")
    assert not can_escalate("RoB 2", already_high)
    assert not can_escalate("ROBINS-I", _all("ROBINS-I", "moderate"))


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({}, "low"),
        ({"D3": "moderate"}, "moderate"),
        ({"D3": "moderate", "D6": "serious"}, "serious"),
        ({"D1": "critical", "D6": "serious", "D2": "no information"}, "critical"),
        ({"D2": "no information", "D4": "moderate"}, "no information"),
        ({"D2": "no information", "D6": "serious"}, "serious"),
    ],
)
def test_robins_i_overall_is_the_most_severe_domain(override, expected):
    assert overall_judgement("ROBINS-I", _all("ROBINS-I", "low", **override)) == expected


@pytest.mark.parametrize(
    ("tool", "domains", "message"),
    [
        ("Cochrane 2008", {}, "tool must be one of"),
        ("RoB 2", {"D1": "low"}, "missing"),
        ("RoB 2", {**_all("RoB 2", "low"), "D6": "low"}, "unexpected \\['D6'\\]"),
        ("RoB 2", _all("RoB 2", "low", D1="unclear"), "judgements must be one of"),
    ],
)
def test_bad_input_raises(tool, domains, message):
    with pytest.raises(ValueError, match=message):
        overall_judgement(tool, domains)


def test_overall_key_is_ignored():
    domains = {**_all("RoB 2", "low"), "overall": "high"}
    assert overall_judgement("RoB 2", domains) == "low"
