"""The glossary every report links to: the statistical terms, the measures and the data
vocabulary the reports use, each explained once on ``glossary.html`` and linked from its
first use on each page (an ``<abbr>`` whose title is the explanation, around a link to it).

A review adds its own terms and abbreviations (a scale, a route of administration, a
condition's short name) in its protocol's ``[glossary]`` (:func:`review_terms`); evsum's own
terms (:data:`TERMS`) never name a drug, a condition or a review.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

from evsum.present.html import render


@dataclass(frozen=True)
class Term:
    """One glossary entry: ``words`` as a page writes them (the first is the heading), an
    ``id`` for its anchor on the glossary page and what it means."""

    words: tuple[str, ...]
    id: str
    meaning: str


TERMS: tuple[Term, ...] = (
    Term(
        ("RCT", "RCTs"),
        "rct",
        "Randomised controlled trial: participants are allotted to the arms by chance.",
    ),
    Term(
        ("RR",),
        "rr",
        "Risk ratio: the risk of the event with the intervention divided by "
        "the risk with the comparator; 1 means no difference.",
    ),
    Term(
        ("OR",),
        "or",
        "Odds ratio: the odds of the event with the intervention divided by "
        "the odds with the comparator; 1 means no difference.",
    ),
    Term(
        ("MD",),
        "md",
        "Mean difference: the intervention arm's mean minus the comparator "
        "arm's, in the outcome's own units; 0 means no difference.",
    ),
    Term(
        ("SMD",),
        "smd",
        "Standardised mean difference: a mean difference divided by the "
        "outcomes' standard deviation, so that different scales can be pooled.",
    ),
    Term(
        ("95% CI", "CI"),
        "ci",
        "95% confidence interval: the range of effects compatible with the data at the 5% level.",
    ),
    Term(
        ("REML",),
        "reml",
        "Restricted maximum likelihood: the method that estimates the "
        "between-study variance τ² of a random-effects meta-analysis.",
    ),
    Term(
        ("τ²",),
        "tau2",
        "Tau squared: the variance of the true effects between studies "
        "in a random-effects meta-analysis; 0 means they all share one effect.",
    ),
    Term(
        ("I²",),
        "i2",
        "I squared: the share of the variation between study results that "
        "is due to real differences rather than chance.",
    ),
    Term(
        ("Hartung-Knapp", "Hartung–Knapp"),
        "hartung-knapp",
        "Hartung-Knapp adjustment: a "
        "wider, more honest confidence interval for a pooled effect from few studies, "
        "based on a t distribution.",
    ),
    Term(
        ("prediction interval",),
        "prediction-interval",
        "The range in which the effect "
        "of a new study like those pooled is expected to lie; with k studies it uses a t "
        "distribution with k − 2 degrees of freedom, t(k − 2).",
    ),
    Term(
        ("fragility index",),
        "fragility-index",
        "How many participants of one randomised "
        "trial would have to change outcome for its result to lose statistical "
        "significance; small numbers mean a fragile result.",
    ),
    Term(
        ("GRADE",),
        "grade",
        "Grading of Recommendations Assessment, Development and "
        "Evaluation: the rating of the certainty of a body of evidence as high, moderate, "
        "low or very low.",
    ),
    Term(
        ("ITT",),
        "itt",
        "Intention to treat: every participant analysed in the arm they "
        "were allotted to, whatever they received.",
    ),
    Term(
        ("data rows", "data row"),
        "data-row",
        "One row of the study table: one result of "
        "one study for one outcome, time point and comparison, with the quote that "
        "states it.",
    ),
    Term(
        ("narrative",),
        "narrative",
        "A data row whose source states a result in words "
        "only, without numbers that can be analysed; it is quoted, never pooled.",
    ),
    Term(
        ("contrast",),
        "contrast",
        "A data row that gives the study's own effect estimate "
        "and its interval (a difference or a ratio between the arms).",
    ),
    Term(
        ("comparator type",),
        "comparator-type",
        "What the intervention was compared "
        "with (for example placebo, an active placebo, usual care or another dose); "
        "different types are never pooled together.",
    ),
    Term(
        ("source kind",),
        "source-kind",
        "What a number was read from: the full paper, "
        "its abstract only, a trial registry, or a secondary source such as a press "
        "report (never pooled).",
    ),
)

#: Elements whose text is never linked: links, headings, the page's head, code, the page
#: navigation and its provenance footer.
_SKIP = {
    "a",
    "abbr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "title",
    "style",
    "script",
    "code",
    "caption",
    "summary",
    "th",
    "button",
    "figcaption",
    "footer",
    "nav",
}
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*?(/?)>|<!--.*?-->", re.S)


def review_terms(glossary: Mapping[str, str]) -> tuple[Term, ...]:
    """A protocol's ``[glossary]`` (term -> meaning) as glossary entries, in its order; each
    anchor is the term in lower case, letters and digits joined by ``-``, unique among the
    entries and the :data:`TERMS` they do not replace (:func:`glossary_terms`).

    Examples
    --------
    >>> [(t.words, t.id) for t in review_terms({"IV": "Intravenous.", "MD": "Doctor."})]
    [(('IV',), 'iv'), (('MD',), 'md')]
    >>> [t.id for t in review_terms({"RR": "Respiratory rate.", "R.R.": "Rest."})]
    ['rr', 'r-r']
    """
    taken = {term.id for term in TERMS if not set(glossary) & set(term.words)}
    out = []
    for words, meaning in glossary.items():
        stem = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-") or "term"
        ident, n = stem, 1
        while ident in taken:
            n += 1
            ident = f"{stem}-{n}"
        taken.add(ident)
        out.append(Term((words,), ident, meaning))
    return tuple(out)


def glossary_terms(glossary: Mapping[str, str] | None = None) -> tuple[Term, ...]:
    """Every term a page links: evsum's :data:`TERMS`, then the review's own
    (:func:`review_terms`); a review term written as one of evsum's replaces it, since the
    review knows what its pages mean by it.

    Examples
    --------
    >>> terms = glossary_terms({"MD": "Doctor of medicine."})
    >>> [t.meaning for t in terms if "MD" in t.words]
    ['Doctor of medicine.']
    >>> len(glossary_terms()) == len(TERMS)
    True
    """
    own = review_terms(glossary or {})
    written = {words for term in own for words in term.words}
    return tuple(t for t in TERMS if not written & set(t.words)) + own


def glossary_page(title: str, glossary: Mapping[str, str] | None = None) -> str:
    """The glossary page (``glossary.html``), every term under its own anchor: evsum's
    terms, then those of the review's protocol (``glossary``, its ``[glossary]``)."""
    own = review_terms(glossary or {})
    written = {words for term in own for words in term.words}
    generic = tuple(t for t in TERMS if not written & set(t.words))
    return str(render("glossary.html.j2", title=title, terms=generic, review=own))


