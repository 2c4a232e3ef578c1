"""Risk-of-bias traffic lights and summary bars, including missing assessments."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

import evsum
from evsum.vocab import ROB_TOOLS

matplotlib.use("Agg")


def _rob(tool: str = "RoB 2") -> pd.DataFrame:
    rob = evsum.examples.example_risk_of_bias()
    return rob[rob["tool"] == tool].reset_index(drop=True)


def _cells(fig):
    ax = fig.axes[0]
    return next(c for c in ax.collections if c.get_gid() == "rob_cells")


@pytest.mark.parametrize("tool", ["RoB 2", "ROBINS-I"])
def test_traffic_light_has_one_circle_per_study_and_domain(tool):
    rob = _rob(tool)
    fig = evsum.blocks.figures.rob_traffic_light(rob, tool)
    n_studies = rob["study_id"].nunique()
    assert len(_cells(fig).get_offsets()) == n_studies * len(ROB_TOOLS[tool])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "Overall"
    assert len(ax.get_yticklabels()) == n_studies
    symbols = [t.get_text() for t in ax.texts if t.get_gid() == "rob_symbol"]
    assert len(symbols) == n_studies * len(ROB_TOOLS[tool])
    key = next(t for t in fig.texts if t.get_gid() == "rob_domain_key").get_text()
    assert "D1: " in key


def test_traffic_light_uses_labels_and_marks_missing_cells():
    rob = _rob()
    study = rob["study_id"].iloc[0]
    rob = rob[~((rob["study_id"] == study) & (rob["domain"] == "D3"))]
    fig = evsum.blocks.figures.rob_traffic_light(rob, labels={study: "Aalto 2001"})
    ax = fig.axes[0]
    assert ax.get_yticklabels()[0].get_text() == "Aalto 2001"
    symbols = [t for t in ax.texts if t.get_gid() == "rob_symbol"]
    assert len(symbols) == len(_cells(fig).get_offsets()) - 1
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "not assessed" in legend


@pytest.mark.parametrize("rob", [None, pd.DataFrame(), "other tool only"])
def test_missing_assessment_gives_a_figure_that_says_so(rob):
    if isinstance(rob, str):
        rob = _rob("ROBINS-I")
    for fig in (
        evsum.blocks.figures.rob_traffic_light(rob, "RoB 2"),
        evsum.blocks.figures.rob_summary(rob, "RoB 2"),
    ):
        texts = [t.get_text() for ax in fig.axes for t in ax.texts]
        assert any(t.startswith("No risk-of-bias assessment (RoB 2)") for t in texts)


def test_unknown_judgement_or_tool_raises():
    rob = _rob().assign(judgement="unclear")
    with pytest.raises(ValueError, match="judgement must be one of"):
        evsum.blocks.figures.rob_traffic_light(rob)
    with pytest.raises(ValueError, match="tool must be one of"):
        evsum.blocks.figures.rob_summary(rob, "Cochrane 2008")


def test_summary_bars_are_percentages_per_domain():
    rob = _rob()
    fig = evsum.blocks.figures.rob_summary(rob, "RoB 2")
    ax = fig.axes[0]
    widths = np.zeros(len(ROB_TOOLS["RoB 2"]))
    for patch in ax.patches:
        widths[round(patch.get_y() + patch.get_height() / 2)] += patch.get_width()
    np.testing.assert_allclose(widths, 100.0)
    low = [p for p in ax.patches if p.get_gid() == "rob_bar_low"]
    overall = rob[rob["domain"] == "overall"]
    expected = 100 * (overall["judgement"] == "low").mean()
    assert low[-1].get_width() == pytest.approx(expected)
    assert ax.get_yticklabels()[-1].get_text() == "Overall"


def test_summary_weights_studies():
    rob = _rob()
    studies = list(rob["study_id"].unique())
    weights = {s: 0.0 for s in studies}
    weights[studies[0]] = 1.0  # all weight on one study: its judgements are 100 %
    fig = evsum.blocks.figures.rob_summary(rob, "RoB 2", weights=weights)
    judged = rob[(rob["study_id"] == studies[0]) & (rob["domain"] == "overall")]
    gid = f"rob_bar_{judged['judgement'].iloc[0]}"
    bars = [p for p in fig.axes[0].patches if p.get_gid() == gid]
    assert bars[-1].get_width() == pytest.approx(100.0)
    with pytest.raises(ValueError, match="weight for every study"):
        evsum.blocks.figures.rob_summary(rob, "RoB 2", weights={studies[0]: 1.0})
