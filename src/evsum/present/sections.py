"""HTML blocks that the report notebooks display: tables and figures built from the data.

Every value that came from data is escaped; links are made only for DOIs that passed
validation and for https URLs.
"""

from __future__ import annotations

import base64
import html
import io
import re
import urllib.parse
from dataclasses import dataclass

import pandas as pd

from evsum import vocab as schema
from evsum.ingest.evidence import Evidence
from evsum.ingest.printed import printed
from evsum.ingest.studies import DOI_PATTERN
from evsum.present.sof import close_bidi
from evsum.review.analysis import OutcomeAnalysis, study_label
from evsum.stats.results import format_p

_URL = re.compile(r"https://[^\s<>\"'()]+[^\s<>\"'().,;:]")


@dataclass(frozen=True)
class HtmlBlock:
    """A piece of trusted HTML (built here, with data escaped) that notebooks display."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def esc(value: object) -> str:
    """Escape any value for HTML text or attribute use; missing values become ''."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    return html.escape(close_bidi(str(value)), quote=True)


def doi_link(doi: object, text: str | None = None) -> str:
    """A link to https://doi.org/ for a well-formed DOI, else the escaped text alone."""
    doi = "" if doi is None else str(doi).strip()
    if not doi or not DOI_PATTERN.match(doi):
        return esc(text if text is not None else doi)
    href = "https://doi.org/" + urllib.parse.quote(doi, safe="/:;()._-")
    return f'<a href="{esc(href)}">{esc(text if text is not None else doi)}</a>'


def linkify(text: object) -> str:
    """Escape ``text`` and turn each https URL in it into a link."""
    raw = "" if text is None else str(text)
    out, last = [], 0
    for match in _URL.finditer(raw):
        url = match.group(0)
        parsed = urllib.parse.urlparse(url)
        out.append(esc(raw[last:match.start()]))
        if parsed.scheme == "https" and parsed.netloc:
            out.append(f'<a href="{esc(url)}">{esc(url)}</a>')
        else:
            out.append(esc(url))
        last = match.end()
    out.append(esc(raw[last:]))
    return "".join(out)


