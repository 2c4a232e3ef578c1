"""Evidence map and figure saving."""

import matplotlib
import pandas as pd
import pytest

import evsum
from evsum.ingest.protocol import ConditionSpec, Protocol

matplotlib.use("Agg")


def _summary() -> pd.DataFrame:
    return pd.DataFrame({
        "condition": ["alcohol", "alcohol", "cocaine", "alcohol"],
        "outcome": ["abstinence", "relapse", "abstinence", "abstinence"],
        "participants": [400, 120, 60, 30],
        "certainty": ["low", "very low", None, "moderate"],
        "direction": ["favours ketamine", "uncertain", "", "uncertain"],
    })


#: The test's own protocol wording for the two conditions of _summary().
PROTOCOL = Protocol(title="t", question="q", intervention="i", comparator="c", conditions={
    "alcohol": ConditionSpec("alcohol", "Alcohol use disorder"),
    "cocaine": ConditionSpec("cocaine", "Cocaine use disorder")})


def _bubbles(fig):
    return next(c for c in fig.axes[0].collections if c.get_gid() == "evidence_bubbles")


def test_one_bubble_per_row_sized_by_participants():
    fig = evsum.evidence_map(_summary(), protocol=PROTOCOL)
    sizes = _bubbles(fig).get_sizes()
    assert len(sizes) == 4
    assert sizes[0] == max(sizes) and sizes[0] / sizes[1] == pytest.approx(400 / 120)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Alcohol use disorder", "Cocaine use disorder"]


def test_colour_by_certainty_or_direction():
    legend = [t.get_text() for t in evsum.evidence_map(_summary()).axes[0].artists[0].get_texts()]
    assert legend == ["moderate", "low", "very low", "not assessed"]
    fig = evsum.evidence_map(_summary().drop(columns="certainty"))
    legend = [t.get_text() for t in fig.axes[0].artists[0].get_texts()]
    assert legend == ["favours ketamine", "uncertain", "not pooled"]


def test_missing_columns_raise():
    with pytest.raises(ValueError, match="missing \\['participants'\\]"):
        evsum.evidence_map(_summary().drop(columns="participants"))


def test_save_figure_writes_identical_svg_and_png_twice(tmp_path):
    fig = evsum.evidence_map(_summary())
    first = evsum.save_figure(fig, tmp_path / "a")
    second = evsum.save_figure(fig, tmp_path / "b")
    assert [p.suffix for p in first] == [".svg", ".png"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert b"<dc:date>" not in first[0].read_bytes()


@pytest.mark.parametrize("colour", ["certainty", "direction"])
def test_a_tight_crop_keeps_both_legends_whole(colour):
    # Reports save figures with bbox_inches="tight": the crop must contain every legend.
    fig = evsum.evidence_map(_summary(), colour=colour)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    crop = fig.get_tightbbox(renderer)  # in inches
    legends = [c for c in fig.axes[0].get_children() if type(c).__name__ == "Legend"]
    assert len(legends) == 2
    for legend in legends:
        box = legend.get_window_extent(renderer).transformed(fig.dpi_scale_trans.inverted())
        assert crop.x1 >= box.x1 - 1e-6 and crop.y0 <= box.y0 + 1e-6


def test_outcomes_down_swaps_the_axes_and_keeps_every_bubble():
    wide = evsum.evidence_map(_summary())
    tall = evsum.evidence_map(_summary(), outcomes_down=True, protocol=PROTOCOL)
    ax = tall.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Abstinence", "Relapse"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Alcohol use disorder", "Cocaine use disorder"]
    assert len(_bubbles(tall).get_offsets()) == len(_bubbles(wide).get_offsets()) == 4
    # alcohol × abstinence holds two bubbles, side by side in the same row
    offsets = _bubbles(tall).get_offsets()
    assert offsets[0][1] == offsets[3][1] == 0 and offsets[0][0] != offsets[3][0]
