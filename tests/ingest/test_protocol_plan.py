"""The analysis plan in evsum.toml: [synthesis], [covariates.KEY], [analyses.KEY]."""

import shutil

import pytest

from evsum import StudyDataError
from evsum.ingest.evidence import load_evidence
from evsum.ingest.plan import DEFAULT_PLAN, MODERATOR_MIN_K, ZeroCells
from evsum.ingest.protocol import load_protocol, parse_protocol

from conftest import ROOT, SMALL_PROTOCOL

GOOD = SMALL_PROTOCOL.read_text(encoding="utf-8")
BCG = ROOT / "examples" / "bcg-vaccine"

PLAN = """
[synthesis]
model = "fixed"
method = "MH"
zero_cells = { correction = 0.5, to = "only0", drop_double_zero = true }
designs = "together"

[covariates.dose]
label = "Dose"
type = "numeric"
unit = "mg/kg"

[covariates.setting]
label = "Setting"
type = "categorical"

[analyses.abstinence_or]
outcome = "abstinence"
measure = "OR"
subgroup = "setting"
sensitivity = ["randomised_only", "fixed_effect"]

[analyses.craving_smd]
outcome = "craving"
measure = "SMD"
method = "REML"
model = "random"
test = "knha"
"""


def _problems(text: str) -> list:
    with pytest.raises(StudyDataError) as info:
        parse_protocol(text, "evsum.toml")
    return info.value.problems


def test_without_the_sections_the_plan_is_todays_default():
    assert load_protocol(SMALL_PROTOCOL).plan == DEFAULT_PLAN
    assert load_protocol(ROOT).plan == DEFAULT_PLAN
    assert not DEFAULT_PLAN.declared
    # today's analyses: random effects, REML, z test and interval, designs apart
    assert DEFAULT_PLAN.synthesis.pooling_method == "REML"
    assert DEFAULT_PLAN.synthesis.designs == "apart"
    assert DEFAULT_PLAN.synthesis.zero_cells == ZeroCells(0.5, "only0", False)


def test_a_declared_plan_is_read_into_objects():
    plan = parse_protocol(GOOD + PLAN).plan
    assert plan.declared
    assert plan.synthesis.pooling_method == "MH"
    assert plan.synthesis.zero_cells.drop_double_zero is True
    assert plan.covariates["dose"].unit == "mg/kg"
    assert plan.covariates["setting"].type == "categorical"
    first, second = plan.analyses.values()
    assert (first.outcome, first.measure, first.subgroup) == ("abstinence", "OR", "setting")
    assert first.pooling_method == "MH" and first.designs == "together"
    assert first.sensitivity == ("randomised_only", "fixed_effect")
    assert (second.pooling_method, second.test) == ("REML", "knha")
    assert any("analysis craving_smd" in line for line in plan.describe())


def test_a_method_alone_takes_its_own_model():
    text = GOOD + '\n[synthesis]\nmethod = "Peto"\n'
    synthesis = parse_protocol(text).plan.synthesis
    assert (synthesis.model, synthesis.pooling_method) == ("fixed", "PETO")


def test_every_plan_problem_at_once_at_its_line():
    text = GOOD + PLAN.replace(
        'designs = "together"', 'designs = "together"\nweights = "MH"'
    ).replace('measure = "SMD"', 'measure = "RR"').replace(
        'subgroup = "setting"', 'subgroup = "dose"\nmoderators = ["age"]'
    ).replace('"fixed_effect"]', '"fixed_effect", "trim_and_fill"]').replace(
        'type = "categorical"', 'type = "text"'
    ).replace('test = "knha"', 'test = "wald"')
    problems = _problems(text)
    lines = text.splitlines()
    found = {(p.column, p.value): p for p in problems}
    assert set(found) == {
        ("synthesis.weights", "weights"),
        ("analyses.craving_smd.measure", "RR"),
        ("analyses.abstinence_or.subgroup", "dose"),
        ("analyses.abstinence_or.moderators", "age"),
        ("analyses.abstinence_or.sensitivity", "trim_and_fill"),
        ("covariates.setting.type", "text"),
        ("analyses.craving_smd.test", "wald"),
    }
    for (column, _), problem in found.items():
        assert problem.source == "evsum.toml"
        assert lines[problem.line - 1].startswith(column.rsplit(".", 1)[1]), column
    assert "MD, SMD" in found[("analyses.craving_smd.measure", "RR")].expected
    assert "categorical" in found[("analyses.abstinence_or.subgroup", "dose")].expected
    assert "misspelled key" in found[("synthesis.weights", "weights")].expected


