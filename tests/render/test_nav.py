"""Every report's navigation: the overview, the methods, the claims audit and each condition's
report, with the curators' log one link among the others, last."""

import tomllib

from evsum.render.batch import plan_reports, site_nav

from conftest import ROOT


def test_every_report_links_to_the_overview_methods_audit_and_each_condition_log_last():
    jobs = plan_reports(ROOT / "data" / "studies.csv", ROOT / "notebooks", ROOT / "reports")
    protocol = tomllib.loads((ROOT / "evsum.toml").read_text(encoding="utf-8"))
    conditions = list(protocol["conditions"])  # alcohol, opioids, cocaine, depression
    expected = [
        "overview.html",
        "methods.html",
        "claims-audit.html",
        *(f"{key}.html" for key in conditions),
        "glossary.html",
        "curation-log.html",
    ]
    names = {job.html_path.name for job in jobs}
    assert set(expected) - {"glossary.html"} <= names  # the glossary is no notebook
    for job in jobs:
        assert [href for href, _ in job.nav] == expected, job.name
    texts = dict(jobs[0].nav)
    assert texts["methods.html"] == "Methods" and texts["curation-log.html"] == "Curation log"
    assert texts["alcohol.html"] == protocol["conditions"]["alcohol"]["label"]


def test_nav_leaves_out_pages_that_are_not_rendered():
    glossary = ("glossary.html", "Glossary")  # written beside the index by every render
    assert site_nav(["condition_report.ipynb"], [("a.html", "A")]) == (("a.html", "A"), glossary)
    assert site_nav(["curation_log.ipynb", "overview.ipynb"]) == (
        ("overview.html", "Overview"),
        glossary,
        ("curation-log.html", "Curation log"),
    )
