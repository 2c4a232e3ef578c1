"""Reports show influence diagnostics and the cumulative analysis as sensitivity material."""

import numpy as np

from evsum.present import text
from evsum.present.heterogeneity import heterogeneity_html
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


def test_small_study_material_from_ten_binary_studies():
    # twelve fictional 2x2 tables (only the section's structure is tested; the statistics
    # are checked against metafor in tests/stats/test_sensitivity.py)
    import pandas as pd

    from evsum.review.analysis import OutcomeAnalysis
    from evsum.stats.effects import effect_size
    from evsum.stats.pooling import pool

    a = np.array([3, 5, 8, 2, 9, 12, 4, 7, 15, 6, 10, 20])
    n1 = np.array([30, 45, 60, 25, 80, 100, 35, 70, 150, 50, 90, 200])
    c = np.array([6, 9, 10, 5, 14, 15, 8, 9, 22, 9, 13, 27])
    n2 = n1 + 2
    yi, vi = effect_size("OR", ai=a, bi=n1 - a, ci=c, di=n2 - c)
    labels = [f"Trial {i}" for i in range(12)]
    result = pool(yi, vi, measure="OR", labels=labels, warn=False)
    rows = pd.DataFrame(
        {
            "excluded_reason": "",
            "year": range(2000, 2012),
            "events_intervention": a,
            "n_intervention": n1,
            "events_comparator": c,
            "n_comparator": n2,
        }
    )
    analysis = OutcomeAnalysis("c", "death", "placebo", "1 year", "OR", rows, result, None)
    sens = analysis.sensitivity
    assert sens.harbord is not None and sens.peters is not None
    assert sens.rank_test is not None and sens.trim_and_fill is not None
    sentences = sensitivity_tables(analysis)["small_study"]
    assert [s.split(" test")[0] for s in sentences[:3]] == [
        "Begg's rank correlation",
        "Harbord's",
        "Peters'",
    ]
    assert sentences[3].startswith("Trim-and-fill (L0) estimates")
    assert "A sensitivity analysis only" in sentences[3]


def test_baujat_and_cumulative_plots_with_alt_text():
    from evsum.stats.cumulative import cumulative
    from evsum.stats.influence import baujat

    analyses = _analyses()
    pooled = [a for a in analyses if a.result is not None and a.result.k >= 3]
    html = str(heterogeneity_html(analyses)).replace("&#39;", "'")
    assert html.count("<h4>Baujat plot:") == len(pooled)
    assert html.count('alt="Baujat plot of') == len(pooled)
    assert html.count('alt="Cumulative forest plot') == len(pooled)
    for a in pooled:
        # the alt text names the study with the largest contribution to Q, the one with the
        # largest influence and the last cumulative step (the analysis itself)
        b = baujat(a.result)
        most_q = b.labels[int(np.argmax(b.heterogeneity))]
        assert f"Largest contribution to Q: {most_q} (" in html
        f = np.exp if a.result.is_ratio else (lambda x: x)
        last = text.number(float(f(a.result.estimate)))
        assert f"after each of {text.plural(a.result.k, 'study', 'studies')} is added" in html
        assert f"({last}, 95% CI " in html
        assert len(cumulative(a.result).labels) == a.result.k
