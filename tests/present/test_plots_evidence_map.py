"""Evidence map and figure saving."""

import matplotlib
import pandas as pd
import pytest

import evsum
from evsum.ingest.protocol import ConditionSpec, Protocol

matplotlib.use("Agg")


def _summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "condition": ["alcohol", "alcohol", "cocaine", "alcohol"],
            "outcome": ["abstinence", "relapse", "abstinence", "abstinence"],
            "participants": [400, 120, 60, 30],
            "certainty": ["low", "very low", None, "moderate"],
            "direction": ["favours ketamine", "uncertain", "", "uncertain"],
        }
    )


#: The test's own protocol wording for the two conditions of _summary().
PROTOCOL = Protocol(
    title="t",
    question="q",
    intervention="i",
    comparator="c",
    conditions={
        "alcohol": ConditionSpec("alcohol", "Alcohol use disorder"),
        "cocaine": ConditionSpec("cocaine", "Cocaine use disorder"),
    },
)


def _bubbles(fig):
    return next(c for c in fig.axes[0].collections if c.get_gid() == "evidence_bubbles")


def test_one_bubble_per_row_sized_by_participants():
    fig = evsum.blocks.figures.evidence_map(_summary(), protocol=PROTOCOL)
    sizes = _bubbles(fig).get_sizes()
    assert len(sizes) == 4
    assert sizes[0] == max(sizes) and sizes[0] / sizes[1] == pytest.approx(400 / 120)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Alcohol use disorder",
        "Cocaine use disorder",
    ]


def test_colour_by_certainty_or_direction():
    legend = [
        t.get_text()
        for t in evsum.blocks.figures.evidence_map(_summary()).axes[0].artists[0].get_texts()
    ]
    assert legend == ["moderate", "low", "very low", "not assessed"]
    fig = evsum.blocks.figures.evidence_map(_summary().drop(columns="certainty"))
    legend = [t.get_text() for t in fig.axes[0].artists[0].get_texts()]
    assert legend == ["favours ketamine", "uncertain", "not pooled"]


def test_missing_columns_raise():
    with pytest.raises(ValueError, match="missing \\['participants'\\]"):
        evsum.blocks.figures.evidence_map(_summary().drop(columns="participants"))


def test_save_figure_writes_identical_svg_and_png_twice(tmp_path):
    fig = evsum.blocks.figures.evidence_map(_summary())
    first = evsum.blocks.figures.save_figure(fig, tmp_path / "a")
    second = evsum.blocks.figures.save_figure(fig, tmp_path / "b")
    assert [p.suffix for p in first] == [".svg", ".png"]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert b"<dc:date>" not in first[0].read_bytes()


@pytest.mark.parametrize("colour", ["certainty", "direction"])
def test_a_tight_crop_keeps_both_legends_whole(colour):
    # Reports save figures with bbox_inches="tight": the crop must contain every legend.
    fig = evsum.blocks.figures.evidence_map(_summary(), colour=colour)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    crop = fig.get_tightbbox(renderer)  # in inches
    legends = [c for c in fig.axes[0].get_children() if type(c).__name__ == "Legend"]
    assert len(legends) == 2
    for legend in legends:
        box = legend.get_window_extent(renderer).transformed(fig.dpi_scale_trans.inverted())
        assert crop.x1 >= box.x1 - 1e-6 and crop.y0 <= box.y0 + 1e-6


def test_outcomes_down_swaps_the_axes_and_keeps_every_bubble():
    wide = evsum.blocks.figures.evidence_map(_summary())
    tall = evsum.blocks.figures.evidence_map(_summary(), outcomes_down=True, protocol=PROTOCOL)
    ax = tall.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Abstinence", "Relapse"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Alcohol use disorder",
        "Cocaine use disorder",
    ]
    assert len(_bubbles(tall).get_offsets()) == len(_bubbles(wide).get_offsets()) == 4
    # alcohol × abstinence holds two bubbles, side by side in the same row
    offsets = _bubbles(tall).get_offsets()
    assert offsets[0][1] == offsets[3][1] == 0 and offsets[0][0] != offsets[3][0]


def test_evidence_map_alt_text_and_description_come_from_its_data():
    """The overview's map of the ketamine review: one described bubble per analysis with
    numbers. Krupitsky 2007 (J Psychoactive Drugs 39:13, abstract) randomised 26 + 27 = 53 to
    3 vs 1 session; Krupitsky 1997 compared 211 (grade.csv: "211
    participants"); the certainties are those the curators recorded in grade.csv."""
    import html
    import re

    from conftest import ROOT

    evidence = evsum.load_evidence(base=ROOT)
    analyses = evsum.analyse_all(evidence)
    page = html.unescape(str(evsum.blocks.overview.evidence_map(analyses, grade=evidence.grade)))
    with_numbers = [a for a in analyses if a.result is not None]
    alt = re.search(r'alt="([^"]*)"', page).group(1)
    assert alt.startswith(
        f"Evidence map of {len(with_numbers)} analyses with numbers in "
        f"{len({a.condition for a in with_numbers})} conditions"
    )
    assert 'aria-describedby="evidence-map-description"' in page
    description = re.search(
        r'<div id="evidence-map-description" class="evsum-visually-hidden">'
        r"(.*?)</div>",
        page,
        re.S,
    ).group(1)
    items = re.findall(r"<li>(.*?)</li>", description)
    assert len(items) == len(with_numbers)
    grade = evidence.grade

    def recorded(condition, comparator_type):
        return grade.loc[
            (grade["condition"] == condition)
            & (grade["outcome"] == "abstinence")
            & (grade["comparator_type"] == comparator_type)
            & (grade["timepoint"] == "12 months"),
            "certainty",
        ].item()

    assert (
        "Opioid use disorder (heroin dependence), Abstinence, 12 months: "
        "3 sessions vs 1 session of ketamine-assisted psychotherapy; RCT (dose comparison), "
        "1 study, 53 participants; certainty of the evidence (GRADE) "
        f"{recorded('opioids', 'dose comparison')}."
    ) in items
    assert any(
        i.startswith("Alcohol use disorder, Abstinence, 12 months: ")
        and "non-randomised study, 1 study, 211 participants" in i
        and i.endswith(f"(GRADE) {recorded('alcohol', 'treatment as usual')}.")
        for i in items
    )
    counts = {
        level: sum(i.endswith(f"(GRADE) {level}.") for i in items)
        for level in ("high", "moderate", "low", "very low", "not assessed")
    }
    assert "(" + ", ".join(f"{k} {v}" for k, v in counts.items() if v) + ")" in alt


def test_a_figure_description_needs_an_id():
    from matplotlib.figure import Figure

    from evsum.present.html import figure_html

    with pytest.raises(ValueError, match="description_id"):
        figure_html(Figure(), "alt", description=["one"])
