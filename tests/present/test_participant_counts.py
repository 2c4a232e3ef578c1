"""One participant count per result: the overview's headline row and the condition report's
summary of findings give the same number for the same analysis, and an outcome reported only
in words shows the study's randomised n from study_characteristics.csv, not "0" or "not
reported" (Das 2019: 90, a press report; Gent 2024: 28, the abstract; as recorded there)."""

import html
import re
import warnings

import pytest

import evsum
from evsum.present.sof import summary_of_findings
from evsum.review.overview import headline_frame

from conftest import ROOT


@pytest.fixture(scope="module")
def built():
    evidence = evsum.load_evidence(base=ROOT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        overview = evsum.analyse_all(evidence)
        pages = {
            c: str(
                evsum.blocks.condition.summary_of_findings(
                    evidence, evsum.analyse_condition(evidence, c)
                )
            )
            for c in evidence.studies.conditions
        }
    return evidence, overview, pages


def _plain(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_headline_and_sof_agree_on_every_analysis_with_numbers(built):
    evidence, overview, pages = built
    frame = headline_frame(overview, grade=evidence.grade)
    for a, (_, row) in zip(overview, frame.iterrows(), strict=True):
        if not row["k"]:
            continue
        sof = summary_of_findings([a], evidence.grade, characteristics=evidence.characteristics)
        assert int(sof.loc[0, "participants"]) == int(row["participants"]), a.title
        design = sof.loc[0, "design"]
        assert f"{int(row['participants'])} ({design})" in _plain(pages[a.condition]), a.title


@pytest.mark.parametrize(
    ("condition", "row", "n"),
    [("alcohol", "Drinks per day (9 months)", 90), ("alcohol", "Craving (6 days)", 28)],
)
def test_narrative_rows_show_the_randomised_n_the_data_holds(built, condition, row, n):
    # Das 2019 (drinks per day) and Gent 2024 (craving): results in words only; the row
    # carries the study's n with the design (its words are the curated summary, no quote)
    _, _, pages = built
    text = _plain(pages[condition])
    assert re.search(re.escape(row) + r"[^⊕]*? not pooled " + str(n) + r" \(1 RCT\)", text), text


def test_limitations_count_the_rows_the_summary_of_findings_shows(built):
    evidence, _, pages = built
    for condition, page in pages.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            analyses = evsum.analyse_condition(evidence, condition)
        limits = _plain(str(evsum.blocks.condition.limitations(evidence, condition, analyses)))
        tables = re.findall(r'<table class="evsum-sof">.*?</table>', page, flags=re.S)
        shown = sum(t.split("<tbody>")[1].count("<tr>") for t in tables)
        # "2 of 5 … rows pool", "All 3 … rows pool", "None of the 4 … rows pools", "The one
        # … row" (evsum.present.text.rows_pooled words the count as it is)
        found = re.search(
            r"\d+ of (\d+) summary-of-findings rows pool|All (\d+) summary-of-findings rows"
            r"|None of the (\d+) summary-of-findings rows|(The one) summary-of-findings row",
            limits,
        )
        assert found, (condition, limits)
        total = next(g for g in found.groups() if g)
        assert (1 if total == "The one" else int(total)) == shown, (condition, limits)


def test_the_overview_counts_the_word_only_rows_the_reports_show(built):
    evidence, overview, pages = built
    listed = _plain(str(evsum.blocks.overview.headline(overview, grade=evidence.grade)))
    for condition, page in pages.items():
        # every outcome is in the evidence profiles (the summaries of findings leave out the
        # outcomes rated not important)
        narrative = page.count('<tr class="ep-narrative">')
        label = evidence.protocol.condition_label(condition)
        found = re.search(re.escape(label) + r" : (\d+) outcome", listed)
        assert (int(found.group(1)) if found else 0) == narrative, condition


def test_limitations_count_small_studies_by_their_one_count(built):
    evidence, _, _ = built
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyses = evsum.analyse_condition(evidence, "alcohol")
    limits = _plain(str(evsum.blocks.condition.limitations(evidence, "alcohol", analyses)))
    # Dakwar 2020 (40) and Gent 2024 (28 randomised) are under 50; Krupitsky 1997 (211),
    # Grabski 2022 (96), Das 2019 (90, press) and Yoon 2025 (65) are not
    assert "2 of 6 studies have fewer than 50 participants." in limits
    assert "report no number of participants" not in limits