def test_model_and_method_must_agree():
    text = GOOD + '\n[synthesis]\nmodel = "random"\nmethod = "MH"\n'
    (problem,) = _problems(text)
    assert problem.column == "synthesis.method" and "fixed" in problem.expected
    text = GOOD + '\n[synthesis]\nmodel = "fixed"\nmethod = "DL"\n'
    (problem,) = _problems(text)
    assert "random" in problem.expected
    text = GOOD + '\n[analyses.c]\noutcome = "craving"\nmethod = "MH"\n'
    (problem,) = _problems(text)
    assert problem.column == "analyses.c.method" and "continuous" in problem.expected
    text = GOOD + '\n[analyses.c]\noutcome = "abstinence"\nmethod = "Peto"\nmeasure = "RR"\n'
    (problem,) = _problems(text)
    assert problem.column == "analyses.c.measure" and "OR" in problem.expected


def test_unknown_outcome_and_unknown_covariate():
    text = GOOD + '\n[analyses.x]\noutcome = "relapse"\nmoderators = ["ablat"]\n'
    problems = {p.column: p for p in _problems(text)}
    assert set(problems) == {"analyses.x.outcome", "analyses.x.moderators"}
    assert "abstinence, craving" in problems["analyses.x.outcome"].expected


def test_the_bcg_plan_is_valid_with_its_covariates():
    evidence = load_evidence(base=BCG)
    plan = evidence.protocol.plan
    assert plan.synthesis.designs == "apart"
    (main,) = plan.analyses.values()
    assert main.main and main.moderators == ("ablat",) and main.subgroup == "design"
    assert main.designs == "together"
    # dat.bcg ablat, rows 1 and 13 (metadat 1.2.0): Aronson 44, Comstock 1976 33 degrees
    values = evidence.covariates.set_index("study_id")["ablat"]
    assert (values["aronson1948"], values["comstock1976"]) == (44, 33)


def _copy_bcg(tmp_path):
    base = tmp_path / "bcg"
    shutil.copytree(BCG, base, ignore=shutil.ignore_patterns("reports", "build"))
    return base


def test_plan_problems_that_only_the_data_show(tmp_path):
    base = _copy_bcg(tmp_path)
    toml = base / "evsum.toml"
    text = toml.read_text(encoding="utf-8").replace(
        'label = "All 13 trials"', 'label = "All 13 trials"\ncomparator_type = "placebo"'
    )
    text += (
        '\n[covariates.dose]\nlabel = "Dose"\n\n[analyses.few]\noutcome = "tb_cases"\n'
        'timepoint = "end of follow-up"\nmoderators = ["ablat", "dose"]\n'
    )
    toml.write_text(text, encoding="utf-8")
    with pytest.raises(StudyDataError) as info:
        load_evidence(base=base)
    problems = info.value.problems
    by_column = {}
    for p in problems:
        by_column.setdefault(p.column, []).append(p)
    # the column of a declared covariate missing from its file
    assert by_column["dose"][0].source.endswith("covariates.csv")
    # a comparator the data do not have: no rows for the analysis
    assert "rows in studies.csv" in by_column["analyses.all_trials.outcome"][0].expected
    few = by_column["analyses.few.moderators"]
    assert any(f"at least {MODERATOR_MIN_K} studies per moderator" in p.expected for p in few)


