"""Tables and figures for people: leave-one-out on the reader's scale, the pooling method only
where something is pooled, figures' text alternatives from their data, each quote once."""

import json
import math
import re

import pytest

import evsum
from evsum.present.basis import result_basis
from evsum.present.forest_section import analyses_html, forest_alt
from evsum.present.heterogeneity import heterogeneity_html
from evsum.present.studies import outcome_rows_html
from evsum.present.text import certainty_symbols
from evsum.present.titles import title_html

from conftest import ROOT

BCG = ROOT / "examples" / "bcg-vaccine"
REFERENCE = ROOT / "tests" / "reference" / "diagnostics.json"


@pytest.fixture(scope="module")
def ketamine():
    return evsum.load_evidence(base=ROOT)


@pytest.fixture(scope="module")
def bcg():
    evidence = evsum.load_evidence(base=BCG)
    return evidence, evsum.analyse_condition(evidence, "tuberculosis", method="REML")


def _cells(table_html: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", table_html, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", c)
            for c in re.findall(r"<t[dh](?: [^>]*)?>(.*?)</t[dh]>", r, re.S)
        ]
        for r in rows
    ]


def test_leave_one_out_is_labelled_and_back_transformed(bcg):
    """metafor leave1out(rma(yi, vi, method="REML")) on the seven randomised trials of dat.bcg
    (tests/reference/diagnostics.json, leave1out_random, written by make_reference.R),
    exponentiated for the risk ratio."""
    _, analyses = bcg
    page = heterogeneity_html(analyses)
    loo = page[page.index("Leave one out") :]
    loo = loo[: loo.index("</table>")]
    cells = _cells(loo)
    assert cells[0] == [
        "Study left out",
        "Pooled RR without it",
        "95% CI",
        "p",
        "τ² (log scale)",
        "I²",
    ]
    tables = re.sub(r'src="data:[^"]*"', "", page)
    for raw in ("zval", "q_pval", "ci_low", "ci_high", "converged", "tau2", "i2"):
        assert raw not in tables
    assert "back-transformed from the log scale" in loo
    reference = json.loads(REFERENCE.read_text())
    fit = reference["leave1out_random"]
    assert len(cells) - 1 == len(fit["estimate"]) == 7
    for row, est, low, high, tau2, i2 in zip(
        cells[1:],
        fit["estimate"],
        fit["ci_low"],
        fit["ci_high"],
        fit["tau2"],
        fit["i2"],
        strict=True,
    ):
        assert row[1] == f"{math.exp(est):.2f}"
        assert row[2] == f"{math.exp(low):.2f} to {math.exp(high):.2f}"
        assert row[4] == f"{tau2:.4f}" and row[5] == f"{i2:.1f}%"
    # the first row is Aronson 1948 (metafor's first study of dat.bcg)
    assert cells[1][0] == "Aronson 1948"


def test_pooling_method_is_named_only_where_something_is_pooled(ketamine, bcg):
    evidence, analyses = bcg
    pooled = title_html("tuberculosis", "REML", protocol=evidence.protocol, analyses=analyses)
    assert "pooling method: Random effects (REML)" in pooled
    opioids = evsum.analyse_condition(ketamine, "opioids", method="REML")
    assert all(a.result is None or a.result.k < 2 for a in opioids)
    single = title_html("opioids", "REML", protocol=ketamine.protocol, analyses=opioids)
    assert "pooling method" not in single and "REML" not in single
    assert "no analysis pools two or more studies" in single


def test_forest_plot_alt_text_comes_from_the_data(ketamine):
    """Krupitsky 2007 (J Psychoactive Drugs 39:13, abstract): 13/26 abstinent with three
    sessions vs 6/27 with one. By hand: RR = (13/26)/(6/27) = 2.25; SE(log RR) =
    sqrt(1/13 - 1/26 + 1/6 - 1/27) = 0.4100; 95 % CI exp(0.8109 ± 1.96 × 0.4100) =
    1.01 to 5.03."""
    opioids = evsum.analyse_condition(ketamine, "opioids", method="REML")
    analysis = next(a for a in opioids if a.result is not None and a.outcome == "abstinence")
    alt = forest_alt(analysis)
    assert alt.startswith("Forest plot of 1 study (")
    assert alt.endswith("Krupitsky 2007, RR 2.25, 95 % CI 1.01 to 5.03.")
    page = analyses_html(opioids)
    assert f'alt="{alt[:-1]}' in page.replace("&#39;", "'")
    assert "No description has been provided" not in page
    # with what it rests on: evsum.toml [study_comparisons] and the certainty the curators
    # recorded in grade.csv's certainty column
    recorded = ketamine.grade.query(
        "condition == 'opioids' and outcome == 'abstinence' and "
        "comparator_type == 'dose comparison' and "
        "timepoint == '12 months'"
    )["certainty"].item()
    basis = result_basis(analysis, ketamine.grade)
    assert forest_alt(analysis, basis).endswith(
        "1.01 to 5.03. 1 RCT (dose comparison: both arms received ketamine): 3 sessions vs 1 "
        "session of ketamine-assisted psychotherapy. Certainty of the evidence (GRADE): "
        f"{certainty_symbols(recorded)} {recorded.capitalize()}."
    )


def test_pooled_forest_plot_alt_names_every_study_and_the_pooled_result(bcg):
    """The seven randomised trials of dat.bcg, metafor 3.8.1 rma(yi, vi, method="REML")
    (tests/reference/grid.json): log RR -0.9710 (-1.5118 to -0.4301), i.e. RR 0.38 (0.22 to
    0.65)."""
    _, analyses = bcg
    grid = json.loads((ROOT / "tests" / "reference" / "grid.json").read_text())
    case = next(
        c
        for c in grid["cases"]
        if c["measure"] == "RR" and c["dataset"] == "dat.bcg, random allocation"
    )
    fit = next(f for f in case["fits"] if f["method"] == "REML" and f["test"] == "z")
    est, low, high = (math.exp(fit[k]) for k in ("estimate", "ci_low", "ci_high"))
    alt = forest_alt(analyses[0])
    assert alt.startswith("Forest plot of 7 studies (")
    assert "Aronson 1948, RR" in alt and "Coetzee 1968, RR" in alt and "Comstock" not in alt
    assert alt.endswith(
        f"Pooled (Random effects (REML)): RR {est:.2f}, 95 % CI {low:.2f} to {high:.2f}."
    )
    assert f"{est:.2f}, 95 % CI {low:.2f} to {high:.2f}" == "0.38, 95 % CI 0.22 to 0.65"


def test_each_quote_is_printed_once_and_never_empty(ketamine):
    for condition in ketamine.studies.conditions:
        analyses = evsum.analyse_condition(ketamine, condition, method="REML")
        page = outcome_rows_html(ketamine, condition) + analyses_html(analyses)
        assert "“”" not in page and not re.search(r"“\s*”", page)
        quotes = re.findall(r'<span class="evsum-quote">“(.*?)”</span>', page, re.S)
        rows = ketamine.studies.for_condition(condition)
        wanted = [q for q in rows["source_quote"] if isinstance(q, str) and q.strip()]
        assert len(quotes) == len(wanted), condition
