"""The PRISMA 2020 flow diagram: every box says its count, or "not recorded"."""

import io

import matplotlib
import pandas as pd

import evsum
from evsum.review.selection import prisma_flow, selection_flow

matplotlib.use("Agg")

COLUMNS = [
    "candidate_id",
    "first_author",
    "year",
    "title",
    "doi",
    "found_via",
    "decision",
    "reason",
]
# Two sources, four candidates (counts by hand: 5 records, 1 duplicate, 4 screened,
# 2 included, 1 excluded for "No control group", 1 ongoing).
LOG = pd.DataFrame(
    [
        ["SRC:smith2020", "Smith", "2020", "A review", "", "source", "source", "Table 1 read"],
        ["SRC:registries", "", "", "ClinicalTrials.gov", "", "source", "source", "NCT records"],
        ["a2001", "A", "2001", "", "", "smith2020; registries", "included", "RCT"],
        ["b2005", "B", "2005", "", "", "smith2020", "included", "RCT"],
        ["nct2", "", "", "", "", "registries", "excluded", "No control group (single arm)"],
        ["nct3", "", "", "", "", "registries", "ongoing", "Recruiting"],
    ],
    columns=COLUMNS,
)


def _boxes(fig) -> dict[str, str]:
    return {t.get_gid(): t.get_text() for t in fig.axes[0].texts if t.get_gid()}


def test_boxes_show_the_counts():
    boxes = _boxes(evsum.blocks.figures.prisma_diagram(selection_flow(LOG), title="A review"))
    assert boxes["prisma_title"] == "A review"
    assert "Registers (n = 3)" in boxes["prisma_identified_databases"]
    assert "ClinicalTrials.gov (n = 3)" in boxes["prisma_identified_databases"]
    assert "Databases (not recorded)" in boxes["prisma_identified_databases"]
    assert "Smith 2020 (n = 2)" in boxes["prisma_identified_other"]
    assert "(n = 5)" in boxes["prisma_identified_all"]
    assert "Duplicate records (n = 1)" in boxes["prisma_removed"]
    assert boxes["prisma_screened"] == "Records screened (n = 4)"
    assert boxes["prisma_screen_excluded"] == "Records excluded (not recorded)"
    assert "not recorded" in boxes["prisma_sought"]
    assert "not recorded" in boxes["prisma_not_retrieved"]
    assert "(n = 4)" in boxes["prisma_assessed"]
    assert boxes["prisma_excluded"].splitlines() == [
        "Reports excluded (n = 1):",
        "  No control group (n = 1)",
    ]
    assert "Studies included in review (n = 2)" in boxes["prisma_included"]
    assert "Ongoing studies (n = 1)" in boxes["prisma_ongoing"]
    assert "Studies awaiting classification (n = 0)" in boxes["prisma_ongoing"]
    for phase in ("identification", "screening", "included"):
        assert f"prisma_phase_{phase}" in boxes


def test_without_a_search_log_every_box_says_not_recorded():
    boxes = _boxes(
        evsum.blocks.figures.prisma_diagram(prisma_flow(evsum.examples.example_evidence()))
    )
    for key in (
        "identified_all",
        "removed",
        "screened",
        "assessed",
        "excluded",
        "included",
        "ongoing",
    ):
        assert "not recorded" in boxes[f"prisma_{key}"], key
        assert "n = 0" not in boxes[f"prisma_{key}"], key


def test_fits_the_page_and_keeps_text_as_text_in_svg():
    fig = evsum.blocks.figures.prisma_diagram(selection_flow(LOG))
    assert fig.get_figwidth() <= 7.0  # page width of A4/Letter with 2 cm margins
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg")
    assert "Records screened (n = 4)" in buffer.getvalue()


def test_long_labels_wrap_inside_their_box():
    log = LOG.copy()
    log.loc[0, ["first_author", "year"]] = ["", ""]
    log.loc[0, "title"] = "A very long review title " * 6
    fig = evsum.blocks.figures.prisma_diagram(selection_flow(log))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    right = fig.bbox.width
    for text in fig.axes[0].texts:
        assert text.get_window_extent(renderer).x1 <= right, text.get_gid()
    assert all(len(line) <= 42 for line in _boxes(fig)["prisma_identified_other"].splitlines())
