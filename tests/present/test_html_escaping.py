"""Hostile text in the data reaches every HTML builder as text, never as markup.

The fixture (tests/hostile.py) puts ``<script>``, ``<img onerror>``, ``javascript:`` links,
Markdown/LaTeX control characters, a 10,000-character string, a right-to-left override and
other Unicode into every free-text column of the study table and the files beside it.
"""

import re
import warnings

import pandas as pd
import pytest

import evsum
from evsum.exceptions import EvsumWarning
from evsum.ingest.references import parse_reference_list
from evsum.present import display
from evsum.present import sof as tables
from evsum.present.data_version import data_version_html
from evsum.present.forest_section import analyses_html
from evsum.present.heterogeneity import heterogeneity_html
from evsum.present.html import environment, figure_html
from evsum.present.limitations import limitations_html
from evsum.present.overview import evidence_map_html, headline_html, prisma_html
from evsum.present.risk_of_bias import risk_of_bias_html
from evsum.present.sof_section import summary_of_findings_html
from evsum.present.studies import outcome_rows_html, pico_html, references_html, studies_html
from evsum.present.titles import overview_title_html, title_html
from evsum.render import index as index_page
from evsum.review.citations import audit_references

import hostile
from hostile import markup_issues


@pytest.fixture(scope="module")
def evidence(tmp_path_factory):
    path = hostile.write_hostile_data(tmp_path_factory.mktemp("hostile"))
    return evsum.load_evidence(path)


@pytest.fixture(scope="module")
def analyses(evidence):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvsumWarning)
        return evsum.analyse_condition(evidence, "alcohol")


