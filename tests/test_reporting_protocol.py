"""The reporting facts the repository's protocols declare (``[reporting]``, ``[search]``
dates, ``[source_text]``) are true of their data: every fact a sentence states is counted here
from the data files, and the audited text's identity is quoted from the text itself."""

import re
import warnings

import pandas as pd

import evsum
from evsum.ingest.protocol import load_protocol

from conftest import ROOT

BCG = ROOT / "examples" / "bcg-vaccine"


def _space(text: str) -> str:
    return " ".join(text.split())


def test_interpretation_and_implications_state_what_the_data_hold():
    reporting = load_protocol(ROOT).kind.reporting
    evidence = evsum.load_evidence(base=ROOT)
    data = evidence.studies.data
    # "every rating is very low"
    assert set(evidence.grade["certainty"]) == {"very low"}
    assert "very low" in reporting.interpretation and "very low" in reporting.implications
    # "none read in its full text"
    assert "full text" not in set(data["source_kind"])
    assert "none read in its full text" in reporting.interpretation
    # "most only in their abstracts": studies with an abstract row
    abstract = data.groupby("study_id")["source_kind"].agg(lambda k: "abstract" in set(k))
    assert abstract.sum() > len(abstract) / 2
    # "Every result rests on a single study"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyses = evsum.analyse_all(evidence)
    assert all(a.result.k == 1 for a in analyses if a.result is not None)
    # "six registered studies are ongoing", each a ClinicalTrials.gov record
    log = pd.read_csv(ROOT / "data" / "search_log.csv", dtype=str).fillna("")
    ongoing = log[log["decision"] == "ongoing"]
    assert len(ongoing) == 6 and "six registered studies are ongoing" in reporting.implications
    assert all(re.search(r"NCT\d{8}", title) for title in ongoing["title"])
    # Jones et al. 2018 "pooled nothing (claims audit, C20)"
    claims = pd.read_csv(ROOT / "data" / "claims.csv", dtype=str).set_index("claim_id")
    assert "pooled nothing" in claims.loc["C20", "rationale"]
    assert claims.loc["C20", "reference_id"] == "jones2018"


def test_nothing_unknown_is_declared():
    # funding and competing interests are recorded nowhere in the repository: not declared,
    # so the checklist says "not reported"
    for base in (ROOT, BCG):
        reporting = load_protocol(base).kind.reporting
        assert reporting.funding == "" and reporting.competing_interests == ""


def test_search_dates_are_those_of_the_search_log():
    # git log --date=short -- data/search_log.csv: every candidate of today's log is in the
    # version of commit 288edd6 (2026-11-25); the row SRC:source_text came with 7ed87dd
    # (2026-12-07)
    dates = load_protocol(ROOT).kind.search.dates
    assert "Every candidate was logged on 2026-11-25" in dates
    assert "added as a source row on 2026-12-07" in dates
    assert "No date is recorded per source" in dates


def test_the_audited_text_is_identified_from_its_own_words():
    source = load_protocol(ROOT).kind.source_text
    text = (ROOT / "data" / "source_text.txt").read_text(encoding="utf-8")
    assert text.splitlines()[0] == source.title  # "The title is the text's first line"
    assert source.publisher == source.published == "not stated in the text"
    for quoted in re.findall(r"“([^”]+)”", source.note):
        assert _space(quoted) in _space(text), quoted
    # the text names no date: no year outside its reference list
    body = text.split("\nReferences\n")[0]
    assert not re.search(r"\b(19|20)\d\d\b", re.sub(r"\([^)]*\d{4}\)", "", body))


def test_the_audit_names_its_source_text():
    evidence = evsum.load_evidence(base=ROOT)
    claims = evsum.load_claims(evidence)
    audit = evsum.audit_source_references(evidence)
    page = str(evsum.blocks.audit.title(claims, audit, protocol=evidence.protocol))
    assert (
        "<strong>The audited text.</strong> Ketamine Therapy for Substance Use Disorders: "
        "A New Hope for Addiction Treatment; publisher not stated in the text; date of "
        "publication not stated in the text;"
    ) in page
    assert "ketaminerelief.org" in page


def test_the_bcg_rationale_quotes_metadat():
    # metadat 1.2.0, help("dat.bcg"), Details: "The goal of the meta-analysis was to examine
    # the overall effectiveness of the BCG vaccine for preventing tuberculosis and to examine
    # moderators that may potentially influence the size of the effect."
    reporting = load_protocol(BCG).kind.reporting
    assert (
        "The goal of the meta-analysis was to examine the overall effectiveness of the BCG "
        "vaccine for preventing tuberculosis and to examine moderators that may potentially "
        "influence the size of the effect." in reporting.rationale
    )
    assert "doi:10.1001/jama.1994.03510330076038" in reporting.data_availability
