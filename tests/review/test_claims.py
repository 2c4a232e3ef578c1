"""Claims of the audited text: data/claims.csv validates, covers the reference list, and the
numbers shown beside each claim follow the study rows."""

import csv
import shutil

import pytest

import evsum
from evsum import StudyDataError
from evsum.ingest.claims import (
    CLAIM_COLUMNS,
    VERDICTS,
    load_claims,
    read_claims,
)
from evsum.ingest.io import read_text
from evsum.ingest.references import parse_reference_list
from evsum.present.audit_sections import audit_summary_html, claim_data_summary, claims_html

from conftest import ROOT

DATA = ROOT / "data"
FILES = (
    "studies.csv",
    "study_characteristics.csv",
    "risk_of_bias.csv",
    "grade.csv",
    "search_log.csv",
    "references.json",
    "claims.csv",
    "source_references.txt",
)


@pytest.fixture(scope="module")
def evidence():
    return evsum.load_evidence(DATA / "studies.csv")


@pytest.fixture(scope="module")
def claims(evidence):
    return load_claims(evidence)


@pytest.fixture
def data_copy(tmp_path):
    for name in FILES:
        if (DATA / name).exists():
            shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


def _write(path, fields, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_claims_csv_validates(claims):
    assert tuple(c for c in claims.data.columns if c != "line") == CLAIM_COLUMNS
    assert set(claims.data["verdict"]) <= set(VERDICTS)
    assert claims.data["claim_id"].is_unique


def test_every_reference_of_the_text_has_a_claim(claims):
    entries = parse_reference_list(read_text(DATA / "source_references.txt"))
    assert len(entries) == 5
    cited = set(claims.data["cited_reference"])
    assert {e.key for e in entries} <= cited


def test_known_facts_are_in_the_claims(claims):
    rows = claims.data.set_index("claim_id")
    by_key = claims.data.groupby("cited_reference")
    jones = by_key.get_group("Jones et al. (2018)")
    assert (jones["claim_type"] == "study type").all()
    assert (jones["verdict"] == "not supported").all()
    assert "meta-analysis" in jones["quote"].iloc[0]
    dakwar = by_key.get_group("Dakwar et al. (2019)")
    assert set(dakwar["reference_id"]) == {"dakwar2020"}  # the alcohol trial, not dakwar2019
    duman = by_key.get_group("Duman & Aghajanian (2012)")
    assert set(duman["claim_type"]) == {"mechanism"}
    stories = rows[rows["claim_type"] == "case story"]
    # each story's claims name its patient; two stories, several claims each
    assert all(("Mark" in q) != ("Lisa" in q) or "him" in q for q in stories["quote"])
    assert stories["section"].nunique() == 2
    assert set(stories["verdict"]) == {"not assessable from the cited evidence"}
    assert (rows["claim_type"] == "safety").sum() >= 2


def test_changing_a_study_row_changes_the_claim_text(data_copy, evidence, claims):
    claim = claims.data.set_index("claim_id").loc["C08"]  # Krupitsky; maps krupitsky2007
    before_text = claim_data_summary(claim, evidence.studies.data)
    before_html = claims_html(claims, evidence).html
    assert "13/26 vs 6/27" in before_text and "13/26 vs 6/27" in before_html
    fields, rows = _rows(data_copy / "studies.csv")
    for row in rows:
        if row["study_id"] == "krupitsky2007" and row["outcome"] == "abstinence":
            row["events_intervention"] = "14"
    _write(data_copy / "studies.csv", fields, rows)
    changed = evsum.load_evidence(data_copy / "studies.csv")
    changed_claims = load_claims(changed)
    after_text = claim_data_summary(claim, changed.studies.data)
    assert "14/26 vs 6/27" in after_text and after_text != before_text
    assert "14/26 vs 6/27" in claims_html(changed_claims, changed).html


def test_claim_rows_link_into_the_condition_reports(claims, evidence):
    html = claims_html(claims, evidence).html
    assert 'href="opioids.html#study-krupitsky2007"' in html
    assert 'href="opioids.html#row-krupitsky2007-' in html
    assert 'href="https://doi.org/10.1176/appi.ajp.2019.19070684"' in html  # dakwar2020's DOI


def test_summary_follows_the_verdict_counts(data_copy, evidence, claims):
    audit = evsum.audit_source_references(evidence)
    summary = audit_summary_html(claims, audit).html
    counts = claims.verdict_counts()
    assert f"{counts['overstated']} overstate" in summary
    assert "2 patient stories" in summary
    fields, rows = _rows(data_copy / "claims.csv")
    changed = [r for r in rows if r["verdict"] == "overstated"][0]
    changed["verdict"] = "supported"
    _write(data_copy / "claims.csv", fields, rows)
    altered = load_claims(evidence, data_copy / "claims.csv")
    new_summary = audit_summary_html(altered, audit).html
    assert f"{counts['overstated'] - 1} overstate" in new_summary
    assert "1 is fully supported" in new_summary


def test_html_escapes_claim_text(data_copy, evidence):
    fields, rows = _rows(data_copy / "claims.csv")
    rows[0]["quote"] = "<b>bold</b> & more"
    _write(data_copy / "claims.csv", fields, rows)
    html = claims_html(load_claims(evidence, data_copy / "claims.csv"), evidence).html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html


@pytest.mark.parametrize(
    ("column", "value", "match"),
    [
        ("verdict", "true", r"claims.csv:2 \(claim_id=C01\) verdict: got 'true'"),
        ("claim_type", "opinion", "claim_type: got 'opinion'"),
        ("study_ids", "nobody2020", "study_ids: got 'nobody2020'"),
        ("outcomes", "happiness", "outcomes: got 'happiness'"),
        ("reference_id", "nobody2020", "reference_id: got 'nobody2020'"),
        ("rationale", "It cut drinking by 40% in trials.", "rationale: got '40%'"),
        ("quote", "One sentence. Two sentences.", "at most one sentence"),
        ("cited_reference", "Nobody et al. (2020)", "a key of the text's reference list"),
    ],
)
def test_validation_rules(data_copy, evidence, column, value, match):
    fields, rows = _rows(data_copy / "claims.csv")
    rows[0][column] = value
    _write(data_copy / "claims.csv", fields, rows)
    with pytest.raises(StudyDataError, match=match):
        load_claims(evidence, data_copy / "claims.csv")


def test_every_problem_is_reported_together(data_copy, evidence):
    fields, rows = _rows(data_copy / "claims.csv")
    rows[1]["verdict"] = "maybe"
    rows[2]["claim_id"] = rows[1]["claim_id"]
    story = next(r for r in rows if r["claim_type"] == "case story")
    story["verdict"] = "supported"
    zarate = [r for r in rows if r["cited_reference"] == "Zarate et al. (2006)"]
    rows = [r for r in rows if r not in zarate]
    _write(data_copy / "claims.csv", fields, rows)
    with pytest.raises(StudyDataError) as info:
        load_claims(evidence, data_copy / "claims.csv")
    text = str(info.value)
    assert text.startswith("4 problems in")
    assert "each claim_id once" in text and "for a case story" in text
    assert "Zarate et al. (2006)" in text


def test_read_claims_without_context_checks_only_the_file(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text(
        ",".join(CLAIM_COLUMNS) + "\nC1,A claim.,intro,effect,,,x2020,,supported,Because.\n",
        encoding="utf-8",
    )
    table = read_claims(path)
    assert table.verdict_counts()["supported"] == 1
    with pytest.raises(StudyDataError, match="study_ids: got 'x2020'"):
        read_claims(path, study_ids={"y2021"})
