"""The few-studies bundle of analyses of 1 to 4 studies (issue 17, "In the reports")."""

import warnings

import pytest
from few_bases import bcg_base, single_trial_base
from refdata import load

import evsum
from evsum.review.few_studies import FEW_STUDIES_MAX_K, check_tau_prior


def _analysis(base, **kwargs):
    evidence = evsum.load_evidence(base=base)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        [analysis] = evsum.analyse_condition(evidence, "tuberculosis", **kwargs)
    return analysis


def _ref(section, **where):
    [row] = [
        r for r in load("small_k.json")[section] if all(r.get(k) == v for k, v in where.items())
    ]
    return row


@pytest.fixture(scope="module")
def bcg4(tmp_path_factory):
    return _analysis(bcg_base(tmp_path_factory.mktemp("bcg4"), 4))


def test_first_four_bcg_trials_match_metafor(bcg4):
    bundle = bcg4.few_studies
    assert bundle is not None and bundle.k == 4
    # metafor 3.8 confint(rma(yi, vi, method="REML")), dat.bcg rows 1:4 (small_k.json):
    # tau2 0 to 0.987, I2 0 to 86 %
    ref = _ref("confint", rows=4, method="REML")
    for name in ("tau2", "tau2_low", "tau2_high", "i2_low", "i2_high", "h2_high"):
        assert getattr(bundle.tau2_ci, name) == pytest.approx(ref[name], abs=1e-4), name
    # t(k - 2) prediction interval [-1.975, -0.869] (small_k.json pi_t, REML, test z)
    pi = _ref("pi_t", rows=4, method="REML", test="z")
    assert bundle.reml.pi_low == pytest.approx(pi["pi_t_low"], abs=1e-4)
    assert bundle.reml.pi_high == pytest.approx(pi["pi_t_high"], abs=1e-4)
    assert bundle.has_prediction_interval
    # Hartung-Knapp ad hoc: rma(yi, vi, method="REML", test="adhoc")
    hk = _ref("pi_t", rows=4, method="REML", test="adhoc")
    assert bundle.hartung_knapp.test == "adhoc"
    assert bundle.hartung_knapp.estimate == pytest.approx(hk["estimate"], abs=1e-6)
    assert bundle.hartung_knapp.se == pytest.approx(hk["se"], abs=1e-6)
    assert bundle.fragility is None  # more than one trial


def test_bayesian_result_is_pool_bayes_with_the_half_normal_prior(bcg4):
    bundle = bcg4.few_studies
    used = bcg4.rows[bcg4.rows["excluded_reason"] == ""]
    expected = evsum.pool_bayes(
        used["yi"].to_numpy(float), used["vi"].to_numpy(float), tau_prior=("halfnormal", 0.5)
    )
    assert bundle.bayes.tau_prior == expected.tau_prior == "half-normal(scale 0.5)"
    for name in ("mu_median", "mu_low", "mu_high", "tau_median", "pred_low", "pred_high"):
        assert getattr(bundle.bayes, name) == getattr(expected, name), name


def test_no_bundle_from_five_studies(tmp_path):
    assert FEW_STUDIES_MAX_K == 4
    assert _analysis(bcg_base(tmp_path / "5", 5, randomised_only=True)).few_studies is None
    assert _analysis(bcg_base(tmp_path / "7", 7, randomised_only=True)).few_studies is None


def test_two_and_three_studies(tmp_path):
    two = _analysis(bcg_base(tmp_path / "2", 2)).few_studies
    assert two.k == 2 and two.tau2_ci is not None and two.hartung_knapp is not None
    assert not two.has_prediction_interval
    assert any("at least 3 studies" in n for n in two.notes)
    three = _analysis(bcg_base(tmp_path / "3", 3)).few_studies
    ref = _ref("pi_t", rows=3, method="REML", test="z")  # metafor, dat.bcg rows 1:3
    assert three.reml.pi_low == pytest.approx(ref["pi_t_low"], abs=1e-4)
    assert three.reml.pi_high == pytest.approx(ref["pi_t_high"], abs=1e-4)


