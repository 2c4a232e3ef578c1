"""The protocol's ``[synthesis] multi_arm`` chooses how a multi-arm trial enters its analyses."""

import csv
import math

import pytest

from evsum import StudyDataError
from evsum.ingest.evidence import load_evidence
from evsum.ingest.protocol import parse_protocol
from evsum.review.analysis import analyse_outcomes

from conftest import SMALL, SMALL_PROTOCOL

GOOD = SMALL_PROTOCOL.read_text(encoding="utf-8")


def _base(tmp_path, synthesis: str):
    """A base with one three-arm trial: low dose 10/40 and high dose 21/60 against one
    placebo arm, 20/50 (the same comparator numbers in both rows)."""
    with open(SMALL, newline="", encoding="utf-8") as handle:
        template = next(csv.DictReader(handle))
    rows = []
    for dose, n, events in (("low dose", "40", "10"), ("high dose", "60", "21")):
        rows.append(
            {
                **template,
                "study_id": "delta2015",
                "first_author": "Delta",
                "year": "2015",
                "doi": "10.9999/fixture.delta",
                "intervention": dose,
                "comparator": "placebo",
                "comparator_type": "placebo",
                "n_intervention": n,
                "events_intervention": events,
                "n_comparator": "50",
                "events_comparator": "20",
                "source_quote": f"{events} of {n} vs 20 of 50",
            }
        )
    (tmp_path / "data").mkdir()
    with open(tmp_path / "data" / "studies.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(template), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    (tmp_path / "evsum.toml").write_text(GOOD + synthesis, encoding="utf-8")
    return load_evidence(base=tmp_path)


@pytest.mark.parametrize(
    ("synthesis", "rule", "log_rr", "var"),
    [
        # no [synthesis]: the first comparison alone, RR (10/40)/(20/50), escalc's variance
        ("", "first", math.log(0.25 / 0.4), 1 / 10 - 1 / 40 + 1 / 20 - 1 / 50),
        # the two doses combined: 31 events of 100 against 20 of 50
        (
            '\n[synthesis]\nmulti_arm = "combine"\n',
            "combine",
            math.log(0.31 / 0.4),
            1 / 31 - 1 / 100 + 1 / 20 - 1 / 50,
        ),
    ],
)
def test_the_protocol_chooses_the_multi_arm_rule(tmp_path, synthesis, rule, log_rr, var):
    evidence = _base(tmp_path, synthesis)
    assert evidence.protocol.plan.synthesis.multi_arm == rule
    (analysis,) = analyse_outcomes(evidence, "alcohol")
    # one study pooled: its log risk ratio and variance
    assert analysis.result.k == 1
    assert math.isclose(analysis.result.estimate, log_rr, rel_tol=1e-12)
    assert math.isclose(analysis.result.se**2, var, rel_tol=1e-12)
    # an explicit argument still wins over the protocol
    (first,) = analyse_outcomes(evidence, "alcohol", multi_arm="first")
    assert math.isclose(first.result.estimate, math.log(0.25 / 0.4), rel_tol=1e-12)


def test_an_unknown_multi_arm_rule_is_refused_at_its_line():
    text = GOOD + '\n[synthesis]\nmodel = "random"\nmulti_arm = "merge"\n'
    with pytest.raises(StudyDataError) as info:
        parse_protocol(text, "evsum.toml")
    (problem,) = info.value.problems
    assert problem.column == "synthesis.multi_arm" and problem.value == "merge"
    assert text.splitlines()[problem.line - 1] == 'multi_arm = "merge"'
    assert "first, combine, split" in problem.expected


def test_validate_and_the_methods_page_state_the_rule(tmp_path):
    from click.testing import CliRunner

    from evsum.cli import main
    from evsum.present.methods import synthesis_html

    evidence = _base(tmp_path, '\n[synthesis]\nmulti_arm = "split"\n')
    result = CliRunner().invoke(main, ["validate", "--base", str(tmp_path)])
    assert "multi-arm trials split" in result.output, result.output
    html = str(synthesis_html(evidence))
    assert "shared comparator arm of a trial with several arms is split" in html
    assert "(protocol [synthesis] multi_arm)" in html
