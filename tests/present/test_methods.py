"""Methods page blocks: text from the data is escaped, absent files say "not recorded"."""

import dataclasses

import pandas as pd

import evsum

COLUMNS = [
    "candidate_id",
    "first_author",
    "year",
    "title",
    "doi",
    "found_via",
    "decision",
    "reason",
]
SCRIPT = "<script>alert(1)</script>"


def _with_log(rows):
    return dataclasses.replace(
        evsum.examples.example_evidence(), search_log=pd.DataFrame(rows, columns=COLUMNS)
    )


def test_source_text_from_the_data_is_escaped():
    evidence = _with_log(
        [
            ["SRC:web", "", "", f"Web {SCRIPT}", "", "source", "source", f"read {SCRIPT}"],
            ["a2001", "A", "2001", "", "", "web", "included", "RCT"],
        ]
    )
    page = str(evsum.blocks.methods.information_sources(evidence))
    assert SCRIPT not in page
    assert "Web &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<td>1</td>" in page  # one record from that source (a2001)


def test_an_evidence_base_without_search_log_or_eligibility_criteria():
    evidence = evsum.examples.example_evidence()  # its protocol declares no eligibility criteria
    assert "are not recorded in the protocol" in str(evsum.blocks.methods.eligibility(evidence))
    assert "not recorded" in str(evsum.blocks.methods.information_sources(evidence))
    figure = str(evsum.blocks.methods.prisma(evidence))
    assert 'alt="PRISMA 2020 flow diagram: no search log was recorded' in figure
    assert "(fictional example): methods</h1>" in str(evsum.blocks.methods.title(evidence))


def test_alt_text_says_the_counts():
    evidence = _with_log(
        [
            ["SRC:registries", "", "", "ClinicalTrials.gov", "", "source", "source", ""],
            ["nct1", "", "", "", "", "registries", "included", "RCT"],
            ["nct2", "", "", "", "", "registries", "excluded", "No control group"],
        ]
    )
    figure = str(evsum.blocks.methods.prisma(evidence))
    # 2 records, no duplicate, 2 screened, 1 excluded, 1 included, 0 ongoing, 0 awaiting
    assert (
        "Records identified: 2; duplicates removed: 0; screened: 2; reports excluded with "
        "reasons: 1. Studies included: 1; ongoing: 0; awaiting classification: 0."
    ) in figure


def test_synthesis_names_the_method_and_the_p_value_rule():
    text = str(evsum.blocks.methods.synthesis(evsum.examples.example_evidence(), method="DL"))
    assert "Random effects (DerSimonian-Laird)" in text
    assert "estimated by DL" in text
    assert "p &lt; 0.001" in text
