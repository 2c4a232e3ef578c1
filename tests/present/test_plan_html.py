"""The declared analyses block of the condition report (evsum.present.plan) and the bubble
plot; numbers are metafor's (tests/reference/plan.json, make_plan_reference.R)."""

import re
import warnings

import pytest

from evsum.ingest.evidence import load_evidence
from evsum.present.analyses import analyse_condition
from evsum.present.figures.bubble import bubble_plot
from evsum.present.plan import plan_html, sensitivity_table, summary_analyses

from conftest import ROOT


@pytest.fixture(scope="module")
def analyses():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyse_condition(
            load_evidence(base=ROOT / "examples" / "bcg-vaccine"), "tuberculosis"
        )


def test_the_block_shows_the_plan_with_metafor_numbers(analyses):
    from evsum.blocks.condition import plan

    html = re.sub(r' data-label="[^"]*"', "", str(plan(analyses)))  # narrow-screen labels
    assert "Declared analysis: All 13 trials" in html
    # metafor rma(yi, vi, method = "REML") on dat.bcg: RR exp(-0.7145) = 0.49 (0.34 to 0.70)
    assert "RR 0.49 (0.34 to 0.70)" in html
    # separate τ²: Q 1.95, p 0.163; common τ² (mods = ~ alloc == "random"): QM 1.83, p 0.176
    assert "<td>Q = 1.95</td><td>1</td><td>p = 0.163</td>" in html
    assert "<td>Q = 1.83</td><td>1</td><td>p = 0.176</td>" in html
    # rma(yi, vi, mods = ~ ablat): slope -0.0291 (SE 0.0072), QM 16.36, tau2 0.0764, R2 75.6 %
    assert "<td>ablat</td><td>−0.0291</td><td>0.0072</td>" in html
    assert "QM = 16.36, df = 1 (p &lt; 0.001); residual τ² = 0.0764" in html
    assert "R² = 75.6%" in html
    assert 'alt="Bubble plot: each study' in html
    # each sensitivity analysis is a full analysis with its own forest plot
    assert "<summary>Forest plot: randomised trials only</summary>" in html
    assert "(randomised trials only): 7 studies pooled, RR 0.38 (0.22 to 0.65)." in html


def test_the_sensitivity_table_sets_the_main_result_beside_each(analyses):
    main = analyses[-1]
    rows = sensitivity_table(main)
    assert [r[0] for r in rows] == [
        "Main analysis",
        "Sensitivity: randomised trials only",
        "Sensitivity: common-effect model",
    ]
    # metafor REML subset alloc == "random": RR exp(-0.9710) = 0.38 (0.22 to 0.65), k = 7;
    # rma(method = "FE"): exp(-0.4303) = 0.65 (0.60 to 0.70)
    assert rows[1][1:3] == ["7", "RR 0.38 (0.22 to 0.65)"]
    assert rows[2][1:3] == ["13", "RR 0.65 (0.60 to 0.70)"]


def test_no_plan_no_block_and_the_summary_uses_the_main_analysis(analyses):
    assert plan_html(analyses[:2]) is None  # the automatic analyses alone: nothing shown
    assert [a.plan_key for a in summary_analyses(analyses)] == ["all_trials"]
    assert summary_analyses(analyses[:2]) == list(analyses[:2])


def test_bubble_plot_points_sized_by_weight_with_line_and_band(analyses):
    fit = analyses[-1].regression_result
    fig = bubble_plot(fit, "ablat")
    ax = fig.axes[0]
    points = next(c for c in ax.collections if c.get_gid() == "study_points")
    assert len(points.get_offsets()) == 13
    sizes = points.get_sizes()
    assert sizes.argmax() == max(range(13), key=lambda i: fit.weights[i])
    assert any(line.get_gid() == "fitted_line" for line in ax.lines)
    assert any(c.get_gid() == "confidence_band" for c in ax.collections)
    with pytest.raises(ValueError, match="one numeric moderator"):
        bubble_plot(fit, "alloc")


def test_the_explorer_offers_the_plan_s_choices():
    from evsum.present.explore import explore

    evidence = load_evidence(base=ROOT / "examples" / "bcg-vaccine")
    explorer = explore(evidence, studies="all designs")
    assert [v for _, v in explorer.options("measure")] == ["RR", "OR", "RD"]
    assert {"MH", "PETO"} <= {v for _, v in explorer.options("method")}
    assert "design" in [v for _, v in explorer.options("subgroup")]
    assert [v for _, v in explorer.options("moderator")] == ["", "ablat"]
    explorer.choose(method="MH")
    # metafor rma.mh(measure = "RR") on dat.bcg: exp(-0.4537) = 0.64 (0.59 to 0.69)
    assert "RR 0.64 (0.59 to 0.69)" in str(explorer.view())
    explorer.choose(method="PETO")
    assert "Peto&#39;s method pools odds ratios" in str(explorer.view())
    explorer.choose(measure="OR")
    # metafor rma.peto: exp(-0.4744) = 0.62 (0.57 to 0.67)
    assert "OR 0.62 (0.57 to 0.67)" in str(explorer.view())
    explorer.choose(method="REML", subgroup="design", moderator="ablat")
    view = str(explorer.view())
    assert "Explored further: " in view and 'alt="Bubble plot: each study' in view
    assert "Test for subgroup differences" in view
