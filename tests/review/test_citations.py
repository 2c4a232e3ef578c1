"""Citation audit: parsing APA and Vancouver entries, matching, and classifying differences.

Expected bibliographic values come from data/references.json (curated from the journal pages;
see data/parts/*/notes.md), never from memory.
"""

import json

import pytest
from click.testing import CliRunner

from evsum.cli import main
from evsum.ingest.references import parse_reference, parse_reference_list
from evsum.present.audit_sections import citation_audit_html
from evsum.review.citations import (
    DISCREPANCY_KINDS,
    audit_citations,
    audit_references,
    check_reference,
)

from conftest import ROOT

DATA = ROOT / "data"
REFERENCES = json.loads((DATA / "references.json").read_text(encoding="utf-8"))

# Built from the jones2018 record of data/references.json.
JONES_APA = (
    "Jones, J. L., Mateus, C. F., Malcolm, R. J., Brady, K. T., & Back, S. E. (2018). "
    "Efficacy of ketamine in the treatment of substance use disorders: A systematic "
    "review. *Frontiers in Psychiatry*, 9, 277. https://doi.org/10.3389/fpsyt.2018.00277"
)
DUMAN_VANCOUVER = (
    "Duman RS, Aghajanian GK. Synaptic dysfunction in depression: potential "
    "therapeutic targets. Science. 2012;338(6103):68-72. "
    "doi:10.1126/science.1222939"
)


def _check(text):
    return check_reference(parse_reference(text), REFERENCES)


@pytest.fixture(scope="module")
def blog_audit():
    return audit_citations(DATA / "source_references.txt", DATA / "references.json")


def test_the_blog_list_has_five_apa_entries(blog_audit):
    entries = [c.entry for c in blog_audit.checks]
    assert [e.key for e in entries] == [
        "Dakwar et al. (2019)",
        "Duman & Aghajanian (2012)",
        "Jones et al. (2018)",
        "Krupitsky et al. (2002)",
        "Zarate et al. (2006)",
    ]
    assert {e.style for e in entries} == {"APA"}
    dakwar = entries[0]
    assert (dakwar.volume, dakwar.issue, dakwar.pages) == ("176", "10", "743-750")
    assert dakwar.doi == "10.1176/appi.ajp.2019.18101123"
    assert dakwar.last_author == "Nunes" and dakwar.truncated


def test_blog_dakwar_entry_has_the_alcohol_title_and_the_cocaine_doi(blog_audit):
    check = blog_audit.checks[0]
    assert check.reference_id == "dakwar2020" and check.matched_by == "title"
    assert "dakwar2019" in check.related_ids
    kinds = check.kinds
    assert {
        "doi of another paper",
        "wrong year",
        "wrong volume",
        "wrong issue",
        "wrong pages",
    } <= set(kinds)
    by_kind = {d.kind: d for d in check.discrepancies}
    assert by_kind["doi of another paper"].cited == "10.1176/appi.ajp.2019.18101123"
    assert by_kind["doi of another paper"].curated == "10.1176/appi.ajp.2019.19070684"
    assert "dakwar2019" in by_kind["wrong volume"].detail  # 176 is the cocaine trial's volume
    assert "matches no curated paper" in by_kind["wrong pages"].detail  # 743-750: neither


def test_blog_krupitsky_entry_carries_the_2007_title(blog_audit):
    check = blog_audit.checks[3]
    assert check.reference_id == "krupitsky2007"
    assert check.related_ids == ("krupitsky2002",)
    assert "title of another paper" in check.kinds
    assert "wrong doi" in check.kinds and "wrong year" in check.kinds
    detail = next(d.detail for d in check.discrepancies if d.kind == "title of another paper")
    assert "Journal of Substance Abuse Treatment" in detail


def test_blog_clean_entries_and_unverifiable_doi(blog_audit):
    ok = {c.entry.key: c.ok for c in blog_audit.checks}
    assert ok["Duman & Aghajanian (2012)"] and ok["Jones et al. (2018)"]
    zarate = blog_audit.checks[4]
    assert zarate.ok and not zarate.doi_verified
    assert [n.kind for n in zarate.notes] == ["doi unverified"]
    assert not blog_audit.ok


def test_exact_match_is_clean():
    check = _check(JONES_APA)
    assert check.ok and check.reference_id == "jones2018" and check.doi_verified
    assert check.title_similarity == 100


