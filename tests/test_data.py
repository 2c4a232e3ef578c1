"""The curated data: valid, documented, and honest about where numbers come from."""

import json
import re

import pytest

from evsum import load_evidence
from evsum import vocab as schema
from evsum.ingest.context import (
    CHARACTERISTICS_COLUMNS,
    GRADE_COLUMNS,
    ROB_COLUMNS,
    SEARCH_LOG_COLUMNS,
)

from conftest import ROOT

DATA = ROOT / "data"
README = (DATA / "README.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def evidence():
    return load_evidence(DATA / "studies.csv")


def test_data_validates_with_every_context_file(evidence):
    assert evidence.missing == ()
    assert evidence.studies.data["study_id"].nunique() >= 12


@pytest.mark.parametrize(
    "columns",
    [
        schema.STUDY_COLUMNS,
        CHARACTERISTICS_COLUMNS,
        ROB_COLUMNS,
        GRADE_COLUMNS,
        SEARCH_LOG_COLUMNS,
    ],
)
def test_dictionary_documents_every_column(columns):
    missing = [
        c
        for c in columns
        if f"`{c}`" not in README and f"{c}," not in README and f",{c}" not in README
    ]
    assert missing == []


@pytest.mark.parametrize(
    "column",
    [
        "condition",
        "design",
        "blinding",
        "comparator_type",
        "outcome",
        "outcome_type",
        "data_level",
        "source_type",
        "source_kind",
        "effect_measure",
    ],
)
def test_dictionary_documents_every_vocabulary_value_used(evidence, column):
    used = set(evidence.studies.data[column]) - {""}
    assert used, column
    assert [v for v in sorted(used) if f"`{v}`" not in README] == []


def test_dictionary_documents_every_outcome_of_the_protocol(evidence):
    assert [o for o in evidence.protocol.outcomes if f"`{o}`" not in README] == []


def test_dictionary_documents_every_protocol_key():
    from evsum.ingest import protocol

    keys = {
        *protocol.TOP_KEYS,
        *protocol.REVIEW_KEYS,
        *protocol.CONDITION_KEYS,
        *protocol.OUTCOME_KEYS,
    } - {"review", "conditions", "outcomes"}
    assert [k for k in sorted(keys) if f"`{k}`" not in README and f"[{k}]" not in README] == []
    assert [
        v for v in (*protocol.IMPORTANCE, *protocol.BUILTIN_TIMEPOINTS) if f"`{v}`" not in README
    ] == []


def test_code_and_dictionary_agree_on_the_years():
    from evsum.ingest.studies import YEAR_MIN

    assert YEAR_MIN == 1900
    assert f"integer from {YEAR_MIN} to next year" in README


def test_every_study_has_reference_characteristics_and_risk_of_bias(evidence):
    ids = set(evidence.studies.data["study_id"])
    assert ids <= {item["id"] for item in evidence.references}
    assert ids == set(evidence.characteristics["study_id"])
    assert ids == set(evidence.risk_of_bias["study_id"])
    overall = evidence.risk_of_bias[evidence.risk_of_bias["domain"] == "overall"]
    assert set(overall["study_id"]) == ids


def test_secondary_numbers_are_never_pooled(evidence):
    from evsum import analyse_all

    for analysis in analyse_all(evidence):
        pooled = analysis.rows[analysis.rows["excluded_reason"] == ""]
        assert set(pooled["source_type"]) <= {"primary", "registry"}
        assert set(pooled["data_level"]) <= {"arm", "contrast"}


def test_every_row_says_what_it_was_read_from(evidence):
    rows = evidence.studies.data
    assert [int(line) for line in rows.loc[rows["source_kind"] == "", "line"]] == []


def test_source_kinds_follow_the_locators(evidence):
    # The curated kind agrees with each row's source_locator: a trial's paper read at its
    # "Abstract" is `abstract` (a full-text page visited, only the abstract read), a
    # ClinicalTrials.gov record is `registry results`, a PMC or Cochrane table is `review`.
    for _, row in evidence.studies.data.iterrows():
        locator, kind = row["source_locator"], row["source_kind"]
        if row["source_type"] == "primary" and "Abstract" in locator:
            assert kind == "abstract", (row["line"], locator)
        if "ClinicalTrials.gov" in locator:
            assert kind == "registry results", row["line"]
        if (
            row["source_type"] == "secondary"
            and re.search(r"PMC\d+|Cochrane", locator)
            and "press" not in locator
        ):
            assert kind == "review", (row["line"], locator)
        if re.search(r"press (release|report|summary)", locator):
            assert kind == "press", (row["line"], locator)


def test_dose_comparisons_are_never_pooled_with_placebo(evidence):
    from evsum import analyse_all

    for analysis in analyse_all(evidence):
        assert set(analysis.rows["comparator_type"]) == {analysis.comparator_type}


def test_arm_numbers_quoted_from_the_papers(evidence):
    # Each arm-level count must appear in the row's own quote (or its stated derivation).
    rows = evidence.studies.data
    for _, row in rows[rows["data_level"] == "arm"].iterrows():
        text = f"{row['source_quote']} {row['derivation']}"
        for column in ("events_intervention", "events_comparator"):
            if str(row[column]) != "<NA>":
                assert re.search(rf"\b{row[column]}\b", text), (row["study_id"], column)


def test_references_have_doi_or_journal_pages():
    for item in json.loads((DATA / "references.json").read_text()):
        if item["type"] == "dataset":  # a registry results record
            assert item.get("URL", "").startswith("https://clinicaltrials.gov/"), item["id"]
        else:
            assert item.get("DOI") or item.get("page"), item["id"]
        assert item.get("title") and item.get("container-title"), item["id"]


def test_reported_effects_appear_in_their_quotes_as_printed(evidence):
    # The effect and CI cells keep the paper's digits ("19.0", not "19").
    rows = evidence.studies.data
    for _, row in rows[rows["data_level"] == "contrast"].iterrows():
        text = f"{row['source_quote']} {row['derivation']}"
        for column in ("effect", "ci_low", "ci_high"):
            shown = row[f"{column}_printed"]
            assert re.search(rf"(?<![\d.]){re.escape(shown)}(?![\d])", text), (
                row["study_id"],
                row["line"],
                column,
                shown,
            )


def test_outcome_table_shows_numbers_as_the_paper_printed_them(evidence):
    from evsum.present.studies import outcome_rows_html

    html = str(outcome_rows_html(evidence, "alcohol"))
    # Grabski 2022 abstract: "mean difference=10.1%, 95% CI=1.1, 19.0"
    assert "MD 10.1 (1.1 to 19.0)" in html
    # the same paper's press report of relapse: "OR, 0.80; 95% CI, 0.31-2.10"
    assert "OR 0.80 (0.31 to 2.10)" in html


def test_search_log_includes_exactly_the_studies_in_the_table(evidence):
    log = evidence.search_log
    included = set(log.loc[log["decision"] == "included", "candidate_id"])
    assert included == set(evidence.studies.data["study_id"])


def test_prisma_counts_each_candidate_once_by_decision():
    import pandas as pd

    from evsum.review.overview import prisma_counts

    log = pd.DataFrame(
        {
            "candidate_id": ["SRC:a", "SRC:b", "s1", "s2", "s2", "s3", "s4", "s5"],
            "decision": [
                "source",
                "source",
                "included",
                "included",
                "included",
                "excluded",
                "ongoing",
                "awaiting classification",
            ],
        }
    )
    assert prisma_counts(log) == {
        "sources of records": 2,
        "candidate studies screened": 5,
        "excluded": 1,
        "ongoing (no results yet)": 1,
        "awaiting classification": 1,
        "included": 2,
    }


def test_arm_sizes_fit_the_number_randomised(evidence):
    # No comparison can hold more people than the trial randomised; a comparison of pooled
    # arms (e.g. Grabski 2022: ketamine arms vs saline arms) holds all of them.
    randomised = evidence.characteristics.set_index("study_id")["n_randomised"]
    rows = evidence.studies.data
    for _, row in rows.dropna(subset=["n_intervention", "n_comparator"]).iterrows():
        total = int(row["n_intervention"]) + int(row["n_comparator"])
        known = str(randomised.get(row["study_id"], "")).strip()
        if not known.isdigit():
            continue
        if row["design"] == "crossover_rct":  # each participant is in both conditions
            assert max(row["n_intervention"], row["n_comparator"]) <= int(known), row["line"]
        else:
            assert total <= int(known), (row["study_id"], row["line"], total, known)
        if "pooled" in row["intervention"] and "pooled" in row["comparator"]:
            assert total == int(known), (row["study_id"], row["line"], total, known)
    # Grabski 2022 abstract: "Ninety-six participants ... included in the intention-to-treat analysis"
    grabski = rows[(rows["study_id"] == "grabski2022") & (rows["effect"] == 10.1)].iloc[0]
    assert (grabski["n_intervention"], grabski["n_comparator"]) == (48, 48)


# --- risk of bias per result (RoB 2, its crossover variant, ROBINS-I) -----------------------

#: The tool each design is assessed with (RoB 2 guidance: the crossover variant for crossover
#: trials; ROBINS-I for non-randomised studies of interventions).
TOOL_FOR_DESIGN = {
    "parallel_rct": "RoB 2",
    "crossover_rct": "RoB 2 crossover",
    "nonrandomised_controlled": "ROBINS-I",
}


def test_each_study_is_assessed_with_the_tool_for_its_design(evidence):
    design = evidence.studies.data.drop_duplicates("study_id").set_index("study_id")["design"]
    rob = evidence.risk_of_bias
    for study, tools in rob.groupby("study_id")["tool"]:
        assert set(tools) == {TOOL_FOR_DESIGN[design[study]]}, study
    crossover = set(design[design == "crossover_rct"].index)
    assert crossover == {"dakwar2014", "dakwar2017", "zarate2006"}
    with_s = rob[(rob["domain"] == "DS") & (rob["outcome"] == "")]
    assert set(with_s["study_id"]) == crossover


def test_every_study_has_a_default_assessment_and_outcome_ones_name_its_outcomes(evidence):
    rob = evidence.risk_of_bias
    overall = rob[rob["domain"] == "overall"]
    assert set(overall.loc[overall["outcome"] == "", "study_id"]) == set(
        evidence.studies.data["study_id"]
    )
    outcomes = evidence.studies.data.groupby("study_id")["outcome"].agg(set)
    for _, row in overall[overall["outcome"] != ""].iterrows():
        assert row["outcome"] in outcomes[row["study_id"]], (row["study_id"], row["outcome"])


def test_the_same_concerns_get_the_same_overall_judgement(evidence):
    # Issue 14: five "some concerns" were judged high for Krupitsky 2002 and 2007 but "some
    # concerns" for Dakwar 2020 and Das 2019. RoB 2's algorithm (Sterne et al. 2019, Table 2)
    # gives "some concerns" unless an escalation is recorded with its reason; none is.
    rob = evidence.risk_of_bias
    overall = rob[(rob["domain"] == "overall") & (rob["outcome"] == "")].set_index("study_id")
    for study in ("krupitsky2002", "krupitsky2007", "dakwar2020", "das2019"):
        assert overall.loc[study, "judgement"] == "some concerns", study
    assert (rob["escalation_reason"] == "").all()


def test_krupitsky2007_support_matches_its_judgements(evidence):
    # The support text may not call a domain's problem decisive while the judgement says only
    # "some concerns": D2 and D4 name the RoB 2 signalling answers that lead there.
    rob = evidence.risk_of_bias.set_index(["study_id", "outcome", "domain"])
    for domain in ("D2", "D4"):
        row = rob.loc[("krupitsky2007", "", domain)]
        assert row["judgement"] == "some concerns"
        assert "no information" in row["support"] and "some concerns" in row["support"]


def test_risk_of_bias_figures_draw_every_assessed_result(evidence):
    import matplotlib

    from evsum.present.figures import rob_summary, rob_traffic_light

    matplotlib.use("Agg")
    rob = evidence.risk_of_bias
    for tool in schema.ROB_TOOLS:
        part = rob[rob["tool"] == tool]
        results = part[["study_id", "outcome"]].drop_duplicates()
        fig = rob_traffic_light(part, tool)
        names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert len(names) == len(results), tool
        cells = next(c for c in fig.axes[0].collections if c.get_gid() == "rob_cells")
        assert len(cells.get_offsets()) == len(results) * len(schema.ROB_TOOLS[tool])
        rob_summary(part, tool)
    crossover = rob_traffic_light(rob[rob["tool"] == "RoB 2 crossover"], "RoB 2 crossover")
    assert [t.get_text() for t in crossover.axes[0].get_xticklabels()][:2] == ["D1", "DS"]
    assert "dakwar2014: craving" in [t.get_text() for t in crossover.axes[0].get_yticklabels()]
    # 10 parallel RoB 2 trials, one of them (Dakwar 2019) with a craving assessment of its own.
    label = rob_summary(rob[rob["tool"] == "RoB 2"], "RoB 2").axes[0].get_xlabel()
    assert label == "Percent of results (11 results of 10 studies, RoB 2)"


# --- one participant count per study --------------------------------------------------------

#: Number words the sources print instead of digits (Krupitsky 2002 "Seventy", Grabski 2022
#: "Ninety-six", Dakwar 2014 "Eight", Dakwar 2017 "Twenty").
NUMBER_WORDS = {8: "eight", 20: "twenty", 70: "seventy", 96: "ninety-six"}


def _states(text: str, number: int) -> bool:
    return bool(re.search(rf"(?<![\d.]){number}(?![\d])", text)) or (
        NUMBER_WORDS.get(number, "\0") in text.lower()
    )


def test_counts_come_with_the_words_that_state_them(evidence):
    chars = evidence.characteristics
    for _, row in chars[chars["n_source"] != ""].iterrows():
        for column in ("n_randomised", "n_analysed"):
            if row[column]:
                assert _states(row["n_source"], int(row[column])), (row["study_id"], column)
    # Issue 14: the n of Das 2019 (90) and Gent 2024 (28) sat in free-text notes only.
    counts = chars.set_index("study_id")
    assert counts.loc["das2019", "n_randomised"] == "90"
    assert "secondary" in counts.loc["das2019", "n_source"]
    assert counts.loc["gent2024", "n_randomised"] == "28"
    # Randomised vs analysed where they differ (each quoted in n_source).
    assert dict(counts.loc[counts["n_analysed"] != "", "n_analysed"]) == {
        "yoon2025": "58",
        "krupitsky2007": "53",
        "jovaisa2006": "50",
        "zarate2006": "17",
    }


def test_crossover_trials_record_their_participants_once(evidence):
    rows = evidence.studies.data
    crossover = rows[rows["design"] == "crossover_rct"]
    assert len(crossover)
    assert crossover["n_comparator"].isna().all()
    # every crossover count sits in n_intervention; only a row with no result read may leave
    # it empty (Zarate 2006's HDRS: no analysed number read; the study's count is in the
    # characteristics file, so no page reads 18 beside the 17 analysed for response)
    counted = crossover[crossover["source_quote"] != ""]
    assert len(counted) and counted["n_intervention"].notna().all()
    parallel = rows[rows["design"] != "crossover_rct"]
    # Parallel arms: either both arm counts or neither (the total is then in the
    # characteristics file), never one arm alone.
    assert (parallel["n_intervention"].isna() == parallel["n_comparator"].isna()).all()


def test_arm_counts_never_exceed_the_study_count(evidence):
    counts = evidence.characteristics.set_index("study_id")["n_randomised"]
    rows = evidence.studies.data
    for _, row in rows.dropna(subset=["n_intervention"]).iterrows():
        known = counts.get(row["study_id"], "")
        if not known:
            continue
        total = int(row["n_intervention"]) + (
            0 if str(row["n_comparator"]) == "<NA>" else int(row["n_comparator"])
        )
        assert total <= int(known), (row["study_id"], row["line"])


# --- eligibility ------------------------------------------------------------------------------

#: The inclusion criteria (data/README.md, "Eligibility"): controlled studies only.
ELIGIBLE_DESIGNS = {"parallel_rct", "crossover_rct", "nonrandomised_controlled"}


def test_every_included_study_meets_the_inclusion_criteria(evidence):
    rows = evidence.studies.data
    log = evidence.search_log
    included = set(log.loc[log["decision"] == "included", "candidate_id"])
    assert included == set(rows["study_id"])
    protocol_conditions = set(evidence.protocol.conditions)
    for study, group in rows.groupby("study_id"):
        assert set(group["design"]) <= ELIGIBLE_DESIGNS, study
        assert "none" not in set(group["comparator_type"]), study
        assert set(group["condition"]) <= protocol_conditions, study
        if (group["design"] != "nonrandomised_controlled").all():
            assert group["randomised"].all(), study


def test_uncontrolled_reports_are_excluded_with_their_reason(evidence):
    log = evidence.search_log.set_index("candidate_id")
    for candidate in ("yoon2019", "azhari2021", "nct05796791"):
        assert log.loc[candidate, "decision"] == "excluded", candidate
        assert log.loc[candidate, "reason"].startswith("No control group"), candidate
    ids = set(evidence.studies.data["study_id"])
    assert "yoon2019" not in ids
    assert "yoon2019" not in set(evidence.risk_of_bias["study_id"])


# --- GRADE: a certainty for every row the summaries of findings show --------------------------


def test_every_summary_of_findings_row_has_a_certainty(evidence):
    # Issue 14: a summary-of-findings row whose condition × outcome × comparator type × time
    # point has no grade.csv row reads "not assessed". Every condition's summary of findings,
    # as the condition report builds and draws it, must carry a GRADE certainty on every row.
    from evsum import analyse_all, analyse_condition, blocks
    from evsum.present.sof import summary_of_findings
    from evsum.review.overview import headline_frame

    # issue 25: a result not obtained (no number, no curated summary) is "not rated", never
    # "not assessed"; every other row carries its GRADE certainty
    levels = set(schema.GRADE_CERTAINTY) | {"not rated"}
    drawn = {level.replace(" ", "-") for level in levels}
    assert set(evidence.protocol.conditions) == {"alcohol", "opioids", "cocaine", "depression"}
    for condition in evidence.protocol.conditions:
        analyses = analyse_condition(evidence, condition)
        frame = summary_of_findings(
            analyses, evidence.grade, characteristics=evidence.characteristics
        )
        assert len(frame), condition
        missing = frame.loc[
            ~frame["certainty"].isin(levels), ["outcome", "comparator_type", "timepoint"]
        ]
        # results never obtained get no certainty (GRADE rates a result, not an outcome's
        # name): Yoon 2025's abstinence ("Co-primary: MADRS; complete alcohol abstinence",
        # its abstract cut off before the result) and Zarate 2006's HDRS (no score read)
        not_obtained = {
            ("alcohol", "abstinence", "active placebo", "4 weeks"),
            ("depression", "depression_score", "placebo", "24 h"),
        }
        missing = missing[
            [
                (condition, *key) not in not_obtained
                for key in missing.itertuples(index=False, name=None)
            ]
        ]
        assert missing.empty, (condition, missing.to_dict("records"))
        page = blocks.condition.summary_of_findings(evidence, analyses).html
        cells = re.findall(r'class="sof-certainty sof-certainty-([a-z-]+)"', page)
        assert cells, condition
        # a result never obtained draws no certainty symbol ("not assessed")
        unrated = drawn | (
            {"not-assessed"} if any(c == condition for c, *_ in not_obtained) else set()
        )
        assert set(cells) <= unrated, (condition, set(cells) - drawn)
        assert cells.count("not-assessed") <= sum(c == condition for c, *_ in not_obtained)
    # The overview's headline table: every analysis with numbers carries its certainty too.
    headline = headline_frame(analyse_all(evidence), grade=evidence.grade)
    with_numbers = headline[headline["k"] > 0]
    assert len(with_numbers)
    assert with_numbers["certainty"].isin(set(schema.GRADE_CERTAINTY)).all(), with_numbers[
        ~with_numbers["certainty"].isin(set(schema.GRADE_CERTAINTY))
    ][["condition", "outcome", "timepoint"]]


def test_every_grade_row_rates_evidence_a_report_shows(evidence):
    # The other way round: no grade.csv row rates a condition × outcome × comparator type ×
    # time point that has no data row (a misspelled key would rate nothing).
    rows = evidence.studies.data
    shown = {
        tuple(r)
        for r in rows[["condition", "outcome", "comparator_type", "timepoint"]]
        .astype(str)
        .to_numpy()
        .tolist()
    }
    for _, g in evidence.grade.iterrows():
        key = (g["condition"], g["outcome"], g["comparator_type"], str(g["timepoint"]).strip())
        # a blank time point rates every time point of the outcome without a row of its own
        assert key in shown or (not key[3] and any(s[:3] == key[:3] for s in shown)), key


def _numbers(text: str) -> list[str]:
    """Numbers of a GRADE reason, without study names' years and tool names ("RoB 2")."""
    text = re.sub(r"\b[A-Z][a-z]+ (?:19|20)\d\d\b", "", text).replace("RoB 2", "")
    return re.findall(r"(?<![\w.])\.?\d+(?:\.\d+)?(?!\w)", text)


def test_grade_reasons_quote_only_numbers_the_data_hold(evidence):
    # A reason may state an n, a count or an estimate only if the data of the studies it rates
    # hold it (studies.csv, study_characteristics.csv, risk_of_bias.csv), or it is the sum of a
    # row's two arms (211 = 111 + 100 participants of Krupitsky 1997; 97 = 73 + 24 events).
    rows = evidence.studies.data
    chars = evidence.characteristics
    rob = evidence.risk_of_bias
    for _, g in evidence.grade.iterrows():
        rated = rows[
            (rows["condition"] == g["condition"])
            & (rows["outcome"] == g["outcome"])
            & (rows["comparator_type"] == g["comparator_type"])
        ]
        if str(g["timepoint"]).strip():
            rated = rated[rated["timepoint"] == str(g["timepoint"]).strip()]
        studies = set(rated["study_id"])
        assert studies, (g["condition"], g["outcome"], g["timepoint"])
        corpus = " ".join(
            [" ".join(map(str, r)) for r in rows[rows["study_id"].isin(studies)].to_numpy()]
            + [" ".join(map(str, r)) for r in chars[chars["study_id"].isin(studies)].to_numpy()]
            + list(rob.loc[rob["study_id"].isin(studies), "support"])
        )
        sums = set()
        for _, r in rated.iterrows():
            for a, b in (
                ("n_intervention", "n_comparator"),
                ("events_intervention", "events_comparator"),
            ):
                if str(r[a]) not in ("<NA>", "nan", "") and str(r[b]) not in ("<NA>", "nan", ""):
                    sums.add(str(int(r[a]) + int(r[b])))
        for column in [c for c in g.index if c.endswith("_reason")]:
            for number in _numbers(str(g[column])):
                held = re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", corpus)
                assert held or number in sums, (
                    g["condition"],
                    g["outcome"],
                    g["timepoint"],
                    column,
                    number,
                )
