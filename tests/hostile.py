"""A valid evidence base whose free text is hostile: markup, script URLs, bidi overrides.

Every value passes validation (the study table's contract allows any text in free-text
columns), so the reports must render it, escaped. Written at test time rather than committed,
so that no file in the repository carries bidi override characters.
"""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from conftest import SMALL

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"
JS_LINK = '<a href="javascript:alert(1)">click</a>'
MARKDOWN = "[a](javascript:x) **bold** $x$ \\(x\\) # heading `code` {{7*7}} ${7*7} <%= 7 %>"
TABLE_BREAK = "</td></tr></table><script>alert(2)</script>"
RLO = "Rtl\u202egnp.exe"  # right-to-left override: displays as "Rtlexe.png"
UNICODE = "O\u0301'Bri\u00eb\u200d \u674e \U0001f642 \u2028 \ufeff \u05e9\u05dc\u05d5\u05dd"
MATH = "Smith $\\alert$ & Jones"  # invalid mathtext if a plot parses it
LONG = ("<b>10,000 characters</b> " * 400)[:10_000]

#: Every hostile string, each of which must appear in a report as text, never as markup.
ALL = (SCRIPT, IMG, JS_URL, JS_LINK, MARKDOWN, TABLE_BREAK, RLO, UNICODE, MATH, LONG)


