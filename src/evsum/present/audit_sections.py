"""HTML blocks of the claims and citation audit report.

Every value that came from data is escaped; links are made only to DOIs that the citation audit
verified (or that the curated record holds and validation accepted) and to the anchors that the
condition reports emit (``<condition>.html#study-<study_id>`` and ``#row-...``).
"""

from __future__ import annotations

import urllib.parse

import pandas as pd

from evsum.ingest.claims import VERDICTS, ClaimTable
from evsum.ingest.evidence import Evidence
from evsum.present.sections import HtmlBlock, doi_link, esc, html_table, row_anchor
from evsum.review.citations import CitationAudit, CitationCheck
from evsum.review.claims import claim_gaps, claim_rows, row_result

#: Background colour of each verdict's label (colour-blind-safe Okabe-Ito tints).
_VERDICT_COLOURS: dict[str, str] = {
    "supported": "#cde9d9",
    "partly supported": "#e4efc9",
    "overstated": "#fbe3bf",
    "not supported": "#f7d0c4",
    "not assessable from the cited evidence": "#e3e3e3",
}


def _verdict(verdict: str) -> str:
    colour = _VERDICT_COLOURS.get(verdict, "#ffffff")
    return (f'<span class="evsum-verdict" style="background:{colour};padding:0 0.3em">'
            f"{esc(verdict)}</span>")


def _keep(html_text: str, width: str) -> str:
    """Wrap a cell's HTML so the column keeps a minimum width and does not break words."""
    return f'<div style="min-width:{width};overflow-wrap:normal">{html_text}</div>'


def _page(condition: str) -> str:
    return urllib.parse.quote(str(condition), safe="") + ".html"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def audit_title_html(claims: ClaimTable, audit: CitationAudit) -> HtmlBlock:
    """Heading of the audit report with the numbers of claims and references checked."""
    return HtmlBlock(
        "<h1>Claims and citation audit</h1>"
        f"<p>{esc(_plural(len(claims.data), 'claim'))} of the audited text checked against "
        f"the evidence base; {esc(_plural(len(audit.checks), 'entry', 'entries'))} of its "
        "reference list checked against the curated references.</p>")


def audit_summary_html(claims: ClaimTable, audit: CitationAudit) -> HtmlBlock:
    """Plain-language summary derived from the verdict counts and the citation audit."""
    data = claims.data
    counts = claims.verdict_counts()
    total = len(data)
    stories = int((data["claim_type"] == "case story").sum())
    cited = data[data["cited_reference"] != ""]
    points = []
    supported = counts["supported"]
    points.append(
        f"Of the {total} claims checked, "
        + ("none is" if supported == 0 else f"{supported} {'is' if supported == 1 else 'are'}")
        + " fully supported by the evidence the text cites or by the studies in this "
        "evidence base.")
    points.append(
        f"{counts['partly supported']} are partly supported, {counts['overstated']} overstate "
        f"what the studies show and {counts['not supported']} are not supported.")
    unassessable = counts["not assessable from the cited evidence"]
    points.append(
        f"{unassessable} cannot be checked against the cited evidence"
        + (f", including {_plural(stories, 'patient story', 'patient stories')}, which are "
           "anecdotes and not evidence." if stories else "."))
    cited_good = int((cited["verdict"] == "supported").sum())
    cited_counts = cited["verdict"].value_counts()
    points.append(
        f"{_plural(len(cited), 'claim')} cite a reference; "
        + ("none of them is" if cited_good == 0 else f"{cited_good} of them "
           f"{'is' if cited_good == 1 else 'are'}") + " fully supported by it ("
        + ", ".join(f"{cited_counts[v]} {v}" for v in VERDICTS if cited_counts.get(v, 0))
        + ").")
    clean = sum(check.ok for check in audit.checks)
    wrong = [check for check in audit.checks if not check.ok]
    text = (f"{clean} of the {len(audit.checks)} entries in the reference list match the "
            "record curated from the journals")
    if wrong:
        text += "; the others are wrong: " + "; ".join(
            f"{check.entry.key or f'entry {check.entry.index}'} ("
            + ", ".join(check.kinds) + ")" for check in wrong)
    points.append(text + ".")
    return HtmlBlock("<ul>" + "".join(f"<li>{esc(p)}</li>" for p in points) + "</ul>")


def verdict_scale_html(claims: ClaimTable | None = None) -> HtmlBlock:
    """The verdict scale with its meanings (and the count of each verdict, given claims)."""
    counts = claims.verdict_counts() if claims is not None else {}
    rows = [[_verdict(v), esc(meaning)] + ([esc(counts[v])] if counts else [])
            for v, meaning in VERDICTS.items()]
    return HtmlBlock(html_table(["Verdict", "Meaning"] + (["Claims"] if counts else []), rows,
                            "evsum-verdicts"))


