"""Names and vocabularies of the data and the statistics; no logic.

Everything that names a column, an allowed value, an effect measure or a pooling method is
defined here once and imported elsewhere.
"""

from __future__ import annotations

#: A median and its spread (IQR or range), per arm: a continuous outcome reported without means.
MEDIAN_COLUMNS: tuple[str, ...] = (
    "median_intervention",
    "median_comparator",
    "spread",
    "spread_low_intervention",
    "spread_high_intervention",
    "spread_low_comparator",
    "spread_high_comparator",
)
#: The forms in which papers report effects and designs besides counts, means and ratios with
#: their interval (data/README.md, studies.csv).
REPORTED_FORM_COLUMNS: tuple[str, ...] = (
    "ci_level",
    "se",
    "p_value",
    "scale",
    "icc",
    "cluster_size",
    "design_effect",
    "correlation",
    *MEDIAN_COLUMNS,
)
#: Columns of ``data/studies.csv``, in file order (the curation contract).
STUDY_COLUMNS: tuple[str, ...] = (
    "study_id",
    "first_author",
    "year",
    "doi",
    "pmid",
    "condition",
    "design",
    "randomised",
    "blinding",
    "intervention",
    "comparator",
    "comparator_type",
    "n_intervention",
    "n_comparator",
    "outcome",
    "outcome_type",
    "timepoint",
    "events_intervention",
    "events_comparator",
    "mean_intervention",
    "sd_intervention",
    "mean_comparator",
    "sd_comparator",
    "effect_measure",
    "effect",
    "ci_low",
    "ci_high",
    *REPORTED_FORM_COLUMNS,
    "data_level",
    "source_type",
    "source_kind",
    "source_locator",
    "source_quote",
    "derivation",
    "notes",
)
#: Columns a study table may leave out (an evidence base curated before they existed): read
#: as empty cells.
OPTIONAL_STUDY_COLUMNS: tuple[str, ...] = (
    *REPORTED_FORM_COLUMNS,
    "source_kind",
)

#: Columns that must hold a value in every row.
REQUIRED_VALUE_COLUMNS: tuple[str, ...] = (
    "study_id",
    "first_author",
    "year",
    "condition",
    "design",
    "randomised",
    "intervention",
    "comparator",
    "comparator_type",
    "outcome",
    "outcome_type",
    "timepoint",
    "data_level",
    "source_type",
    "source_locator",
)

INTEGER_COLUMNS: tuple[str, ...] = (
    "year",
    "pmid",
    "n_intervention",
    "n_comparator",
    "events_intervention",
    "events_comparator",
)
FLOAT_COLUMNS: tuple[str, ...] = (
    "mean_intervention",
    "sd_intervention",
    "mean_comparator",
    "sd_comparator",
    "effect",
    "ci_low",
    "ci_high",
    "ci_level",
    "se",
    "p_value",
    "icc",
    "cluster_size",
    "design_effect",
    "correlation",
    "median_intervention",
    "median_comparator",
    "spread_low_intervention",
    "spread_high_intervention",
    "spread_low_comparator",
    "spread_high_comparator",
)
NUMERIC_COLUMNS: tuple[str, ...] = INTEGER_COLUMNS + FLOAT_COLUMNS
#: Numbers taken from a paper: each row that has one needs a source quote.
SOURCED_NUMBER_COLUMNS: tuple[str, ...] = (
    "events_intervention",
    "events_comparator",
    "mean_intervention",
    "sd_intervention",
    "mean_comparator",
    "sd_comparator",
    "effect",
    "ci_low",
    "ci_high",
    "se",
    "p_value",
    "median_intervention",
    "median_comparator",
    "spread_low_intervention",
    "spread_high_intervention",
    "spread_low_comparator",
    "spread_high_comparator",
)

#: Key that identifies one row: study × comparison × outcome × time point × kind of source
#: (a primary and a secondary report of the same result are two rows).
ROW_KEY: tuple[str, ...] = (
    "study_id",
    "intervention",
    "comparator",
    "outcome",
    "timepoint",
    "source_type",
)

