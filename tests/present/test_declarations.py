"""Included studies as Cochrane shows them: funding, conflicts, registration, early stopping."""

import html
import re

import evsum
from evsum.present.declarations import study_declarations

from conftest import ROOT


def test_a_study_s_declarations_from_its_characteristics():
    lines = dict(
        study_declarations(
            {
                "funding": "A national institute",
                "conflicts": "",
                "registration": "NCT00000001 (first posted 2012; stopped early for futility)",
                "notes": "",
            }
        )
    )
    assert lines["Funding"] == "A national institute"
    assert lines["Conflicts of interest"] == "not recorded"
    assert lines["Stopped early"] == "yes: stopped early for futility"
    assert dict(study_declarations({"registration": "none found"}))["Stopped early"] == (
        "not reported"
    )


def test_the_included_studies_table_shows_them():
    evidence = evsum.load_evidence(base=ROOT)
    page = str(evsum.blocks.condition.studies(evidence, "cocaine"))
    assert "<th>Funding, interests, registration</th>" in page
    row = re.search(r'id="study-dakwar2019".*?</tr>', page, re.S).group(0)
    text = html.unescape(row)
    # study_characteristics.csv, dakwar2019 registration: NCT01535937, "terminated early"
    assert "Registration: NCT01535937" in text
    assert "Stopped early: yes: terminated early" in text
    assert "Funding:" in text and "Conflicts of interest:" in text
