"""The curated data: valid, documented, and honest about where numbers come from."""

import json
import re

import pytest

from evsum import load_evidence
from evsum import vocab as schema
from evsum.ingest.context import (
    CHARACTERISTICS_COLUMNS,
    GRADE_COLUMNS,
    ROB_COLUMNS,
    SEARCH_LOG_COLUMNS,
)

from conftest import ROOT

DATA = ROOT / "data"
README = (DATA / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def evidence():
    return load_evidence(DATA / "studies.csv")


def test_data_validates_with_every_context_file(evidence):
    assert evidence.missing == ()
    assert evidence.studies.data["study_id"].nunique() >= 12


@pytest.mark.parametrize("columns", [schema.STUDY_COLUMNS, CHARACTERISTICS_COLUMNS,
                                     ROB_COLUMNS, GRADE_COLUMNS, SEARCH_LOG_COLUMNS])
def test_dictionary_documents_every_column(columns):
    missing = [c for c in columns if f"`{c}`" not in README and f"{c}," not in README
               and f",{c}" not in README]
    assert missing == []


@pytest.mark.parametrize("column", ["condition", "design", "blinding", "comparator_type",
                                    "outcome", "outcome_type", "data_level", "source_type",
                                    "effect_measure"])
def test_dictionary_documents_every_vocabulary_value_used(evidence, column):
    used = set(evidence.studies.data[column]) - {""}
    assert used, column
    assert [v for v in sorted(used) if f"`{v}`" not in README] == []


def test_dictionary_documents_every_outcome_of_the_protocol(evidence):
    assert [o for o in evidence.protocol.outcomes if f"`{o}`" not in README] == []


def test_dictionary_documents_every_protocol_key():
    from evsum.ingest import protocol

    keys = {*protocol.TOP_KEYS, *protocol.REVIEW_KEYS, *protocol.CONDITION_KEYS,
            *protocol.OUTCOME_KEYS} - {"review", "conditions", "outcomes"}
    assert [k for k in sorted(keys) if f"`{k}`" not in README and f"[{k}]" not in README] == []
    assert [v for v in (*protocol.IMPORTANCE, *protocol.BUILTIN_TIMEPOINTS)
            if f"`{v}`" not in README] == []


def test_code_and_dictionary_agree_on_the_years():
    from evsum.ingest.studies import YEAR_MIN

    assert YEAR_MIN == 1900
    assert f"integer from {YEAR_MIN} to next year" in README


def test_every_study_has_reference_characteristics_and_risk_of_bias(evidence):
    ids = set(evidence.studies.data["study_id"])
    assert ids <= {item["id"] for item in evidence.references}
    assert ids == set(evidence.characteristics["study_id"])
    assert ids == set(evidence.risk_of_bias["study_id"])
    overall = evidence.risk_of_bias[evidence.risk_of_bias["domain"] == "overall"]
    assert set(overall["study_id"]) == ids


def test_secondary_numbers_are_never_pooled(evidence):
    from evsum import analyse_all

    for analysis in analyse_all(evidence):
        pooled = analysis.rows[analysis.rows["excluded_reason"] == ""]
        assert set(pooled["source_type"]) <= {"primary", "registry"}
        assert set(pooled["data_level"]) <= {"arm", "contrast"}


def test_dose_comparisons_are_never_pooled_with_placebo(evidence):
    from evsum import analyse_all

    for analysis in analyse_all(evidence):
        assert set(analysis.rows["comparator_type"]) == {analysis.comparator_type}


def test_arm_numbers_quoted_from_the_papers(evidence):
    # Each arm-level count must appear in the row's own quote (or its stated derivation).
    rows = evidence.studies.data
    for _, row in rows[rows["data_level"] == "arm"].iterrows():
        text = f"{row['source_quote']} {row['derivation']}"
        for column in ("events_intervention", "events_comparator"):
            if str(row[column]) != "<NA>":
                assert re.search(rf"\b{row[column]}\b", text), (row["study_id"], column)


def test_references_have_doi_or_journal_pages():
    for item in json.loads((DATA / "references.json").read_text()):
        if item["type"] == "dataset":  # a registry results record
            assert item.get("URL", "").startswith("https://clinicaltrials.gov/"), item["id"]
        else:
            assert item.get("DOI") or item.get("page"), item["id"]
        assert item.get("title") and item.get("container-title"), item["id"]


def test_reported_effects_appear_in_their_quotes_as_printed(evidence):
    # The effect and CI cells keep the paper's digits ("19.0", not "19").
    rows = evidence.studies.data
    for _, row in rows[rows["data_level"] == "contrast"].iterrows():
        text = f"{row['source_quote']} {row['derivation']}"
        for column in ("effect", "ci_low", "ci_high"):
            shown = row[f"{column}_printed"]
            assert re.search(rf"(?<![\d.]){re.escape(shown)}(?![\d])", text), (
                row["study_id"], row["line"], column, shown)


def test_outcome_table_shows_numbers_as_the_paper_printed_them(evidence):
    from evsum import outcome_rows_html

    html = str(outcome_rows_html(evidence, "alcohol"))
    # Grabski 2022 abstract: "mean difference=10.1%, 95% CI=1.1, 19.0"
    assert "MD 10.1 (1.1 to 19.0)" in html
    # the same paper's press report of relapse: "OR, 0.80; 95% CI, 0.31-2.10"
    assert "OR 0.80 (0.31 to 2.10)" in html


def test_search_log_includes_exactly_the_studies_in_the_table(evidence):
    log = evidence.search_log
    included = set(log.loc[log["decision"] == "included", "candidate_id"])
    assert included == set(evidence.studies.data["study_id"])


def test_prisma_counts_each_candidate_once_by_decision():
    import pandas as pd

    from evsum import prisma_counts

    log = pd.DataFrame({
        "candidate_id": ["SRC:a", "SRC:b", "s1", "s2", "s2", "s3", "s4", "s5"],
        "decision": ["source", "source", "included", "included", "included", "excluded",
                     "ongoing", "awaiting classification"],
    })
    assert prisma_counts(log) == {
        "sources of records": 2, "candidate studies screened": 5, "excluded": 1,
        "ongoing (no results yet)": 1, "awaiting classification": 1, "included": 2}


def test_arm_sizes_fit_the_number_randomised(evidence):
    # No comparison can hold more people than the trial randomised; a comparison of pooled
    # arms (e.g. Grabski 2022: ketamine arms vs saline arms) holds all of them.
    randomised = evidence.characteristics.set_index("study_id")["n_randomised"]
    rows = evidence.studies.data
    for _, row in rows.dropna(subset=["n_intervention", "n_comparator"]).iterrows():
        total = int(row["n_intervention"]) + int(row["n_comparator"])
        known = str(randomised.get(row["study_id"], "")).strip()
        if not known.isdigit():
            continue
        if row["design"] == "crossover_rct":  # each participant is in both conditions
            assert max(row["n_intervention"], row["n_comparator"]) <= int(known), row["line"]
        else:
            assert total <= int(known), (row["study_id"], row["line"], total, known)
        if "pooled" in row["intervention"] and "pooled" in row["comparator"]:
            assert total == int(known), (row["study_id"], row["line"], total, known)
    # Grabski 2022 abstract: "Ninety-six participants ... included in the intention-to-treat analysis"
    grabski = rows[(rows["study_id"] == "grabski2022") & (rows["effect"] == 10.1)].iloc[0]
    assert (grabski["n_intervention"], grabski["n_comparator"]) == (48, 48)
