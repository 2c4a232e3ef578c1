"""Words a reader reads, on small bases (issue 24, defects 3, 4, 5 and 7): an SMD in standard
deviations, "not reported" instead of a count of 0, header-only companion files that "have no
rows", and results worded as the numbers are."""

import html
import re
import warnings

import pytest
from few_bases import base_of, bcg_rows

import evsum
from evsum.present import methods
from evsum.present.data_version import data_version_html
from evsum.present.overview import prisma_html
from evsum.present.sof_section import summary_of_findings_html
from evsum.present.studies import outcome_rows_html, studies_html
from evsum.present.titles import title_html

SCORE = """[outcomes.score]
label = "Symptom score"
type = "continuous"
higher_is_better = false
importance = "important"
unit = "days"
"""


def _plain(block) -> str:
    page = re.sub(r"<style>.*?</style>", "", str(block), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _sof(base) -> str:
    evidence = evsum.load_evidence(base=base)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyses = evsum.analyse_condition(evidence, "tuberculosis")
    return _plain(summary_of_findings_html(evidence, analyses))


def test_an_smd_reads_in_standard_deviations_not_the_outcome_unit(tmp_path):
    _, rows = bcg_rows()
    row = {
        **rows[0],
        "outcome": "score",
        "outcome_type": "continuous",
        "n_intervention": "20",
        "n_comparator": "20",
        "events_intervention": "",
        "events_comparator": "",
        "mean_intervention": "10",
        "sd_intervention": "2",
        "mean_comparator": "12",
        "sd_comparator": "2",
        "effect_measure": "SMD",
        "source_quote": "10 (SD 2) vs 12 (SD 2), 20 per arm (fixture)",
        "derivation": "",
    }
    text = _sof(base_of(tmp_path, [row], SCORE))
    # By hand: d = (10 - 12) / 2 = -1; Hedges' J = 1 - 3 / (4 * 38 - 1) = 0.98013, g = -0.9801;
    # v = 40 / 400 + 0.9801^2 / 80 = 0.112008, se 0.33468; 95% CI -0.9801 -/+ 1.95996 * 0.33468
    # = -1.6361 to -0.3242 (metafor escalc("SMD") gives the same yi and vi).
    assert "SMD 0.98 SD lower (1.64 lower to 0.32 lower)" in text
    assert "days lower" not in text


def test_pooled_studies_without_a_count_say_not_reported(tmp_path):
    _, rows = bcg_rows()
    # Two trials read as contrasts only, with no arm sizes (fixture values).
    contrast = [
        {
            **rows[i],
            "n_intervention": "",
            "n_comparator": "",
            "events_intervention": "",
            "events_comparator": "",
            "data_level": "contrast",
            "effect": effect,
            "ci_low": low,
            "ci_high": high,
            "source_quote": f"RR {effect} ({low} to {high}) (fixture)",
            "derivation": "",
        }
        for i, (effect, low, high) in enumerate(
            [("0.40", "0.13", "1.22"), ("0.21", "0.09", "0.49")]
        )
    ]
    text = _sof(base_of(tmp_path, contrast))
    assert "not reported (2 RCTs)" in text
    assert "0 (2 RCTs)" not in text


def _header_only_base(folder):
    """Four BCG trials with grade.csv, risk_of_bias.csv and search_log.csv as `evsum new`
    writes them: their header only."""
    from evsum.render.scaffold import HEADERS

    _, rows = bcg_rows()
    base = base_of(folder, rows[:4])
    for name in ("data/grade.csv", "data/risk_of_bias.csv", "data/search_log.csv"):
        (base / name).write_text(",".join(HEADERS[name]) + "\n", encoding="utf-8")
    return base


def test_header_only_companion_files_have_no_rows_and_are_not_missing(tmp_path):
    from click.testing import CliRunner

    from evsum.cli import main

    base = _header_only_base(tmp_path / "base")
    result = CliRunner().invoke(main, ["validate", "--base", str(base)])
    assert result.exit_code == 0, result.output
    assert (
        "optional files with no rows, header only (the reports say what was not recorded): "
        "risk_of_bias.csv, grade.csv, search_log.csv" in result.output
    )
    assert (
        "not found (the reports say what was not recorded): study_characteristics.csv, "
        "references.json" in result.output
    )
    evidence = evsum.load_evidence(base=base)
    version = _plain(data_version_html(evidence))
    assert "Optional files with no rows (header only): risk_of_bias.csv, grade.csv" in version
    assert "grade.csv" not in version.split("Missing optional files:")[1].split(".")[0]
    sof = _sof(base)
    assert "data/grade.csv has no rows" in sof and "is missing" not in sof
    method_text = _plain(methods.certainty_html(evidence)) + _plain(
        methods.risk_of_bias_tools_html(evidence)
    )
    assert (
        "(grade.csv has no rows)" in method_text
        and "(risk_of_bias.csv has no rows)" in method_text
    )
    assert "is missing" not in method_text


def test_an_empty_search_log_leaves_the_selection_not_recorded(tmp_path):
    evidence = evsum.load_evidence(base=_header_only_base(tmp_path / "base"))
    text = _plain(prisma_html(evidence))
    assert "included not recorded" in text
    assert not re.search(r"\b0\b", text)


def _four_trials():
    import numpy as np

    # The first four BCG trials (dat.bcg rows 1-4) as log risk ratios: yi = log((a/n1)/(c/n2)),
    # vi = 1/a - 1/n1 + 1/c - 1/n2 (metafor escalc("RR")).
    a, n1, c, n2 = (
        np.array([4, 6, 3, 62]),
        np.array([123, 306, 231, 13598]),
        np.array([11, 29, 11, 248]),
        np.array([139, 303, 220, 12867]),
    )
    return np.log((a / n1) / (c / n2)), 1 / a - 1 / n1 + 1 / c - 1 / n2


def test_hartung_knapp_names_its_degrees_of_freedom():
    from evsum.stats.pooling import pool

    yi, vi = _four_trials()
    words = evsum.describe(pool(yi, vi, method="REML", test="knha", measure="RR", warn=False))
    # Hartung-Knapp: t on k - 1 = 3 df (metafor prints "t(df = 3)" / "t(3)")
    assert re.search(r"t = −?\d+\.\d\d on 3 df,", words), words


def test_a_common_effect_result_prints_no_tau_squared():
    from evsum.stats.pooling import pool

    yi, vi = _four_trials()
    words = evsum.describe(pool(yi, vi, method="FE", measure="RR", warn=False))
    assert "τ²" not in words and "I² = " in words


def test_one_summary_of_findings_row_is_worded_as_one():
    from evsum.present.text import rows_pooled

    assert rows_pooled(1, 1) == "The one summary-of-findings row pools two or more studies."
    assert "1 of 1" not in rows_pooled(1, 1) and "the others" not in rows_pooled(1, 1)
    assert rows_pooled(3, 3) == "All 3 summary-of-findings rows pool two or more studies."


def _forms_base(folder):
    """Three BCG trials recorded in other forms (fixture values): Aronson as a contrast with a
    90% CI, Ferguson as a cohort study (no blinding: observational), Rosenthal as a cluster
    trial with its ICC and mean cluster size, blinding not reported."""
    _, rows = bcg_rows()
    forms = dict.fromkeys(
        ("ci_level", "se", "p_value", "scale", "icc", "cluster_size", "design_effect"), ""
    )
    contrast = {
        **rows[0],
        **forms,
        "n_intervention": "",
        "n_comparator": "",
        "events_intervention": "",
        "events_comparator": "",
        "data_level": "contrast",
        "effect": "0.40",
        "ci_low": "0.15",
        "ci_high": "1.05",
        "ci_level": "90",
        "source_quote": "RR 0.40 (90% CI 0.15 to 1.05) (fixture)",
        "derivation": "",
    }
    cohort = {**rows[1], **forms, "design": "cohort", "randomised": "false", "blinding": ""}
    cluster = {
        **rows[2],
        **forms,
        "design": "cluster_rct",
        "blinding": "not reported",
        "icc": "0.02",
        "cluster_size": "21",
    }
    return base_of(folder, [contrast, cohort, cluster])


def test_other_forms_show_how_they_were_analysed(tmp_path):
    evidence = evsum.load_evidence(base=_forms_base(tmp_path))
    rows = _plain(outcome_rows_html(evidence, "tuberculosis"))
    assert "RR 0.40 (90% CI 0.15 to 1.05)" in rows
    # SE = (ln 1.05 - ln 0.15) / (2 × 1.644854) = ln 7 / 3.289707 = 1.945910 / 3.289707
    # = 0.591515 (Cochrane Handbook 6.3.1)
    assert (
        "Analysed as: SE of log RR 0.5915 from the 90% CI: (ln 1.05 − ln 0.15) / (2 × 1.645)"
        in rows
    )
    # design effect 1 + (21 - 1) × 0.02 = 1.4 (Cochrane Handbook 23.1.4)
    assert "design effect 1 + (21 − 1) × 0.02 = 1.40" in rows
    studies = _plain(studies_html(evidence, "tuberculosis"))
    assert "Cohort study " in studies and "Cohort study;" not in studies
    assert "Randomised, clusters; blinding not reported" in studies


def test_each_design_is_named_with_its_grade_starting_level(tmp_path):
    evidence = evsum.load_evidence(base=_forms_base(tmp_path))
    text = _plain(methods.eligibility_html(evidence))
    # GRADE handbook 5.1: randomised trials start high, observational studies low
    assert "Cohort study (GRADE starts at low)" in text
    assert "Randomised, clusters (GRADE starts at high)" in text


def _exposure_base(folder):
    """Four BCG trials worded as an exposure review would word them (fixture words)."""
    _, rows = bcg_rows()
    base = base_of(folder, rows[:4])
    toml = (base / "evsum.toml").read_text(encoding="utf-8")
    toml = toml.replace(
        "[comparisons]",
        'title_template = "{intervention} and {condition} in the trial populations"\n'
        'favours_intervention = "Favours the vaccinated"\n'
        'favours_comparator = "Favours the unvaccinated"\n\n[comparisons]',
        1,
    )
    (base / "evsum.toml").write_text(toml, encoding="utf-8")
    return base


def test_the_title_and_favours_labels_come_from_the_protocol(tmp_path):
    evidence = evsum.load_evidence(base=_exposure_base(tmp_path))
    heading = _plain(title_html("tuberculosis", "REML", protocol=evidence.protocol))
    assert "BCG vaccine and Tuberculosis in the trial populations" in heading
    assert " for tuberculosis" not in heading
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (analysis,) = evsum.analyse_condition(evidence, "tuberculosis")
    figure = analysis.forest_plot()
    labels = sorted(
        t.get_text()
        for t in figure.findobj()
        if getattr(t, "get_gid", None) and t.get_gid() == "favours" and hasattr(t, "get_text")
    )
    assert labels == ["Favours the unvaccinated", "Favours the vaccinated"]


def test_a_title_template_with_another_placeholder_is_refused(tmp_path):
    import pytest

    from evsum.exceptions import StudyDataError

    base = _exposure_base(tmp_path)
    toml = (base / "evsum.toml").read_text(encoding="utf-8")
    (base / "evsum.toml").write_text(
        toml.replace("{condition} in the trial", "{population} in the trial"), encoding="utf-8"
    )
    with pytest.raises(StudyDataError, match="title_template"):
        evsum.load_evidence(base=base)


def _medians_base(folder, allowed=True):
    """One BCG trial recast as a continuous outcome given as medians with quartiles (fixture
    values), in a base whose protocol allows their conversion or not."""
    _, rows = bcg_rows()
    row = {
        **rows[0],
        "outcome": "score",
        "outcome_type": "continuous",
        "n_intervention": "50",
        "n_comparator": "50",
        "events_intervention": "",
        "events_comparator": "",
        "effect_measure": "MD",
        "median_intervention": "4",
        "median_comparator": "6",
        "spread": "iqr",
        "spread_low_intervention": "2",
        "spread_high_intervention": "7",
        "spread_low_comparator": "3",
        "spread_high_comparator": "9",
        "source_quote": "median 4 (IQR 2-7) vs 6 (IQR 3-9), 50 per arm (fixture)",
        "derivation": "",
    }
    base = base_of(folder, [row], SCORE)
    if allowed:
        toml = (base / "evsum.toml").read_text(encoding="utf-8")
        toml = toml.replace("[comparisons]", 'medians = "wan2014"\n\n[comparisons]', 1)
        (base / "evsum.toml").write_text(toml, encoding="utf-8")
    return base


def test_medians_pool_only_when_the_protocol_allows_and_say_so(tmp_path):
    evidence = evsum.load_evidence(base=_medians_base(tmp_path / "yes"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (analysis,) = evsum.analyse_condition(evidence, "tuberculosis")
    # Wan et al. 2014 S3, n = 50, η = 2 Φ⁻¹(0.743781) = 1.310093:
    # BCG arm mean (2 + 4 + 7) / 3 = 4.333333, SD 5 / 1.310093 = 3.816523;
    # other arm mean (3 + 6 + 9) / 3 = 6, SD 6 / 1.310093 = 4.579828;
    # MD = -1.666667, variance 3.816523² / 50 + 4.579828² / 50 = 0.291317 + 0.419497 = 0.710814
    assert analysis.result.estimate == pytest.approx(-1.666667, abs=1e-6)
    assert analysis.result.se**2 == pytest.approx(0.710814, abs=1e-5)
    assert any("Wan et al. 2014" in note for note in analysis.notes)
    rows = _plain(outcome_rows_html(evidence, "tuberculosis"))
    assert "median 4 (IQR 2 to 7), n=50" in rows
    assert "Means and SDs estimated from the medians and their quartiles (Wan et al. 2014)" in rows


def test_medians_are_refused_when_the_protocol_does_not_allow_them(tmp_path):
    from evsum.exceptions import StudyDataError

    with pytest.raises(StudyDataError, match='medians = "wan2014"'):
        evsum.load_evidence(base=_medians_base(tmp_path / "no", allowed=False))
