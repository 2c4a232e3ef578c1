"""The "few studies" panel beside the main result of analyses of 1 to 4 studies."""

import math
import warnings

import pytest
from few_bases import bcg_base, single_trial_base
from refdata import load

import evsum
from evsum.exceptions import EvsumWarning
from evsum.present import text
from evsum.present.few_studies import few_studies_html, few_studies_rows, few_studies_words

import hostile
from hostile import markup_issues


def _analyses(base):
    evidence = evsum.load_evidence(base=base)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return evsum.analyse_condition(evidence, "tuberculosis")


def _visible(block) -> str:
    issues, shown = markup_issues(str(block))
    assert not issues, issues
    return shown


@pytest.fixture(scope="module")
def bcg4(tmp_path_factory):
    return _analyses(bcg_base(tmp_path_factory.mktemp("bcg4"), 4))


def test_panel_numbers_are_metafors_back_transformed(bcg4):
    [analysis] = bcg4
    shown = _visible(few_studies_html(analysis))
    # metafor confint(rma(yi, vi, method="REML")), dat.bcg rows 1:4: τ² 0 to 0.987, I² 0 to
    # 86 % (tests/reference/small_k.json)
    assert "τ² 0.0000 (95% CI 0.0000 to 0.9867), I² 0.0% (0.0% to 86.0%)" in shown
    # t(k - 2) prediction interval [-1.975, -0.869] on the log scale, shown as risk ratios
    [pi] = [
        r
        for r in load("small_k.json")["pi_t"]
        if r["rows"] == 4 and r["method"] == "REML" and r["test"] == "z"
    ]
    low, high = math.exp(pi["pi_t_low"]), math.exp(pi["pi_t_high"])
    assert (round(low, 2), round(high, 2)) == (0.14, 0.42)
    assert "95% prediction interval (t on 2 df)" in shown and "0.14 to 0.42" in shown
    assert "Hartung-Knapp, ad hoc correction (t on 3 df)" in shown


def test_panel_rows_are_the_bundles_values_through_text(bcg4):
    [analysis] = bcg4
    bundle = analysis.few_studies
    rows = dict(few_studies_rows(analysis))
    hk = bundle.hartung_knapp
    assert rows["Hartung-Knapp, ad hoc correction (t on 3 df)"].startswith(
        text.estimate_ci("RR", math.exp(hk.estimate), math.exp(hk.ci_low), math.exp(hk.ci_high))
    )
    b = bundle.bayes
    [bayes] = [v for k, v in rows.items() if k.startswith("Bayesian")]
    assert (
        f"RR: posterior median {text.number(math.exp(b.mu_median))}, 95% credible "
        f"interval {text.interval(math.exp(b.mu_low), math.exp(b.mu_high))};"
    ) in bayes
    assert f"τ median {text.number(b.tau_median)} (" in bayes and "log RR scale)" in bayes


def test_prior_is_stated(bcg4):
    [analysis] = bcg4
    shown = _visible(few_studies_html(analysis))
    assert "prior for τ half-normal(scale 0.5)" in shown
    assert "weakly informative half-normal prior with scale 0.5 for τ" in shown


def test_words_say_how_poorly_tau2_is_known(bcg4):
    [analysis] = bcg4
    words = " ".join(few_studies_words(analysis))
    assert "This result rests on 4 studies" in words
    assert "An estimate of 0 does not show that the studies agree." in words


def test_panel_appears_in_the_analyses_for_four_studies_not_five(bcg4, tmp_path):
    assert 'class="evsum-few-studies"' in str(evsum.blocks.condition.analyses(bcg4))
    five = _analyses(bcg_base(tmp_path, 5, randomised_only=True))
    assert five[0].few_studies is None
    assert "evsum-few-studies" not in str(evsum.blocks.condition.analyses(five))
    assert str(few_studies_html(five[0])) == ""


def test_single_trial_wording(tmp_path):
    [analysis] = _analyses(single_trial_base(tmp_path))
    shown = _visible(few_studies_html(analysis))
    assert "This result rests on one trial (80 participants)." in shown
    assert "It cannot show that the effect is the same in other settings" in shown
    assert "inconsistency cannot be judged" in shown
    # 15/40 vs 6/40: fragility index 1 in the arm with fewer events (the comparator)
    assert (
        "A different outcome for 1 participant in the comparator arm (no vaccine) would "
        "make the result no longer significant"
    ) in shown
    assert "Fragility index" in shown and "p = 0.041 from the reported counts" in shown
    # one trial: its own result, RR (15/40)/(6/40) = 2.50; no Bayesian random-effects
    # result and no prediction interval, whose width would be the prior's (issue 25)
    assert "The study's own result" in shown and "RR 2.50" in shown
    assert "Bayesian" not in shown.split("With one study")[0]
    assert "includes no difference where the main result's interval does not" not in shown
    for absent in ("Hartung-Knapp, ad hoc", "Q-profile", "t on"):
        assert absent not in shown


def test_panel_escapes_the_data():
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        evidence = evsum.load_evidence(hostile.write_hostile_data(Path(folder)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EvsumWarning)
            analyses = evsum.analyse_condition(evidence, "alcohol")
    panels = [few_studies_html(a) for a in analyses if a.few_studies is not None]
    assert panels
    for panel in panels:
        issues, _ = markup_issues(str(panel))
        assert not issues, issues
    html = str(evsum.blocks.condition.analyses(analyses))
    assert "evsum-few-studies" in html
    assert not markup_issues(html)[0]


def test_protocol_words_in_the_panel_are_escaped(tmp_path):
    import dataclasses

    [analysis] = _analyses(single_trial_base(tmp_path))
    # the arm with fewer events is named with the protocol's words for the comparator
    hostile_words = dataclasses.replace(
        analysis, comparison=hostile.TABLE_BREAK, intervention=hostile.SCRIPT
    )
    issues, shown = markup_issues(str(few_studies_html(hostile_words)))
    assert not issues, issues
    assert f"the comparator arm ({hostile.TABLE_BREAK})" in shown


def test_hartung_knapp_ad_hoc_is_described_as_a_t_test(bcg4):
    # rma(test="adhoc") reports a t statistic on k - 1 df, as test="knha" does (metafor 3.8)
    [analysis] = bcg4
    assert ", t = " in evsum.describe(analysis.few_studies.hartung_knapp)
    assert ", z = " in evsum.describe(analysis.few_studies.reml)