def figure_html(fig, alt: str) -> str:
    """Embed a matplotlib figure as a PNG data URI and close it."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight",
                metadata={"Software": None})
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}">'


def html_table(headers: list[str], rows: list[list[str]], css: str = "") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (f'<table class="{esc(css)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>\n{body}\n</tbody></table>")


def _note(text: str) -> str:
    return f'<p class="evsum-note">{esc(text)}</p>'


def row_anchor(row: pd.Series) -> str:
    """Stable anchor id of a data row: its study and CSV line."""
    return f"row-{re.sub(r'[^a-z0-9]+', '-', str(row['study_id']).lower())}-{int(row['line'])}"


def _n(value) -> str:
    return "" if pd.isna(value) else str(int(value))


def pico_html(evidence: Evidence, condition: str) -> HtmlBlock:
    """The review question (PICO) and what the data hold for one condition."""
    rows = evidence.studies.for_condition(condition)
    label = schema.CONDITIONS.get(condition, condition)
    comparators = sorted(rows["comparator_type"].unique())
    outcomes = sorted(rows["outcome"].unique())
    designs = rows.drop_duplicates("study_id")["design"].value_counts()
    design_text = ", ".join(f"{n} {schema.DESIGNS.get(d, d).lower()}" for d, n in designs.items())
    items = [
        ("Population", f"People with {label.lower()}"),
        ("Intervention", "Ketamine or esketamine, any dose, route or number of sessions, "
                         "with or without psychotherapy"),
        ("Comparators", ", ".join(comparators) + " (analysed separately, never mixed)"),
        ("Outcomes", ", ".join(o.replace("_", " ") for o in outcomes)),
        ("Studies", f"{rows['study_id'].nunique()} ({design_text}); {len(rows)} data rows"),
    ]
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in items)
    return HtmlBlock(f'<table class="evsum-pico"><tbody>{body}</tbody></table>')


def studies_html(evidence: Evidence, condition: str) -> HtmlBlock:
    """Included studies: design, n, intervention, comparator, co-therapy, follow-up, source."""
    rows = evidence.studies.for_condition(condition).drop_duplicates("study_id")
    chars = evidence.characteristics.set_index("study_id") if len(
        evidence.characteristics) else pd.DataFrame()
    table = []
    for _, row in rows.iterrows():
        info = chars.loc[row["study_id"]] if row["study_id"] in chars.index else pd.Series()
        design = schema.DESIGNS.get(row["design"], row["design"])
        n = _n(row["n_intervention"]) + (f" / {_n(row['n_comparator'])}"
                                         if not pd.isna(row["n_comparator"]) else "")
        table.append([
            f'<span id="study-{esc(row["study_id"])}">{esc(row["first_author"])} '
            f'{esc(row["year"])}</span>',
            esc(f"{design}; {row['blinding']}"),
            esc(n or "not reported"),
            esc(row["intervention"]),
            esc(f"{row['comparator']} ({row['comparator_type']})"),
            esc(info.get("co_therapy", "") or "not recorded"),
            esc(info.get("follow_up", "") or row["timepoint"]),
            doi_link(row["doi"]) or linkify(row["source_locator"]),
        ])
    return HtmlBlock(html_table(["Study", "Design", "n (ketamine / comparator)", "Intervention",
                             "Comparator (type)", "Co-therapy (both arms)", "Follow-up",
                             "Source"], table, "evsum-studies"))


def _arm_data(row: pd.Series, arm: str) -> str:
    events, n = row[f"events_{arm}"], row[f"n_{arm}"]
    mean = row[f"mean_{arm}"]
    if not pd.isna(events):
        return f"{_n(events)}/{_n(n)}"
    if not pd.isna(mean):
        return (f"{printed(row, f'mean_{arm}')} ({printed(row, f'sd_{arm}')}), "
                f"n={_n(n)}")
    return ""


def outcome_rows_html(evidence: Evidence, condition: str) -> HtmlBlock:
    """Every data row of the condition with its numbers, the quote and where it came from."""
    rows = evidence.studies.for_condition(condition)
    table = []
    for _, row in rows.iterrows():
        effect = ""
        if not pd.isna(row["effect"]):
            effect = (f"{row['effect_measure']} {printed(row, 'effect')} "
                      f"({printed(row, 'ci_low')} to {printed(row, 'ci_high')})")
        source = linkify(row["source_locator"])
        if row["source_type"] != "primary":
            source = f"<strong>{esc(row['source_type'])} source</strong>: " + source
        derivation = (f"<br><em>Derived:</em> {linkify(row['derivation'])}"
                      if row["derivation"] else "")
        notes = f"<br><em>Note:</em> {linkify(row['notes'])}" if row["notes"] else ""
        table.append([
            f'<span id="{row_anchor(row)}">{esc(row["first_author"])} {esc(row["year"])}</span>',
            esc(row["outcome"].replace("_", " ")), esc(row["timepoint"]),
            esc(f"{row['comparator_type']}"),
            esc(_arm_data(row, "intervention")), esc(_arm_data(row, "comparator")),
            esc(effect), esc(row["data_level"]),
            f'<span class="evsum-quote">“{esc(row["source_quote"])}”</span>{derivation}{notes}',
            source + (" · " + doi_link(row["doi"], "paper") if row["doi"] else ""),
        ])
    return HtmlBlock(html_table(["Study", "Outcome", "Time point", "Comparator type", "Ketamine",
                             "Comparator", "Reported effect (95% CI)", "Data", "Quote",
                             "Source"], table, "evsum-rows"))


def _higher_is_better(outcome: str) -> bool:
    return outcome in schema.HIGHER_IS_BETTER


def _effect_sentence(analysis: OutcomeAnalysis) -> str:
    result = analysis.result
    if result.k > 1:
        return result.summary()
    shown = result.back_transform()
    text = (f"Single study, not pooled: {analysis.measure} {shown.estimate:.2f} "
            f"(95% CI {shown.ci_low:.2f} to {shown.ci_high:.2f}), {format_p(result.pval)}.")
    row = analysis.rows[analysis.rows["excluded_reason"] == ""].iloc[0]
    if row["data_level"] == "contrast":
        text += (f" The paper reports {row['effect_measure']} {printed(row, 'effect')} "
                 f"({printed(row, 'ci_low')} to {printed(row, 'ci_high')}); the interval above is "
                 "recomputed from the width of the reported one (generic inverse variance), "
                 "so it can differ in the last digit.")
    return text


def analyses_html(analyses: tuple[OutcomeAnalysis, ...]) -> HtmlBlock:
    """A forest plot and summary per analysis with numbers; then, in one table, the outcomes
    reported only in words. Rows left out of an analysis are listed with the reason."""
    from evsum.present.figures.forest import forest_plot

    parts, narrative = [], []
    for analysis in analyses:
        rows = analysis.rows
        left = rows[rows["excluded_reason"] != ""]
        if analysis.result is None:
            narrative += [[esc(analysis.outcome.replace("_", " ")), esc(analysis.timepoint),
                           esc(analysis.comparator_type),
                           f'<a href="#{row_anchor(r)}">{esc(r["label"])}</a>',
                           esc(r["intervention"]),
                           f'<span class="evsum-quote">“{esc(r["source_quote"])}”</span>',
                           esc(r["excluded_reason"])] for _, r in left.iterrows()]
            continue
        parts.append(f'<h3 id="{esc(analysis.anchor)}">{esc(analysis.title)}</h3>')
        used = rows[rows["excluded_reason"] == ""]
        fig = forest_plot(used, analysis.result, title=None,
                          higher_is_better=_higher_is_better(analysis.outcome),
                          comparator=analysis.comparator_type)
        parts.append(figure_html(fig, f"Forest plot: {analysis.title}"))
        sources = ", ".join(f'<a href="#{row_anchor(r)}">{esc(r["label"])}</a>'
                            for _, r in used.iterrows())
        parts.append(f"<p>{esc(_effect_sentence(analysis))} Data and quotes: {sources}.</p>")
        parts += [_note(note) for note in analysis.notes if not note.startswith("Single study")]
        if len(left):
            items = "".join(
                f'<li><a href="#{row_anchor(r)}">{esc(r["label"])}</a>: '
                f"{esc(r['excluded_reason'])}</li>" for _, r in left.iterrows())
            parts.append(f"<p>Not pooled:</p><ul>{items}</ul>")
    if not parts:
        parts.append(_note("No study of this condition reports numbers that can be analysed."))
    if narrative:
        parts.append("<h3>Outcomes reported without usable numbers</h3>")
        parts.append(html_table(["Outcome", "Time point", "Comparator", "Study", "Intervention",
                             "What the source says", "Why not analysed"], narrative,
                            "evsum-narrative"))
    return HtmlBlock("\n".join(parts))


def heterogeneity_html(analyses: tuple[OutcomeAnalysis, ...]) -> HtmlBlock:
    """Heterogeneity of every pooled analysis, and leave-one-out results where k ≥ 3."""
    table, loo = [], []
    for analysis in analyses:
        result = analysis.result
        if result is None or result.k < 2:
            continue
        table.append([esc(analysis.title), str(result.k), f"{result.tau2:.4f}",
                      f"{result.i2:.1f}%", f"{result.q:.2f} (df {result.q_df})",
                      f"{result.q_pval:.3f}"])
        if analysis.leave_one_out is not None:
            frame = analysis.leave_one_out.map(
                lambda v: close_bidi(v) if isinstance(v, str) else v)
            loo.append(f"<h4>Leave one out: {esc(analysis.title)}</h4>"
                       + frame.to_html(index=False, float_format=lambda v: f"{v:.4f}",
                                       escape=True, border=0))
    small_studies = _small_study_effects_html(analyses)
    if not table:
        return HtmlBlock(_note("No analysis pools two or more studies, so heterogeneity and "
                               "leave-one-out sensitivity cannot be assessed.") + small_studies)
    return HtmlBlock(html_table(["Analysis", "k", "τ²", "I²", "Q", "p (Q)"], table) + "".join(loo)
                     + small_studies)


def _small_study_effects_html(analyses: tuple[OutcomeAnalysis, ...]) -> str:
    """Funnel plots (with Egger's test) for analyses of at least 10 studies, else a note."""
    from evsum.present.figures.funnel import funnel_plot

    large = [a for a in analyses if a.result is not None and a.result.k >= 10]
    if not large:
        return _note("Small-study effects and publication bias (funnel plot, Egger's test) are "
                     "not assessed: no analysis has 10 or more studies.")
    return "".join(f"<h4>Funnel plot: {esc(a.title)}</h4>"
                   + figure_html(funnel_plot(a.result), f"Funnel plot: {a.title}")
                   for a in large)


def references_html(evidence: Evidence, condition: str | None = None) -> HtmlBlock:
    """Reference list (from references.json) of the condition's studies, with DOI links (or the
    record's URL, for registry results without a DOI)."""
    ids = (evidence.studies.data["study_id"] if condition is None
           else evidence.studies.for_condition(condition)["study_id"]).unique()
    items = []
    for key in ids:
        ref = evidence.reference(key)
        if ref is None:
            items.append(f"<li>{esc(key)}: <strong>no entry in references.json</strong></li>")
            continue
        authors = ", ".join(f"{a.get('family', '')} {a.get('given', '')}".strip()
                            for a in ref.get("author", [])[:6])
        if len(ref.get("author", [])) > 6:
            authors += ", et al."
        year = (ref.get("issued", {}).get("date-parts") or [[""]])[0][0]
        where = ", ".join(str(ref[k]) for k in ("volume", "issue", "page") if ref.get(k))
        items.append(f"<li>{esc(authors)} ({esc(year)}). {esc(ref.get('title', ''))}. "
                     f"<em>{esc(ref.get('container-title', ''))}</em>"
                     f"{', ' + esc(where) if where else ''}. "
                     f"{doi_link(ref.get('DOI')) or linkify(ref.get('URL', ''))}</li>")
    return HtmlBlock(f"<ol>{''.join(items)}</ol>")


def limitations_html(evidence: Evidence, condition: str,
                     analyses: tuple[OutcomeAnalysis, ...]) -> HtmlBlock:
    """Limitations derived from the data: what could and could not be analysed."""
    rows = evidence.studies.for_condition(condition)
    studies = rows.drop_duplicates("study_id")
    points = []
    narrative = rows["data_level"].eq("narrative").sum()
    if narrative:
        points.append(f"{narrative} of {len(rows)} data rows give no usable numbers "
                      "(narrative only) and are not pooled.")
    secondary = rows["source_type"].eq("secondary").sum()
    if secondary:
        points.append(f"{secondary} rows come only from secondary sources (reviews or press) "
                      "and are shown but never pooled.")
    pooled = [a for a in analyses if a.result is not None and a.result.k >= 2]
    points.append(f"{len(pooled)} of {len(analyses)} analyses pool two or more studies; the "
                  "others rest on a single study or none.")
    small = studies[(studies["n_intervention"].fillna(0) + studies["n_comparator"].fillna(0)) < 50]
    if len(small):
        points.append(f"{len(small)} of {len(studies)} studies have fewer than 50 participants "
                      "(or did not report n).")
    nonrandom = studies[~studies["randomised"]]
    if len(nonrandom):
        points.append(f"{len(nonrandom)} studies were not randomised: "
                      + ", ".join(study_label(nonrandom)) + ".")
    crossover = studies[studies["design"] == "crossover_rct"]
    if len(crossover):
        points.append("Crossover trials (" + ", ".join(study_label(crossover)) + ") measured "
                      "short-term laboratory or symptom outcomes in the same participants.")
    active = rows[rows["comparator_type"].isin(["dose comparison"])]["study_id"].nunique()
    if active:
        points.append(f"{active} studies compared ketamine doses or schedules with each other: "
                      "they do not show ketamine against no ketamine.")
    return HtmlBlock("<ul>" + "".join(f"<li>{esc(p)}</li>" for p in points) + "</ul>")


def title_html(condition: str, method: str) -> HtmlBlock:
    """The report's heading."""
    label = schema.CONDITIONS.get(condition, condition)
    return HtmlBlock(f"<h1>Ketamine for {esc(label.lower())}</h1>"
                     f"<p>Evidence summary; pooling method: "
                     f"{esc(schema.METHOD_LABELS.get(method, method))}.</p>")


def risk_of_bias_html(evidence: Evidence, condition: str) -> HtmlBlock:
    """Traffic-light and summary plots of the condition's studies, one pair per tool."""
    from evsum.present.figures.rob import rob_summary, rob_traffic_light

    ids = set(evidence.studies.for_condition(condition)["study_id"])
    rob = evidence.risk_of_bias
    rob = rob[rob["study_id"].isin(ids)] if len(rob) else rob
    labels = dict(zip(evidence.studies.data["study_id"],
                      study_label(evidence.studies.data), strict=False))
    parts = []
    for tool in schema.ROB_TOOLS:
        part = rob[rob["tool"] == tool] if len(rob) else rob
        if not len(part):
            continue
        parts.append(f"<h3>{esc(tool)}</h3>")
        parts.append(figure_html(rob_traffic_light(part, tool, labels=labels),
                                 f"{tool} traffic-light plot"))
        parts.append(figure_html(rob_summary(part, tool), f"{tool} summary plot"))
        rows = [[esc(labels.get(r["study_id"], r["study_id"])), esc(r["domain"]),
                 esc(r["judgement"]), esc(r["support"])] for _, r in part.iterrows()]
        parts.append("<details><summary>Support for each judgement</summary>"
                     + html_table(["Study", "Domain", "Judgement", "Support"], rows)
                     + "</details>")
    missing = sorted(ids - set(rob["study_id"]) if len(rob) else ids)
    if missing:
        parts.append(_note("No risk-of-bias assessment recorded for: " + ", ".join(missing)))
    return HtmlBlock("\n".join(parts))


def overview_title_html(evidence: Evidence) -> HtmlBlock:
    """Heading of the overview report with the size of the evidence base."""
    data = evidence.studies.data
    return HtmlBlock(
        "<h1>Ketamine for substance use disorders: overview</h1>"
        f"<p>{data['study_id'].nunique()} studies, {len(data)} data rows, "
        f"{len(evidence.studies.conditions)} conditions.</p>")


def evidence_map_html(analyses: tuple[OutcomeAnalysis, ...]) -> HtmlBlock:
    """The evidence map figure (condition × outcome bubbles)."""
    from evsum.present.figures.evidence_map import evidence_map
    from evsum.review.overview import headline_frame

    frame = headline_frame(analyses)
    return HtmlBlock(figure_html(evidence_map(frame, outcomes_down=True), "Evidence map"))


def headline_html(analyses: tuple[OutcomeAnalysis, ...]) -> HtmlBlock:
    """Per-condition headline table of every analysis with numbers, then a count per
    condition of the outcomes reported only in words. Each effect links to its analysis in
    the condition report, each study to its data row (quote and source)."""
    from evsum.review.overview import headline_frame

    frame = headline_frame(analyses)
    rows = []
    for analysis, (_, r) in zip(analyses, frame.iterrows(), strict=True):
        if r["k"] == 0:
            continue
        effect = f"{r['measure']} {r['estimate']:.2f} ({r['ci_low']:.2f} to {r['ci_high']:.2f})"
        page = urllib.parse.quote(str(r["condition"]), safe="") + ".html"  # never js: etc.
        used = analysis.rows[analysis.rows["excluded_reason"] == ""]
        studies = ", ".join(f'<a href="{esc(page)}#{row_anchor(u)}">{esc(u["label"])}</a>'
                            for _, u in used.iterrows())
        rows.append([f'<a href="{esc(page)}">{esc(r["condition"])}</a>',
                     esc(r["outcome"].replace("_", " ")), esc(r["comparator_type"]),
                     esc(r["timepoint"]), f"{esc(r['k'])} of {esc(r['studies'])}: {studies}",
                     esc(r["participants"] or ""),
                     f'<a href="{esc(page)}#{esc(analysis.anchor)}">{esc(effect)}</a>',
                     esc(r["direction"])])
    table = html_table(["Condition", "Outcome", "Comparator", "Time point", "Studies with numbers",
                    "Participants", "Effect (95% CI)", "Direction (CI vs no effect)"], rows)
    words = frame[frame["k"] == 0].groupby("condition").size()
    counts = "".join(f'<li><a href="{esc(c)}.html">{esc(c)}</a>: {n} outcome × time point × '
                     "comparator combinations</li>" for c, n in words.items())
    return HtmlBlock(table + ("<p>Reported only in words (no usable numbers), listed in each "
                              f"condition report:</p><ul>{counts}</ul>" if counts else ""))


def prisma_html(evidence: Evidence) -> HtmlBlock:
    """Study-selection counts; excluded, ongoing and unclassified candidates with reasons."""
    from evsum.review.overview import prisma_counts

    counts = prisma_counts(evidence.search_log)
    table = html_table(["Stage", "Count"], [[esc(k), esc(v)] for k, v in counts.items()])
    log = evidence.search_log
    parts = [table]
    for decision, heading in (("excluded", "Excluded candidates"),
                              ("ongoing", "Ongoing studies (no results yet)"),
                              ("awaiting classification", "Studies awaiting classification")):
        chosen = log[log["decision"] == decision] if len(log) else log
        if decision != "excluded" and not len(chosen):
            continue
        rows = [[esc(r["first_author"]), esc(r["year"]), esc(r["title"]),
                 doi_link(r["doi"]), esc(r["reason"])] for _, r in chosen.iterrows()]
        parts.append(f"<h3>{heading}</h3>"
                     + html_table(["First author", "Year", "Title", "DOI", "Reason"], rows))
    return HtmlBlock("".join(parts))


def data_version_html(evidence: Evidence) -> HtmlBlock:
    """The data file's SHA-256 and the files the reports read."""
    missing = (" Missing optional files: " + ", ".join(evidence.missing) + "."
               if evidence.missing else "")
    return HtmlBlock(f"<p>Study table SHA-256: <code>{esc(evidence.studies.sha256)}</code>."
                     f"{esc(missing)}</p>")


def _one_per_outcome(analyses: list[OutcomeAnalysis]) -> list[OutcomeAnalysis]:
    """One analysis per outcome × time point: the one with numbers if there is one (another
    group of the same outcome holds only narrative or secondary rows, listed elsewhere)."""
    kept: dict[tuple[str, str], OutcomeAnalysis] = {}
    for analysis in analyses:
        key = (analysis.outcome, analysis.timepoint)
        if key not in kept or (kept[key].result is None and analysis.result is not None):
            kept[key] = analysis
    return list(kept.values())


def summary_of_findings_html(evidence: Evidence,
                             analyses: tuple[OutcomeAnalysis, ...]) -> HtmlBlock:
    """GRADE summary of findings, one table per comparator type, from ``grade.csv``."""
    from evsum.present.sof import sof_html, summary_of_findings

    if not analyses:
        return HtmlBlock(_note("No outcome data for this condition."))
    parts = []
    for comparator in sorted({a.comparator_type for a in analyses}):
        chosen = _one_per_outcome([a for a in analyses if a.comparator_type == comparator])
        frame = summary_of_findings(chosen, evidence.grade)
        parts.append(sof_html(frame, title=f"Ketamine compared with {comparator}",
                              comparator=comparator, link_analyses=True))
    if not len(evidence.grade):
        parts.append(_note("No GRADE assessment recorded (data/grade.csv is missing)."))
    return HtmlBlock("\n".join(parts))
