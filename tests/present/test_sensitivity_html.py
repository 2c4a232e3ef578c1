"""Reports show influence diagnostics and the cumulative analysis as sensitivity material."""

import numpy as np

from evsum.present import text
from evsum.present.sections import heterogeneity_html
from evsum.present.sensitivity import sensitivity_tables
from evsum.review.analysis import analyse_outcomes
from evsum.review.examples import example_evidence


def _analyses():
    return tuple(analyse_outcomes(example_evidence(), "condition_a"))


def test_tables_for_every_analysis_of_three_or_more_studies():
    analyses = _analyses()
    pooled = [a for a in analyses if a.result is not None and a.result.k >= 3]
    assert pooled
    html = str(heterogeneity_html(analyses))
    assert html.count("Influence diagnostics:") == len(pooled)
    assert html.count("Cumulative meta-analysis:") == len(pooled)
    for a in pooled:
        t = sensitivity_tables(a)
        assert len(t["influence"]) == len(t["cumulative"]) == a.result.k
        # the last step pools every study: it is the analysis itself
        f = np.exp if a.result.is_ratio else (lambda x: x)
        assert t["cumulative"][-1][2] == text.number(float(f(a.result.estimate)))
        assert t["small_study"] == []  # fewer than 10 studies: no rank test, no trim-and-fill


def test_no_tables_below_three_studies():
    for a in _analyses():
        if a.result is not None and a.result.k < 3:
            assert sensitivity_tables(a) is None
