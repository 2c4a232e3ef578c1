"""The curated claims audit and selection data: the audited text is covered sentence by sentence,
and the counts, criteria and certainty ratings agree with what the sources say."""

import csv
import shutil

import pytest

import evsum
from evsum import StudyDataError
from evsum.ingest.claims import load_claims, validate_data
from evsum.ingest.io import read_text
from evsum.ingest.source_sentences import DISPOSITIONS, load_source_sentences

from conftest import ROOT

DATA = ROOT / "data"


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


def _write(path, fields, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def evidence():
    return evsum.load_evidence(DATA / "studies.csv")


@pytest.fixture(scope="module")
def claims(evidence):
    return load_claims(evidence)


@pytest.fixture(scope="module")
def sentences(claims):
    return load_source_sentences(DATA, claims.data)


@pytest.fixture
def data_copy(tmp_path):
    for path in DATA.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    return tmp_path


# --- 1. the audited text, every sentence accounted for -------------------------------------


def test_the_audited_text_is_kept_with_the_data():
    text = read_text(DATA / "source_text.txt")
    assert text.startswith("Ketamine Therapy for Substance Use Disorders: A New Hope")
    # the reference list kept separately is the text's own, verbatim
    for entry in read_text(DATA / "source_references.txt").split("\n\n"):
        assert " ".join(entry.split()) in " ".join(text.split())


def test_every_sentence_is_a_claim_or_marked_otherwise(sentences):
    data = sentences.data
    assert set(data["disposition"]) <= set(DISPOSITIONS)
    claims_rows = data[data["disposition"] == "claim"]
    assert (claims_rows["claim_ids"] != "").all()
    others = data[data["disposition"] != "claim"]
    assert (others["reason"].str.strip() != "").all()
    assert (others["claim_ids"] == "").all()


def test_a_sentence_with_no_disposition_fails(data_copy, evidence):
    fields, rows = _rows(data_copy / "source_sentences.csv")
    row = next(r for r in rows if r["disposition"] == "background")
    row["disposition"], row["reason"] = "", ""
    _write(data_copy / "source_sentences.csv", fields, rows)
    with pytest.raises(StudyDataError, match=r"disposition: got ''"):
        validate_data(data_copy / "studies.csv")


def test_a_sentence_left_out_of_the_list_fails(data_copy):
    fields, rows = _rows(data_copy / "source_sentences.csv")
    dropped = next(r for r in rows if r["sentence"].startswith("This synergy"))
    rows.remove(dropped)
    # the claim it held is then quoted by no sentence either
    _write(data_copy / "source_sentences.csv", fields, rows)
    with pytest.raises(StudyDataError) as err:
        validate_data(data_copy / "studies.csv")
    text = str(err.value)
    assert "these words have none" in text and "This synergy is particularly" in text
    assert "in exactly one claim sentence (it is in none)" in text


def test_a_new_sentence_in_the_text_fails(data_copy):
    text = read_text(data_copy / "source_text.txt")
    text = text.replace(
        "This synergy is", "Ketamine cures addiction in a week. This synergy is", 1
    )
    (data_copy / "source_text.txt").write_text(text, encoding="utf-8")
    with pytest.raises(StudyDataError, match="Ketamine cures addiction in a week"):
        validate_data(data_copy / "studies.csv")


def test_claims_of_one_sentence_quote_separate_words(data_copy):
    fields, rows = _rows(data_copy / "claims.csv")
    c02 = next(r for r in rows if r["claim_id"] == "C02")
    c02["quote"] = (
        "Ketamine, known for its rapid antidepressant effects, is emerging as a promising "
        "treatment for SUDs."
    )
    _write(data_copy / "claims.csv", fields, rows)
    with pytest.raises(StudyDataError, match=r"claim_ids: got 'C01;C02'.*counted twice"):
        validate_data(data_copy / "studies.csv")


def test_c01_is_no_longer_counted_within_c02(claims):
    quotes = dict(zip(claims.data["claim_id"], claims.data["quote"], strict=True))
    assert quotes["C01"] not in quotes["C02"] and quotes["C02"] not in quotes["C01"]
    for a, qa in quotes.items():
        for b, qb in quotes.items():
            assert a == b or qa.rstrip(".") not in qb, (a, b)


@pytest.mark.parametrize(
    "words, claim_type",
    [
        ("may be more receptive to behavioral interventions", "effect"),
        ("This synergy is particularly beneficial", "effect"),
        ("Mark experienced a significant reduction in cravings", "case story"),
        ("Lisa experienced a dramatic reduction in cravings", "case story"),
        ("creates a comprehensive recovery plan", "effect"),
        ("particularly those involving opioids and alcohol", "effect"),
        ("poised to become a key component of addiction treatment", "effect"),
    ],
)
def test_the_substantive_claims_the_first_audit_missed_are_audited(claims, words, claim_type):
    rows = claims.data[claims.data["quote"].str.contains(words, regex=False)]
    assert len(rows) == 1
    assert rows["claim_type"].iloc[0] == claim_type


def test_opioids_and_alcohol_is_not_called_supported(claims):
    # the opioid trials compared doses or schedules (Krupitsky 2002, 2007), so the text's
    # emphasis on opioids is at most partly supported
    row = claims.data[claims.data["quote"].str.contains("opioids and alcohol")].iloc[0]
    assert row["verdict"] in {"partly supported", "overstated"}
    assert {"krupitsky2002", "krupitsky2007"} <= set(row["study_ids"].split(";"))


def test_a_citation_with_an_unverified_doi_gets_no_tick(evidence, claims):
    from evsum.present.audit_sections import audit_summary_html, citation_audit_html

    audit = evsum.audit_source_references(evidence)
    html = citation_audit_html(audit).html
    zarate_row = next(r for r in html.split("<tr>") if "Zarate et al. (2006)" in r)
    assert "✔" not in zarate_row and "not fully verified" in zarate_row
    duman_row = next(r for r in html.split("<tr>") if "Duman &amp; Aghajanian (2012)" in r)
    assert "✔" in duman_row
    # 2 entries match in full (Duman 2012, Jones 2018), Zarate in what could be checked
    assert "2 of 5 entries" in audit.summary() and "1 more matches" in audit.summary()
    summary = audit_summary_html(claims, audit).html
    assert "2 of the 5 entries" in summary and "matches in what could be checked" in summary