DESIGNS: dict[str, str] = {
    "parallel_rct": "Randomised, parallel groups",
    "crossover_rct": "Randomised, crossover",
    "cluster_rct": "Randomised, clusters",
    "quasi_randomised": "Quasi-randomised (alternation or another systematic rule)",
    "nonrandomised_controlled": "Non-randomised, controlled",
    "cohort": "Cohort study",
    "case_control": "Case-control study",
    "uncontrolled": "Uncontrolled",
}
#: Designs whose participants (or clusters) were allocated at random: ``randomised`` is true
#: for them and false for every other design.
RANDOMISED_DESIGNS: frozenset[str] = frozenset({"parallel_rct", "crossover_rct", "cluster_rct"})
#: Observational designs: the investigators allocated nothing, so blinding of allocation does
#: not apply and ``blinding`` may be left empty.
OBSERVATIONAL_DESIGNS: frozenset[str] = frozenset({"cohort", "case_control", "uncontrolled"})
#: GRADE's starting level of the evidence of each design (GRADE handbook 5.1: randomised
#: trials start high, observational studies low; a quasi-randomised trial is not randomised).
DESIGN_GRADE_START: dict[str, str] = {
    d: "high" if d in RANDOMISED_DESIGNS else "low" for d in DESIGNS
}
BLINDING: tuple[str, ...] = (
    "open",
    "single-blind",
    "double-blind",
    "not reported",
    "not applicable",
)
#: The scale of a reported effect and its interval (``scale``): ``log`` for a ratio given as
#: its logarithm (as a regression reports it); empty means natural.
SCALES: tuple[str, ...] = ("natural", "log")
#: What a median is given with (``spread``): its quartiles or its range.
SPREADS: tuple[str, ...] = ("iqr", "range")
BOOLEAN_VALUES: dict[str, bool] = {"true": True, "false": False}
COMPARATOR_TYPES: tuple[str, ...] = (
    "placebo",
    "active placebo",
    "dose comparison",
    "treatment as usual",
    "none",
)
OUTCOME_TYPES: tuple[str, ...] = ("binary", "continuous", "time_to_event", "count")

DATA_LEVELS: tuple[str, ...] = ("arm", "contrast", "narrative")
SOURCE_TYPES: tuple[str, ...] = ("primary", "registry", "secondary")
#: What a row's numbers were read from (``source_kind``), each with the ``source_type`` it
#: belongs to: the trial's own paper read in full or only in its abstract, the results posted
#: in a trial registry, or a review or press report of the trial.
SOURCE_KINDS: dict[str, str] = {
    "full text": "primary",
    "abstract": "primary",
    "registry results": "registry",
    "review": "secondary",
    "press": "secondary",
}

#: Effect measures (metafor ``escalc`` codes). Ratio measures are pooled on the log scale.
MEASURES: tuple[str, ...] = ("RR", "OR", "RD", "MD", "SMD")
RATIO_MEASURES: frozenset[str] = frozenset({"RR", "OR", "HR", "IRR"})
#: Measures a paper may report as a contrast (``effect_measure`` column).
REPORTED_MEASURES: tuple[str, ...] = ("RR", "OR", "RD", "MD", "SMD", "HR", "IRR")
BINARY_MEASURES: frozenset[str] = frozenset({"RR", "OR", "RD"})
CONTINUOUS_MEASURES: frozenset[str] = frozenset({"MD", "SMD"})