def _reference_cell(claim: pd.Series, evidence: Evidence, studies: pd.DataFrame) -> str:
    if not claim["cited_reference"]:
        return "<em>none cited</em>"
    out = esc(claim["cited_reference"])
    key = claim["reference_id"]
    if not key:
        return out
    ref = evidence.reference(key) or {}
    rows = studies[studies["study_id"] == key]
    if len(rows):
        target = f'{_page(rows.iloc[0]["condition"])}#study-{esc(key)}'
        out += f'<br>→ <a href="{esc(target)}">{esc(key)}</a>'
    else:
        out += f"<br>→ {esc(key)}"
    if ref.get("DOI"):
        out += " · " + doi_link(ref["DOI"], "paper")
    return out


def _data_cell(claim: pd.Series, studies: pd.DataFrame) -> str:
    rows = claim_rows(claim, studies)
    if not len(rows):
        return ""
    items = []
    for _, row in rows.iterrows():
        page = _page(row["condition"])
        label = (f'<a href="{esc(page)}#study-{esc(row["study_id"])}">'
                 f'{esc(row["first_author"])} {esc(row["year"])}</a>')
        outcome = (f'<a href="{esc(page)}#{esc(row_anchor(row))}">'
                   f'{esc(row["outcome"].replace("_", " "))} at {esc(row["timepoint"])}</a>')
        quote = ""
        if row["data_level"] == "narrative" and row["source_quote"]:
            quote = f' <span class="evsum-quote">“{esc(row["source_quote"])}”</span>'
        items.append(f"<li>{label} (comparator: {esc(row['comparator_type'])}): {outcome}: "
                     f"{esc(row_result(row))}{quote}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def claims_html(claims: ClaimTable, evidence: Evidence) -> HtmlBlock:
    """Every claim with its verdict, the reasons, and the mapped study rows (linked).

    The numbers come from the study rows (:func:`evsum.review.claims.row_result`); each row
    links to its line in the condition report.
    """
    studies = evidence.studies.data
    table = []
    for _, claim in claims.data.iterrows():
        mapped = _data_cell(claim, studies)
        data = mapped + "".join(f"<p>{esc(gap)}.</p>" for gap in claim_gaps(claim, studies))
        table.append([
            _keep(f'<span id="claim-{esc(claim["claim_id"])}">{esc(claim["claim_id"])}</span>',
                  "2.5rem"),
            _keep(f'<span class="evsum-quote">“{esc(claim["quote"])}”</span>'
                  f'<br><small>{esc(claim["section"])} · {esc(claim["claim_type"])}</small>',
                  "14rem"),
            _keep(_reference_cell(claim, evidence, studies), "8rem"),
            _keep(_verdict(claim["verdict"]), "6rem"),
            f"<p>{esc(claim['rationale'])}</p>"
            + (f"<details open><summary>What the data rows say</summary>{data}</details>"
               if data else ""),
        ])
    return HtmlBlock(html_table(["#", "Claim (section · type)", "Cited", "Verdict",
                             "Why, and what the data say"], table, "evsum-claims"))


def _findings(check: CitationCheck) -> str:
    items = [f"<li><strong>{esc(d.kind)}</strong>: {esc(d.detail)}</li>"
             for d in check.discrepancies]
    items += [f"<li>{esc(n.kind)}: {esc(n.detail)}</li>" for n in check.notes]
    if not items:
        return "matches the curated record"
    return "<ul>" + "".join(items) + "</ul>"


def citation_audit_html(audit: CitationAudit) -> HtmlBlock:
    """The reference list entry by entry: matched record and every discrepancy.

    A cited DOI is a link only when it equals the matched record's DOI.
    """
    rows = []
    for check in audit.checks:
        entry = check.entry
        doi = ""
        if entry.doi:
            doi = ("<br>DOI: " + (doi_link(entry.doi) if check.doi_verified else
                                  esc(entry.doi) + " (not verified)"))
        matched = esc(check.reference_id or "no match")
        if check.reference_id:
            matched += f"<br><small>by {esc(check.matched_by)}</small>"
        if check.related_ids:
            matched += "<br><small>also points to: " + esc(", ".join(check.related_ids)) \
                + "</small>"
        rows.append([
            esc(entry.index),
            _keep(f"{esc(entry.key)}<br><small>{esc(entry.style)}</small>", "8rem"),
            _keep(f'<span class="evsum-quote">{esc(entry.text)}</span>{doi}', "16rem"),
            _keep(matched, "7rem"),
            "✔" if check.ok else "✘",
            _keep(_findings(check), "22rem"),
        ])
    return HtmlBlock(html_table(["#", "Cited as", "Entry as printed", "Curated record", "OK",
                             "Findings"], rows, "evsum-citations")
                     + f"<p>{esc(audit.summary())}</p>")