@pytest.fixture(scope="module")
def blocks(evidence, analyses):
    """Every section builder's output on the hostile evidence, by name."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvsumWarning)
        overview = evsum.analyse_all(evidence)
        built = {
            "title_html": title_html("alcohol", "REML"),
            "pico_html": pico_html(evidence, "alcohol"),
            "studies_html": studies_html(evidence, "alcohol"),
            "outcome_rows_html": outcome_rows_html(evidence, "alcohol"),
            "analyses_html": analyses_html(analyses),
            "heterogeneity_html": heterogeneity_html(analyses),
            "risk_of_bias_html": risk_of_bias_html(evidence, "alcohol"),
            "summary_of_findings_html": summary_of_findings_html(evidence, analyses),
            "limitations_html": limitations_html(evidence, "alcohol", analyses),
            "references_html": references_html(evidence, "alcohol"),
            "overview_title_html": overview_title_html(evidence),
            "evidence_map_html": evidence_map_html(overview),
            "headline_html": headline_html(overview),
            "prisma_html": prisma_html(evidence),
            "data_version_html": data_version_html(evidence),
        }
    for analysis in analyses:
        if analysis.result is not None:
            built[f"PoolResult {analysis.title}"] = display.result_html(analysis.result)
    return {name: str(block) for name, block in built.items()}


def test_every_public_section_builder_is_covered(blocks):
    from evsum import blocks as report_blocks

    public = {
        getattr(module, name).__name__
        for module in (report_blocks.condition, report_blocks.overview)
        for name in module.__all__
    } | {report_blocks.data_version.__name__}
    elsewhere = {"few_studies_html", "plan_html", "figure_html"}  # each tested on its own
    assert public - elsewhere <= set(blocks), public - elsewhere - set(blocks)


@pytest.mark.parametrize(
    "name",
    [
        "title_html",
        "pico_html",
        "studies_html",
        "outcome_rows_html",
        "analyses_html",
        "heterogeneity_html",
        "risk_of_bias_html",
        "summary_of_findings_html",
        "limitations_html",
        "references_html",
        "overview_title_html",
        "evidence_map_html",
        "headline_html",
        "prisma_html",
        "data_version_html",
    ],
)
def test_section_has_no_active_markup(blocks, name):
    issues, _ = markup_issues(blocks[name])
    assert not issues, issues


def test_pool_result_html_has_no_active_markup(blocks):
    pooled = [name for name in blocks if name.startswith("PoolResult")]
    assert pooled
    for name in pooled:
        issues, _ = markup_issues(blocks[name])
        assert not issues, (name, issues)


def test_hostile_text_is_shown_as_text(blocks):
    """Escaping must not drop or mangle the data: every string is visible verbatim."""
    text = "".join(markup_issues(page)[1] for page in blocks.values())
    for value in hostile.ALL:
        assert value in text, value[:60]


def test_links_only_to_https(blocks):
    for name, page in blocks.items():
        for href in pd.Series(page).str.extractall(r'href="([^"]*)"')[0]:
            local = re.fullmatch(r"[a-z0-9%-]+\.html(#[A-Za-z0-9_-]+)?", href)
            assert href.startswith(("https://", "#")) or local, (name, href)


def test_bidi_overrides_are_closed_within_each_value(blocks):
    """A right-to-left override must not reorder what follows the value (year, next cell).

    (Only the report sections: the notebook display of a PoolResult is for interactive use.)
    """
    for name, page in blocks.items():
        if name.startswith("PoolResult"):
            continue
        _, text = markup_issues(page)
        for chunk in text.split("\u202c"):
            assert chunk.count("\u202e") <= 1, name
        opened = text.count("\u202e") + text.count("\u202d")
        assert text.count("\u202c") >= opened, name


def test_figure_alt_text_is_escaped():
    import matplotlib.pyplot as plt

    page = figure_html(plt.figure(figsize=(1, 1)), f'{hostile.SCRIPT}" onerror="x')
    issues, _ = markup_issues(str(page))
    assert not issues, issues


def test_doi_and_url_links_refuse_script_urls():
    links = environment().from_string(
        '{% from "macros.html.j2" import doi_link, linkify %}'
        "{{ doi_link(value) }}|{{ linkify(value) }}|{{ doi_link(value, label) }}"
    )
    for value in (
        hostile.JS_URL,
        '10.1/x"onclick=alert(1)',
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "10.9999/javascript:alert(1)",
    ):
        for page in links.render(value=value, label=hostile.SCRIPT).split("|"):
            issues, _ = markup_issues(page)
            assert not issues, (value, page)


def test_bidi_override_in_one_author_does_not_reverse_the_co_authors(evidence):
    """A U+202E in one family name is closed right after that name, before the next author."""
    key = evidence.studies.data["study_id"].iloc[0]
    ref = {
        "id": key,
        "title": "T",
        "author": [{"family": "Evil\u202eName", "given": "A"}, {"family": "Next", "given": "B"}],
    }
    changed = evsum.Evidence(**{**evidence.__dict__, "references": (ref,)})
    _, text = markup_issues(str(references_html(changed)))
    assert "Evil\u202eName A\u202c, Next B" in text


def test_sof_html_escapes_every_cell(evidence, analyses):
    frame = tables.summary_of_findings(
        [a for a in analyses if a.comparator_type == "placebo"], evidence.grade
    )
    assert len(frame)
    for column in (
        "outcome",
        "timepoint",
        "comparator_type",
        "relative_effect",
        "absolute_effect",
        "risk_difference",
        "certainty_symbols",
        "certainty",
    ):
        frame[column] = [hostile.SCRIPT + hostile.IMG] * len(frame)
    frame["reasons"] = [(hostile.JS_LINK, hostile.TABLE_BREAK)] * len(frame)
    page = tables.sof_html(
        frame, title=hostile.SCRIPT, intervention=hostile.IMG, comparator=hostile.JS_LINK
    )
    issues, text = markup_issues(str(page))
    assert not issues, issues
    assert hostile.SCRIPT in text and hostile.JS_LINK in text


def test_index_page_escapes_names_titles_and_errors(tmp_path):
    names = [hostile.SCRIPT, hostile.JS_URL, 'x" onmouseover="alert(1)', hostile.RLO]
    for name in names:
        (tmp_path / f"{name.replace('/', '_')}.html").write_text("x")
    state = {
        name: {"title": hostile.IMG, "status": "failed", "error": hostile.TABLE_BREAK}
        for name in names
    }
    state["ok"] = {"title": hostile.JS_LINK, "status": hostile.SCRIPT}
    page = index_page.index_html(state, tmp_path)
    issues, text = markup_issues(page)
    assert not issues, issues
    assert hostile.IMG in text and hostile.TABLE_BREAK in text
    assert 'href="javascript:' not in page.lower()


def test_claims_audit_sections_have_no_active_markup(evidence):
    """The audit report's builders, on hostile claims and a hostile reference list."""
    from evsum.ingest.claims import CLAIM_COLUMNS, validate_claims
    from evsum.present import audit_sections

    attack = "<script>alert(1)</script><img src=x onerror=alert(1)> [a](javascript:alert(1))"
    study = evidence.studies.data["study_id"].iloc[0]
    row = dict.fromkeys(CLAIM_COLUMNS, "")
    row.update(
        claim_id="C01",
        quote=f"Ketamine cures all {attack}",
        section=attack,
        claim_type="effect",
        cited_reference=attack,
        study_ids=study,
        outcomes=evidence.studies.data["outcome"].iloc[0],
        verdict="overstated",
        rationale="Because " + attack.replace("alert(1)", "alert()"),
    )
    frame = pd.DataFrame([row]).assign(line=2)
    claims = validate_claims(frame, "claims.csv", study_ids={study})
    text = (
        f"Evil, A. (2020). {attack}. *Journal {attack}*, 1(2), 3-4. "
        'https://doi.org/10.1000/x"><script>alert(1)</script>'
    )
    audit = audit_references(parse_reference_list(text), evidence.references)
    pages = [
        audit_sections.audit_title_html(claims, audit),
        audit_sections.audit_summary_html(claims, audit),
        audit_sections.verdict_scale_html(claims),
        audit_sections.claims_html(claims, evidence),
        audit_sections.citation_audit_html(audit),
    ]
    for page in map(str, pages):
        issues, _ = markup_issues(page)
        assert issues == [], issues
    assert "&lt;script&gt;" in str(pages[3])