def test_single_binary_trial_has_its_fragility_index(tmp_path):
    analysis = _analysis(single_trial_base(tmp_path))
    bundle = analysis.few_studies
    assert bundle.k == 1
    assert bundle.reml is bundle.tau2_ci is bundle.hartung_knapp is None
    assert not bundle.has_prediction_interval
    # 15/40 vs 6/40: fragility index 1 (fragilityindex README example); Fisher p 0.0406 before
    # and 0.0784 after (7/40), R fisher.test (tests/reference/fragility.json)
    assert bundle.fragility.index == 1 and not bundle.fragility.reverse
    assert bundle.fragility.arm == 2
    assert bundle.fragility.pval == pytest.approx(0.0406092078730531, rel=1e-9)
    assert bundle.fragility.pval_after == pytest.approx(0.0783610070553579, rel=1e-9)
    # one study: no Bayesian random-effects result (its τ would be the prior's; issue 25)
    assert bundle.bayes is None
    assert any("the study's own result" in n for n in bundle.notes)


def test_a_non_randomised_comparison_has_no_fragility_index(tmp_path):
    analysis = _analysis(
        single_trial_base(tmp_path, design="nonrandomised_controlled", randomised="false")
    )
    bundle = analysis.few_studies
    assert bundle.fragility is None
    assert any("no meaning for a non-randomised one" in n for n in bundle.notes)


def test_single_trial_without_arm_counts_has_no_fragility_index(tmp_path):
    analysis = _analysis(
        single_trial_base(
            tmp_path,
            data_level="contrast",
            events_intervention="",
            events_comparator="",
            effect="2.5",
            ci_low="1.1",
            ci_high="5.7",
            source_quote="RR 2.5 (1.1 to 5.7)",
        )
    )
    assert analysis.few_studies is not None and analysis.few_studies.fragility is None
    assert any("fragility" in n for n in analysis.few_studies.notes)


def test_notebook_choices_reach_the_analysis(tmp_path):
    base = bcg_base(tmp_path, 4)
    analysis = _analysis(base, test="adhoc", pi="t", bayes_tau_prior=["halfcauchy", 1])
    ref = _ref("pi_t", rows=4, method="REML", test="adhoc")
    assert analysis.result.test == "adhoc" and analysis.result.pi == "t"
    assert analysis.result.pi_low == pytest.approx(ref["pi_t_low"], abs=1e-4)
    assert analysis.few_studies.bayes.tau_prior == "half-Cauchy(scale 1)"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"test": "hk"}, "test must be one of"),
        ({"pi": "normal"}, "pi must be one of"),
        ({"bayes_tau_prior": ["halfnormal"]}, "bayes_tau_prior: tau_prior 'halfnormal' takes 1"),
        ({"bayes_tau_prior": ["gamma", 1]}, "bayes_tau_prior: tau_prior must start with one of"),
    ],
)
def test_bad_choices_are_refused_before_any_analysis(tmp_path, kwargs, message):
    evidence = evsum.load_evidence(base=bcg_base(tmp_path, 4))
    with pytest.raises(ValueError, match=message):
        evsum.analyse_condition(evidence, "tuberculosis", **kwargs)


def test_check_tau_prior_returns_a_tuple():
    assert check_tau_prior(["halft", 0.5, 3]) == ("halft", 0.5, 3)


def test_no_default_bayesian_result_on_a_mean_difference_s_own_scale():
    """Grabski 2022, MD 10.1 percentage points (data/studies.csv): a half-normal prior with
    scale 0.5 for τ is set for log ratios (Röver et al. 2021), not for percentage points."""
    from conftest import ROOT

    evidence = evsum.load_evidence(base=ROOT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        [md] = [
            a
            for a in evsum.analyse_condition(evidence, "alcohol")
            if a.outcome == "percent_days_abstinent" and a.result is not None
        ]
        assert md.few_studies.bayes is None
        # one trial: its own result, no random-effects model of any kind (issue 25)
        assert any("two or more studies" in n for n in md.few_studies.notes)
        shown = str(evsum.blocks.condition.few_studies(md))
        assert "Bayesian random effects" not in shown
        assert "The study&#39;s own result" in shown and "MD 10.1" in shown
        # even with a prior the analyst gives on the outcome's scale: one study, no model
        [again] = [
            a
            for a in evsum.analyse_condition(
                evidence, "alcohol", bayes_tau_prior=("halfnormal", 10)
            )
            if a.outcome == "percent_days_abstinent" and a.result is not None
        ]
    assert again.few_studies.bayes is None
