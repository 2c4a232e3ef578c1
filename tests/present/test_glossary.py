"""The glossary: every term explained once on glossary.html and linked from its first use."""

import re
from types import SimpleNamespace

from evsum.present.glossary import TERMS, glossary_page, link_first_uses
from evsum.render.index import index_html


def test_first_use_only_is_linked_outside_headings_links_and_quotes():
    page = (
        "<html><head><title>REML</title></head><body><h2>REML</h2>"
        '<p><a href="x.html">REML</a> <span class="evsum-quote">“RR and REML”</span></p>'
        "<table><thead><tr><th>RR</th></tr></thead><tbody><tr><td>RR 2.0</td></tr></tbody>"
        "</table><p>REML, then REML again; a FORMER word is no OR.</p></body></html>"
    )
    out = link_first_uses(page)
    assert out.count('href="glossary.html#reml"') == 1
    assert out.count('href="glossary.html#rr"') == 1
    assert "<td><abbr" in out  # RR in the table body, not in the quote or the header
    assert '<span class="evsum-quote">“RR and REML”</span>' in out
    assert "<h2>REML</h2>" in out and "<title>REML</title>" in out
    assert "FORMER" in out and out.count('href="glossary.html#or"') == 1  # whole words only
    assert re.search(r'<abbr title="Restricted maximum likelihood[^"]*"><a href="glossary', out)
    assert link_first_uses("<p>no body</p>") == "<p>no body</p>"


def test_the_glossary_page_has_one_anchor_per_term_and_every_link_reaches_it():
    page = glossary_page("A review")
    ids = re.findall(r'<dt id="([^"]+)">', page)
    assert ids == [t.id for t in TERMS] and len(set(ids)) == len(ids)
    linked = link_first_uses("<body><p>" + " ; ".join(t.words[0] for t in TERMS) + "</p></body>")
    assert sorted(re.findall(r'href="glossary.html#([^"]+)"', linked)) == sorted(ids)
    assert "<title>Glossary · A review</title>" in page


def test_the_index_leads_with_the_question_and_the_reports_the_data_version_below(tmp_path):
    about = SimpleNamespace(
        review_title="A review",
        review_question="Does it work?",
        review_kind="",
        data_date="2026-01-01",
        data_sha256="ab" * 32,
    )
    state = {"alcohol": {"title": "Alcohol", "status": "rendered", "order": 0}}
    page = index_html(state, tmp_path, about=about)
    question = page.index("Does it work?")
    reports = page.index("<h2>Reports</h2>")
    version = page.index("ab" * 32)
    assert question < reports < version
    assert '<a href="glossary.html">glossary</a>' in page