def _bidi_closed(name: str, markup: str) -> None:
    _, text = markup_issues(markup)
    for chunk in text.split("\u202c"):
        assert chunk.count("\u202e") <= 1, name
    opened = text.count("\u202e") + text.count("\u202d")
    assert text.count("\u202c") >= opened, name


def test_methods_page_and_page_titles_close_bidi_overrides(tmp_path):
    """One template environment: the methods page closes each value's overrides too (the
    protocol's words, the search log), and so does every page's <title>."""
    from evsum.present import methods
    from evsum.render.report import ReportJob, page_title

    path = hostile.write_hostile_data(tmp_path)
    hostile.write_hostile_protocol(tmp_path)
    evidence = evsum.load_evidence(path, base=tmp_path)
    builders = [
        methods.methods_title_html,
        methods.eligibility_html,
        methods.information_sources_html,
        methods.extraction_html,
        methods.risk_of_bias_tools_html,
        methods.synthesis_html,
        methods.certainty_html,
    ]
    for builder in builders:
        markup = str(builder(evidence))
        assert not markup_issues(markup)[0], builder.__name__
        _bidi_closed(builder.__name__, markup)
    heading = str(overview_title_html(evidence))
    _bidi_closed("overview title", heading)
    assert "\u202c: overview" in heading  # the title's override closed before ": overview"
    job = ReportJob(
        name="alcohol",
        title=evidence.protocol.condition_label("alcohol"),
        notebook="x.ipynb",
        parameters={},
        out_dir=str(tmp_path),
        data_sha256="0" * 64,
        inputs_hash="",
        review_title=evidence.protocol.title,
    )
    _bidi_closed("<title>", page_title(job))
    assert page_title(job).count("\u202c") == 2