def test_a_covariate_value_that_is_not_a_number(tmp_path):
    base = _copy_bcg(tmp_path)
    csv = base / "data" / "covariates.csv"
    csv.write_text(
        csv.read_text(encoding="utf-8").replace('"aronson1948",44', '"aronson1948",4x'),
        encoding="utf-8",
    )
    with pytest.raises(StudyDataError) as info:
        load_evidence(base=base)
    (problem,) = [p for p in info.value.problems if p.column == "ablat" and p.value == "4x"]
    assert problem.line == 2 and problem.study_id == "aronson1948"


def test_validate_lists_the_plan():
    from click.testing import CliRunner

    from evsum.cli import main

    result = CliRunner().invoke(main, ["validate", "--base", str(BCG)])
    assert result.exit_code == 0, result.output
    assert "analysis plan:\n  synthesis: random-effects model, method REML" in result.output
    assert (
        "  covariate ablat: Absolute latitude (numeric, degrees; covariates.csv)" in result.output
    )
    assert "analysis all_trials (main): outcome tb_cases; measure RR" in result.output


def test_the_methods_page_states_the_plan_item_by_item():
    from evsum.present.methods import synthesis_html

    html = str(synthesis_html(load_evidence(base=BCG)))
    assert "The analysis plan (PRISMA 2020 items 13a to 13f)" in html
    for item in ("13a", "13b", "13c", "13d", "13e", "13f"):
        assert f"<dt>{item}. " in html
    assert "0.5 added to every cell of a 2×2 table with a zero cell" in html
    assert "standard error (upper limit − lower limit) / (2 × 1.96)" in html
    assert "meta-regression on absolute latitude" in html
    # without a plan the page is as it was
    plain = str(synthesis_html(load_evidence(base=ROOT)))
    assert "PRISMA 2020 items 13a" not in plain
    assert plain == str(synthesis_html(load_evidence(base=ROOT), method="REML"))


def test_covariates_csv_names_known_studies_and_its_sources(tmp_path):
    base = _copy_bcg(tmp_path)
    csv = base / "data" / "covariates.csv"
    text = csv.read_text(encoding="utf-8")
    text = text.replace('"ferguson1949",55', '"fergusson1949",55')
    text = text.replace(
        '"metafor/metadat 1.2.0 dat.bcg (help page ?dat.bcg), row 3, columns ablat and alloc"',
        '""',
    )
    csv.write_text(text, encoding="utf-8")
    with pytest.raises(StudyDataError) as info:
        load_evidence(base=base)
    found = {
        (p.column, p.line) for p in info.value.problems if p.source.endswith("covariates.csv")
    }
    assert ("study_id", 3) in found  # an unknown study
    assert ("source_locator", 4) in found  # a value without its source


def test_a_measure_the_rows_cannot_give_is_a_problem_at_its_line():
    import pandas as pd

    from evsum.ingest.plan import validate_plan_data

    text = GOOD + '\n[analyses.hr]\noutcome = "abstinence"\nmeasure = "OR"\n'
    plan = parse_protocol(text).plan
    studies = pd.DataFrame(
        {
            "study_id": ["a2001", "b2002"],
            "outcome": "abstinence",
            "condition": "alcohol",
            "comparator_type": "placebo",
            "timepoint": "12 weeks",
            "data_level": ["arm", "contrast"],
            "outcome_type": "binary",
            "effect_measure": ["RR", "HR"],
        }
    )
    covariates = pd.DataFrame({"study_id": pd.Series(dtype=object)})
    (problem,) = validate_plan_data(plan, text, "evsum.toml", studies, covariates)
    assert problem.column == "analyses.hr.measure" and problem.value == "OR"
    assert "binary, reported HR" in problem.expected
    assert text.splitlines()[problem.line - 1] == 'measure = "OR"'


def test_render_offers_mantel_haenszel_and_peto():
    from click.testing import CliRunner

    from evsum.cli import main

    result = CliRunner().invoke(main, ["render", "--help"])
    assert "MH" in result.output and "Peto" in result.output
    assert "the protocol's [synthesis]" in result.output