#: Pooling methods (metafor ``rma(method=)`` codes); "EE" is metafor's alias of "FE".
METHODS: tuple[str, ...] = ("FE", "DL", "REML", "PM", "ML")
METHOD_ALIASES: dict[str, str] = {"EE": "FE"}
#: Tests of the pooled effect: z, Hartung-Knapp-Sidik-Jonkman (t, k - 1 df) and
#: Hartung-Knapp with the ad hoc correction (variance factor never below 1), as metafor.
TESTS: tuple[str, ...] = ("z", "knha", "adhoc")
#: Prediction intervals: ``"z"`` as metafor ``predict()`` (normal, or t(k - 1) under
#: Hartung-Knapp); ``"t"`` t on k - 2 df (Higgins et al. 2009; R meta's "HTS").
PI_TYPES: tuple[str, ...] = ("z", "t")
#: Priors for the heterogeneity τ of ``pool_bayes`` (Turner 2015: log-normal for τ²).
TAU_PRIORS: tuple[str, ...] = ("halfnormal", "halfcauchy", "halft", "lognormal", "turner")
#: Priors for the effect μ of ``pool_bayes`` (None = improper uniform).
MU_PRIORS: tuple[str, ...] = ("normal",)
ZERO_CELL_RULES: tuple[str, ...] = ("only0", "all", "if0all", "none")

MEASURE_LABELS: dict[str, str] = {
    "RR": "Risk ratio",
    "OR": "Odds ratio",
    "RD": "Risk difference",
    "MD": "Mean difference",
    "SMD": "Standardised mean difference (Hedges' g)",
    "HR": "Hazard ratio",
    "IRR": "Incidence rate ratio",
}
METHOD_LABELS: dict[str, str] = {
    "FE": "Common effect (inverse variance)",
    "DL": "Random effects (DerSimonian-Laird)",
    "REML": "Random effects (REML)",
    "PM": "Random effects (Paule-Mandel)",
    "ML": "Random effects (maximum likelihood)",
    "MH": "Common effect (Mantel-Haenszel)",
    "PETO": "Common effect (Peto one-step odds ratio)",
    "BAYES": "Random effects (Bayesian, normal-normal model)",
}

#: Risk-of-bias vocabularies (RoB 2, its variant for crossover trials, ROBINS-I), with the
#: domains in the order robvis draws them (the crossover variant adds domain S, "bias arising
#: from period and carryover effects", after D1).
ROB_TOOLS: dict[str, tuple[str, ...]] = {
    "RoB 2": ("D1", "D2", "D3", "D4", "D5", "overall"),
    "RoB 2 crossover": ("D1", "DS", "D2", "D3", "D4", "D5", "overall"),
    "ROBINS-I": ("D1", "D2", "D3", "D4", "D5", "D6", "D7", "overall"),
}
ROB_JUDGEMENTS: dict[str, tuple[str, ...]] = {
    "RoB 2": ("low", "some concerns", "high"),
    "RoB 2 crossover": ("low", "some concerns", "high"),
    "ROBINS-I": ("low", "moderate", "serious", "critical", "no information"),
}
ROB_DOMAIN_LABELS: dict[str, dict[str, str]] = {
    "RoB 2": {
        "D1": "Randomisation process",
        "D2": "Deviations from intended interventions",
        "D3": "Missing outcome data",
        "D4": "Measurement of the outcome",
        "D5": "Selection of the reported result",
        "overall": "Overall",
    },
    "RoB 2 crossover": {
        "D1": "Randomisation process",
        "DS": "Period and carryover effects",
        "D2": "Deviations from intended interventions",
        "D3": "Missing outcome data",
        "D4": "Measurement of the outcome",
        "D5": "Selection of the reported result",
        "overall": "Overall",
    },
    "ROBINS-I": {
        "D1": "Confounding",
        "D2": "Selection of participants",
        "D3": "Classification of interventions",
        "D4": "Deviations from intended interventions",
        "D5": "Missing data",
        "D6": "Measurement of outcomes",
        "D7": "Selection of the reported result",
        "overall": "Overall",
    },
}
GRADE_CERTAINTY: tuple[str, ...] = ("high", "moderate", "low", "very low")
#: The certainty shown where an analysis or outcome has no GRADE assessment.
NOT_ASSESSED = "not assessed"
GRADE_DOMAINS: tuple[str, ...] = (
    "risk_of_bias",
    "inconsistency",
    "indirectness",
    "imprecision",
    "publication_bias",
)
