"""The PRISMA 2020 checklist of the repository's review, rendered: at least 36 of its 42 items
addressed (reported, or not applicable with the reason stated), and every place its "where"
column links to exists in the rendered pages (issue 25, finding 12)."""

import html
import re

import pytest

from evsum import load_evidence
from evsum.present.prisma_checklist import (
    NOT_APPLICABLE,
    NOT_REPORTED,
    PARTLY,
    REPORTED,
    prisma_checklist,
)
from evsum.render.batch import plan_reports, render_all

from conftest import ROOT

#: The pages rendered: the methods page (which holds the checklist), the overview and one
#: condition report; every condition report comes from the same notebook, so its section
#: anchors are those of the one rendered.
PAGES = ("methods", "overview", "alcohol")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "reports"
    jobs = [
        job
        for name in PAGES
        for job in plan_reports(
            ROOT / "data" / "studies.csv",
            ROOT / "notebooks",
            out,
            base=ROOT,
            build_dir=out.parent / "build",
            only=name,
        )
    ]
    summary = render_all(jobs, out, quiet=True, workers=2)
    assert not summary.failed, [r.error for r in summary.failed]
    return out


def _ids(page: str) -> set[str]:
    return {html.unescape(i) for i in re.findall(r'\bid="([^"]*)"', page)}


def test_the_ketamine_checklist_addresses_36_items_truthfully():
    items = {i.item: i for i in prisma_checklist(load_evidence(base=ROOT))}
    status = {s: [k for k, i in items.items() if i.status == s] for s in (REPORTED, PARTLY)}
    status[NOT_APPLICABLE] = [k for k, i in items.items() if i.status == NOT_APPLICABLE]
    status[NOT_REPORTED] = [k for k, i in items.items() if i.status == NOT_REPORTED]
    assert len(status[REPORTED]) + len(status[NOT_APPLICABLE]) >= 36, status
    # what the repository does not hold stays unreported: no search strategy (evsum.toml
    # [search] has none), no funding and no competing interests declared
    assert {"7", "25", "26"} <= set(status[NOT_REPORTED])
    # the number of people who selected, extracted and assessed is not recorded
    assert {"8", "9", "11"} <= set(status[PARTLY])
    # no analysis pools two or more studies: no heterogeneity to investigate, no sensitivity
    # analysis possible (every analysis holds one study: tests/test_reporting_protocol.py)
    assert set(status[NOT_APPLICABLE]) == {"20c", "20d"}
    for item in items.values():
        if item.status != NOT_REPORTED:
            assert item.links, item.item


def test_every_place_the_checklist_points_to_exists(site):
    methods = (site / "methods.html").read_text(encoding="utf-8")
    table = re.search(
        r'<table class="evsum-methods evsum-prisma-checklist">.*?</table>', methods, re.S
    )
    assert table, "the checklist is on the methods page"
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', table.group(0))]
    items = prisma_checklist(load_evidence(base=ROOT))
    assert set(hrefs) == {href for i in items for href, _ in i.links}
    pages = {p.stem: _ids(p.read_text(encoding="utf-8")) for p in site.glob("*.html")}
    conditions = set(load_evidence(base=ROOT).studies.data["condition"])
    for href in set(hrefs):
        page, _, fragment = href.partition("#")
        name = page.removesuffix(".html")
        if name in conditions:
            name = "alcohol"  # one notebook for every condition: the same section anchors
        assert name in pages, href
        assert not fragment or fragment in pages[name], href
