"""A review's own terms (evsum.toml's [glossary]) join evsum's glossary: validated with the
rest of the protocol, listed on the glossary page after evsum's terms, and linked from their
first use on each page."""

import re

import pytest

from evsum import StudyDataError
from evsum.ingest.protocol import load_protocol, parse_protocol
from evsum.present.glossary import TERMS, glossary_page, glossary_terms, link_first_uses

from conftest import ROOT, SMALL_PROTOCOL

GOOD = SMALL_PROTOCOL.read_text(encoding="utf-8")
OWN = (
    "\n[glossary]\n"
    '"IV" = "Intravenous: given into a vein."\n'
    '"RET + KET" = "Retrieval then ketamine."\n'
    '"MD" = "Doctor of medicine."\n'
)


def test_the_protocol_reads_its_glossary_in_order():
    protocol = parse_protocol(GOOD + OWN)
    assert list(protocol.glossary.items()) == [
        ("IV", "Intravenous: given into a vein."),
        ("RET + KET", "Retrieval then ketamine."),
        ("MD", "Doctor of medicine."),
    ]
    assert parse_protocol(GOOD).glossary == {}  # optional


def test_bad_glossary_entries_are_reported_together_with_their_lines():
    text = GOOD + '\n[glossary]\n"IV" = ""\n" IM" = "Intramuscular."\n"SC" = 3\n'
    with pytest.raises(StudyDataError) as info:
        parse_protocol(text, "evsum.toml")
    problems = {(p.column, str(p.value)): p for p in info.value.problems}
    assert set(problems) == {("glossary.IV", ""), ("glossary. IM", " IM"), ("glossary.SC", "3")}
    lines = text.splitlines()
    assert lines[problems[("glossary.IV", "")].line - 1] == '"IV" = ""'
    assert "on one line, without spaces around it" in problems[("glossary. IM", " IM")].expected
    assert "what the term means" in problems[("glossary.SC", "3")].expected


def test_the_glossary_page_lists_the_reviews_terms_after_evsums():
    own = parse_protocol(GOOD + OWN).glossary
    page = glossary_page("A review", own)
    ids = re.findall(r'<dt id="([^"]+)">', page)
    generic = [t.id for t in TERMS if t.id != "md"]  # the review's MD replaces evsum's
    assert ids == [*generic, "iv", "ret-ket", "md"]
    assert len(set(ids)) == len(ids)
    review = page[page.index("Terms and abbreviations of this review") :]
    assert '<dt id="iv">IV</dt>\n<dd>Intravenous: given into a vein.</dd>' in review
    assert "Mean difference" not in page  # replaced, not listed twice
    assert "Terms and abbreviations of this review" not in glossary_page("A review")


def test_each_reviews_term_links_from_its_first_use_outside_quotes():
    terms = glossary_terms({"IV": "Intravenous: given into a vein.", "RET + KET": "R then K."})
    page = (
        '<body><h2>IV</h2><p><span class="evsum-quote">0.5 mg/kg IV</span></p>'
        "<p>0.71 mg/kg IV over 52 min; IV again; the RET + KET arm; REML.</p></body>"
    )
    out = link_first_uses(page, terms=terms)
    assert out.count('href="glossary.html#iv"') == 1
    assert '<abbr title="Intravenous: given into a vein."><a href="glossary.html#iv">IV</a>' in out
    assert out.index("glossary.html#iv") > out.index("0.71 mg/kg")  # not the quote's
    assert '<a href="glossary.html#ret-ket">RET + KET</a>' in out
    assert 'href="glossary.html#reml"' in out  # evsum's terms still linked
    assert "glossary.html#iv" not in link_first_uses(page)  # not without the protocol's


def test_the_repository_explains_the_abbreviations_its_reports_use():
    own = load_protocol(ROOT).glossary
    # named unexplained by issue 28 on the condition pages; each needs a meaning here
    for term in ("MADRS", "HDRS", "IM", "IV", "MRM"):
        assert own.get(term, "").strip(), term
    # evsum's own glossary is generic: none of the review's abbreviations are in it
    assert not {w for t in TERMS for w in t.words} & set(own)