def _studies() -> tuple[list[str], list[dict]]:
    with open(SMALL, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    alpha, beta_bin, beta_cont, _, delta = rows
    out = [
        {
            **alpha,
            "study_id": "xss2001",
            "first_author": SCRIPT,
            "intervention": IMG,
            "comparator": TABLE_BREAK,
            "doi": "10.9999/hostile.xss",
            "source_locator": JS_URL,
            "source_quote": '"><svg onload=alert(1)>',
            "derivation": MARKDOWN,
            "notes": f"{JS_LINK} {MARKDOWN}",
            "comparator_type": "placebo",
        },
        {
            **beta_bin,
            "study_id": "rtl2005",
            "first_author": RLO,
            "intervention": f"ketamine {MARKDOWN}",
            "doi": "",
            "source_locator": 'https://example.org/a"onmouseover="alert(1)',
            "source_quote": LONG,
            "notes": UNICODE,
        },
        {
            **beta_cont,
            "study_id": "rtl2005",
            "first_author": RLO,
            "intervention": f"ketamine {MARKDOWN}",
            "doi": "",
            "comparator_type": "placebo",
            "source_locator": f"{JS_URL} https://example.org/x?a=1&b=<2>",
            "source_quote": SCRIPT,
            "notes": IMG,
        },
        {
            **beta_cont,
            "study_id": "math2010",
            "first_author": MATH,
            "year": "2010",
            "doi": "10.9999/hostile.math",
            "pmid": "",
            "intervention": JS_URL,
            "comparator_type": "placebo",
            "mean_intervention": "9.0",
            "mean_comparator": "12.5",
            "source_quote": UNICODE,
            "notes": TABLE_BREAK,
        },
        {
            **beta_cont,
            "study_id": "xss2001",
            "first_author": SCRIPT,
            "year": "2001",
            "doi": "10.9999/hostile.xss",
            "pmid": "",
            "intervention": IMG,
            "comparator": TABLE_BREAK,
            "comparator_type": "placebo",
            "mean_intervention": "11.0",
            "sd_intervention": "3.9",
            "source_quote": MATH,
            "notes": MARKDOWN,
        },
        {
            **delta,
            "study_id": "narr2015",
            "first_author": f"{UNICODE} {SCRIPT}",
            "condition": "alcohol",
            "intervention": IMG,
            "source_locator": JS_LINK,
            "source_type": "secondary",
            "notes": LONG,
        },
    ]
    for row in out:
        row["condition"] = "alcohol"
    return list(rows[0].keys()), out


def write_hostile_data(folder: Path) -> Path:
    """Write ``studies.csv`` and every context file into ``folder``; return the table's path."""
    folder.mkdir(parents=True, exist_ok=True)
    fields, rows = _studies()
    _write(folder / "studies.csv", fields, rows)
    ids = ["xss2001", "rtl2005", "math2010", "narr2015"]
    _write(
        folder / "study_characteristics.csv",
        [
            "study_id",
            "title",
            "journal",
            "population",
            "country",
            "setting",
            "n_randomised",
            "dose_route",
            "sessions",
            "co_therapy",
            "follow_up",
            "funding",
            "conflicts",
            "registration",
            "source_locator",
            "notes",
        ],
        [
            {
                "study_id": i,
                "title": SCRIPT,
                "journal": IMG,
                "population": MARKDOWN,
                "country": RLO,
                "setting": UNICODE,
                "n_randomised": "40",
                "dose_route": JS_URL,
                "sessions": "1",
                "co_therapy": TABLE_BREAK,
                "follow_up": JS_LINK,
                "funding": LONG,
                "conflicts": "none",
                "registration": JS_URL,
                "source_locator": JS_URL,
                "notes": SCRIPT,
            }
            for i in ids
        ],
    )
    _write(
        folder / "risk_of_bias.csv",
        ["study_id", "tool", "domain", "judgement", "support", "source_locator"],
        [
            {
                "study_id": i,
                "tool": "RoB 2",
                "domain": d,
                "judgement": j,
                "support": f"{SCRIPT} {IMG} {MARKDOWN}",
                "source_locator": JS_URL,
            }
            for i in ids[:3]
            for d, j in zip(
                ("D1", "D2", "D3", "D4", "D5", "overall"),
                ("low", "some concerns", "high", "low", "low", "high"),
                strict=True,
            )
        ],
    )
    grade_fields = [
        "condition",
        "outcome",
        "comparator_type",
        "timepoint",
        "start",
        "risk_of_bias",
        "risk_of_bias_reason",
        "inconsistency",
        "inconsistency_reason",
        "indirectness",
        "indirectness_reason",
        "imprecision",
        "imprecision_reason",
        "publication_bias",
        "publication_bias_reason",
        "certainty",
        "baseline_risk_per_1000",
        "baseline_risk_source",
    ]
    _write(
        folder / "grade.csv",
        grade_fields,
        [
            {
                **{f: "" for f in grade_fields},
                "condition": "alcohol",
                "outcome": outcome,
                "comparator_type": "placebo",
                "start": "high",
                "risk_of_bias": "serious",
                "risk_of_bias_reason": f"{SCRIPT} {MARKDOWN}",
                "inconsistency": "not serious",
                "indirectness": "not serious",
                "imprecision": "very serious",
                "imprecision_reason": f"{IMG} {RLO}",
                "publication_bias": "not serious",
                "certainty": "very low",
                "baseline_risk_per_1000": "300",
                "baseline_risk_source": JS_LINK,
            }
            for outcome in ("abstinence", "craving")
        ],
    )
    _write(
        folder / "search_log.csv",
        [
            "candidate_id",
            "first_author",
            "year",
            "title",
            "doi",
            "found_via",
            "decision",
            "reason",
        ],
        [
            {
                "candidate_id": "SRC:x",
                "first_author": "",
                "year": "",
                "title": SCRIPT,
                "doi": "",
                "found_via": "source",
                "decision": "source",
                "reason": IMG,
            },
            {
                "candidate_id": "cand1",
                "first_author": SCRIPT,
                "year": "2020",
                "title": LONG,
                "doi": JS_URL,
                "found_via": MARKDOWN,
                "decision": "excluded",
                "reason": TABLE_BREAK,
            },
            *[
                {
                    "candidate_id": i,
                    "first_author": "x",
                    "year": "2001",
                    "title": RLO,
                    "doi": "",
                    "found_via": "SRC:x",
                    "decision": "included",
                    "reason": "",
                }
                for i in ids
            ],
        ],
    )
    references = [
        {
            "id": i,
            "type": "article-journal",
            "title": SCRIPT,
            "author": [{"family": IMG, "given": RLO}, {"family": MATH, "given": "A"}],
            "container-title": TABLE_BREAK,
            "issued": {"date-parts": [[2001]]},
            "volume": JS_URL,
            "page": MARKDOWN,
            "DOI": JS_URL,
        }
        for i in ids
    ]
    (folder / "references.json").write_text(
        json.dumps(references, ensure_ascii=False), encoding="utf-8"
    )
    return folder / "studies.csv"


def _write(path: Path, fields: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


#: The only data URLs a page may hold: its figures, as PNG or SVG images (an SVG in an
#: ``<img>`` runs no script).
_IMAGE_DATA = ("data:image/png;base64,", "data:image/svg+xml;base64,")


class _Markup(HTMLParser):
    """Collects what a browser would treat as active markup, and the visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.issues: list[str] = []
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("script", "iframe", "frame", "object", "embed", "base", "form"):
            self.issues.append(f"<{tag}> element")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.issues.append(f"<{tag} {name}=...> event-handler attribute")
            if name in ("href", "src", "action", "formaction", "xlink:href", "srcset"):
                url = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                if url.startswith(("javascript:", "vbscript:")):
                    self.issues.append(f"<{tag} {name}={value!r}> script URL")
                if url.startswith("data:") and not url.startswith(_IMAGE_DATA):
                    self.issues.append(f"<{tag} {name}=data:...> non-image data URL")
            if name == "style" and re.search(r"url\(|expression\(", value, re.I):
                self.issues.append(f"<{tag} style={value!r}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)


def markup_issues(page: str) -> tuple[list[str], str]:
    """Active markup found in ``page`` (script elements, event handlers, script URLs), and
    its text as a browser shows it (entities decoded)."""
    parser = _Markup()
    parser.feed(page)
    parser.close()
    issues = list(parser.issues)
    if re.search(r"<\s*script", page, re.I):
        issues.append("raw '<script' in the HTML")
    unquoted = re.sub(r'"[^"]*"', '""', page)  # attribute values may hold escaped text
    if re.search(r"<[a-z][^<>]*\sonerror\s*=", unquoted, re.I):
        issues.append("raw onerror= attribute in the HTML")
    if re.search(r"href\s*=\s*[\"']?\s*javascript:", page, re.I):
        issues.append("raw href=javascript: in the HTML")
    return issues, "".join(parser.text)


def write_hostile_protocol(folder: Path) -> Path:
    """Write ``folder/evsum.toml``: the fixture's protocol with a bidi override, markup and a
    script URL in every text the pages show (title, question, words, eligibility, labels)."""
    from conftest import SMALL_PROTOCOL

    text = SMALL_PROTOCOL.read_text(encoding="utf-8")
    for plain, hostile in (
        ('title = "Fixture review"', f"title = {json.dumps(RLO + ' ' + SCRIPT)}"),
        ("question = ", f"eligibility = {json.dumps([RLO, IMG, JS_LINK])}\nquestion = "),
        ('intervention = "fixture drug"', f"intervention = {json.dumps(RLO + ' drug')}"),
        ('comparator = "comparator"', f"comparator = {json.dumps(TABLE_BREAK + RLO)}"),
        ('label = "Alcohol use disorder"', f"label = {json.dumps(RLO + ' alcohol')}"),
    ):
        assert plain in text, plain
        text = text.replace(plain, hostile, 1)
    path = folder / "evsum.toml"
    path.write_text(text, encoding="utf-8")
    return path