def test_typo_in_title_still_matches_and_is_reported():
    check = _check(JONES_APA.replace("substance use", "substanse use"))
    assert check.reference_id == "jones2018"
    assert check.kinds == ("title differs",)


def test_doi_of_another_paper():
    check = _check(JONES_APA.replace("10.3389/fpsyt.2018.00277", "10.1126/science.1222939"))
    assert check.reference_id == "jones2018"
    assert check.kinds == ("doi of another paper",)
    assert "duman2012" in check.discrepancies[0].detail


def test_missing_doi():
    check = _check(JONES_APA.replace(" https://doi.org/10.3389/fpsyt.2018.00277", ""))
    assert check.entry.doi == ""
    assert check.kinds == ("missing doi",)


def test_wrong_year_and_author_order():
    text = JONES_APA.replace("(2018)", "(2019)").replace(
        "Mateus, C. F., Malcolm, R. J.", "Malcolm, R. J., Mateus, C. F."
    )
    check = _check(text)
    assert check.kinds == ("wrong year", "author list differs")


def test_unparseable_entry():
    check = _check("Ketamine works. Some website, accessed last year.")
    assert check.entry.style == "unparsed"
    assert check.kinds == ("unparseable",) and not check.ok


def test_unknown_paper_is_no_match():
    check = _check(
        "Smith, A. (2001). A paper on something else entirely. *Journal of Things*, 1(1), 1-2."
    )
    assert check.reference_id is None and check.kinds == ("no match",)


def test_vancouver_style():
    entry = parse_reference(DUMAN_VANCOUVER)
    assert entry.style == "Vancouver"
    assert entry.authors == ("Duman", "Aghajanian")
    assert (entry.year, entry.journal, entry.volume, entry.issue, entry.pages) == (
        2012,
        "Science",
        "338",
        "6103",
        "68-72",
    )
    assert check_reference(entry, REFERENCES).ok


def test_vancouver_abbreviated_journal_and_pages_with_et_al():
    text = (
        "Krupitsky EM, Burakov AM, Dunaevsky IV, et al. Single versus repeated sessions of "
        "ketamine-assisted psychotherapy for people with heroin dependence. J Psychoactive "
        "Drugs. 2007 Mar;39(1):13-9. doi:10.1080/02791072.2007.10399860"
    )
    check = _check(text)
    assert check.entry.truncated and check.entry.pages == "13-9"
    assert check.ok, check.discrepancies


def test_split_numbered_list_without_blank_lines():
    text = "References\n1. " + DUMAN_VANCOUVER + "\n2. " + JONES_APA + "\n"
    entries = parse_reference_list(text)
    assert [e.style for e in entries] == ["Vancouver", "APA"]
    assert audit_references(entries, REFERENCES).ok


def test_every_kind_is_described():
    assert all(DISCREPANCY_KINDS.values())


def test_to_frame_has_one_row_per_finding(blog_audit):
    frame = blog_audit.to_frame()
    assert set(frame["entry"]) == {1, 2, 3, 4, 5}
    assert (frame["kind"] == "").sum() == 2  # Duman and Jones match cleanly


def test_html_escapes_and_links_only_verified_dois():
    refs = [dict(r) for r in REFERENCES]
    text = JONES_APA.replace("Efficacy", "<script>Efficacy").replace(
        "10.3389/fpsyt.2018.00277", "10.1126/science.1222939"
    )
    html = citation_audit_html(audit_references([parse_reference(text)], refs)).html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="https://doi.org/10.1126' not in html  # DOI of another paper: not linked


def test_cli_exit_codes(tmp_path):
    runner = CliRunner()
    refs = str(DATA / "references.json")
    clean = tmp_path / "clean.txt"
    clean.write_text(JONES_APA + "\n\n" + DUMAN_VANCOUVER + "\n", encoding="utf-8")
    out_csv, out_html = tmp_path / "a.csv", tmp_path / "a.html"
    result = runner.invoke(
        main,
        [
            "audit-citations",
            str(clean),
            "--references",
            refs,
            "--csv",
            str(out_csv),
            "--html",
            str(out_html),
        ],
    )
    assert result.exit_code == 0, result.output
    assert out_csv.read_text().startswith("entry,key,style")
    assert "<table" in out_html.read_text()
    result = runner.invoke(
        main, ["audit-citations", str(DATA / "source_references.txt"), "--references", refs]
    )
    assert result.exit_code == 1 and "doi of another paper" in result.output
    result = runner.invoke(main, ["audit-citations", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2