def _pattern(term: Term) -> re.Pattern:
    words = sorted(term.words, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])")


@functools.cache
def _patterns(terms: tuple[Term, ...]) -> tuple[tuple[Term, re.Pattern], ...]:
    return tuple((term, _pattern(term)) for term in terms)


def link_first_uses(
    page: str, href: str = "glossary.html", terms: tuple[Term, ...] = TERMS
) -> str:
    """``page`` (HTML) with the first use of each glossary term in its ``<body>`` text (not in
    a link, heading, table header, caption, code or a source's quote) marked as an
    ``<abbr>`` whose title explains it, around a link to the term on the glossary page.
    ``terms`` are the glossary's (:func:`glossary_terms` with a review's own).

    Examples
    --------
    >>> link_first_uses("<body><h2>REML</h2><p>REML and REML</p></body>").count("<abbr")
    1
    """
    start = page.find("<body")
    if start < 0:
        return page
    done: set[str] = set()
    patterns = _patterns(tuple(terms))
    out = [page[:start]]
    open_: list[tuple[str, bool]] = []  # the enclosing elements that matter, and if skipped
    position = start
    for match in _TAG.finditer(page, start):
        text = page[position : match.start()]
        skip = any(flag for _, flag in open_)
        out.append(text if skip else _mark(text, done, href, patterns))
        tag = match.group(0)
        name = (match.group(2) or "").lower()
        if (name in _SKIP or name == "span") and not match.group(3):
            if not match.group(1):  # a quote from a source is never changed
                open_.append((name, name in _SKIP or "evsum-quote" in tag))
            elif open_ and open_[-1][0] == name:
                open_.pop()
        out.append(tag)
        position = match.end()
    out.append(page[position:])
    return "".join(out)


def _mark(
    text: str, done: set[str], href: str, patterns: tuple[tuple[Term, re.Pattern], ...]
) -> str:
    """``text`` (between two tags) with the first use of each term not yet ``done`` linked."""
    if not text.strip() or len(done) == len(patterns):
        return text
    for term, pattern in patterns:
        if term.id in done:
            continue
        found = pattern.search(text)
        if found is None:
            continue
        done.add(term.id)
        link = str(render("glossary_link.html.j2", term=term, href=href, words=found.group(1)))
        before = _mark(text[: found.start()], done, href, patterns)
        return before + link + _mark(text[found.end() :], done, href, patterns)
    return text
