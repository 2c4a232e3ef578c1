"""The condition report's risk-of-bias block: traffic-light and summary plots per tool,
with their text alternatives."""

from __future__ import annotations

import pandas as pd

from evsum import vocab
from evsum.ingest.evidence import Evidence
from evsum.present import text
from evsum.present.html import HtmlBlock, figure_html, render
from evsum.review.analysis import study_label


def rob_alt(part: pd.DataFrame, tool: str, labels: dict, kind: str) -> str:
    """The text alternative of a risk-of-bias plot: how many studies and domains, and each
    study's overall judgement (traffic light) or the judgements' counts (summary)."""
    studies = list(dict.fromkeys(part["study_id"]))
    domains = [d for d in dict.fromkeys(part["domain"]) if str(d).lower() != "overall"]
    head = (
        f"{tool} {kind} plot of {text.plural(len(studies), 'study', 'studies')} and "
        f"{text.plural(len(domains), 'domain')}"
    )
    is_overall = part["domain"].astype(str).str.lower() == "overall"
    if kind == "traffic-light" and is_overall.any():
        said = []
        for _, r in part[is_overall].iterrows():
            outcome = "" if text.is_missing(r.get("outcome")) else str(r.get("outcome") or "")
            what = f" ({text.outcome_words(outcome)})" if outcome else ""
            said.append(f"{labels.get(r['study_id'], r['study_id'])}{what} {r['judgement']}")
        return head + ". Overall: " + "; ".join(dict.fromkeys(said)) + "."
    counts = part.loc[~is_overall, "judgement"].value_counts()
    return (
        head
        + ". Judgements over all domains: "
        + ", ".join(f"{judgement} {n}" for judgement, n in counts.items())
        + "."
    )


def risk_of_bias_html(evidence: Evidence, condition: str) -> HtmlBlock:
    """Traffic-light and summary plots of the condition's studies, one pair per tool."""
    from evsum.present.figures.rob import rob_summary, rob_traffic_light

    ids = set(evidence.studies.for_condition(condition)["study_id"])
    rob = evidence.risk_of_bias
    rob = rob[rob["study_id"].isin(ids)] if len(rob) else rob
    labels = dict(
        zip(evidence.studies.data["study_id"], study_label(evidence.studies.data), strict=False)
    )
    tools = []
    for tool in vocab.ROB_TOOLS:
        part = rob[rob["tool"] == tool] if len(rob) else rob
        if not len(part):
            continue
        tools.append(
            {
                "name": tool,
                "traffic_light": figure_html(
                    rob_traffic_light(part, tool, labels=labels),
                    rob_alt(part, tool, labels, "traffic-light"),
                ),
                "summary": figure_html(
                    rob_summary(part, tool), rob_alt(part, tool, labels, "summary")
                ),
                "rows": [
                    [
                        labels.get(r["study_id"], r["study_id"]),
                        r["domain"],
                        r["judgement"],
                        r["support"],
                    ]
                    for _, r in part.iterrows()
                ],
            }
        )
    missing = sorted(ids - set(rob["study_id"]) if len(rob) else ids)
    return render("risk_of_bias.html.j2", tools=tools, missing=missing)
