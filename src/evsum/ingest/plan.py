"""The analysis plan of a review, as ``evsum.toml`` declares it: ``[synthesis]``,
``[covariates.KEY]`` and ``[analyses.KEY]``.

A Cochrane protocol states its synthesis plan before the data ("Data synthesis", "Subgroup
analysis and investigation of heterogeneity", "Sensitivity analysis"); RevMan stores per
outcome the statistical method, the analysis model and the effect measure. Here that plan is
data: :func:`parse_plan` validates the three sections of the protocol (every problem at once,
each at the line of its key) and :func:`validate_plan_data` checks what only the data can
tell (a measure that the outcome's rows cannot give, a covariate without values, a moderator
with too few studies). Without these sections the plan is :data:`DEFAULT_PLAN`: one
inverse-variance random-effects analysis (REML, z test) per outcome, time point, comparator
and design, as evsum always did.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evsum import vocab
from evsum.exceptions import Problem
from evsum.ingest.io import LINE
from evsum.ingest.toml_schema import TomlChecker, locate_inline
from evsum.stats.multiarm import MULTI_ARM_RULES

#: Analysis models: a random-effects model or a common (fixed) effect.
MODELS: tuple[str, ...] = ("random", "fixed")
#: Pooling methods a plan may name: a τ² estimator (metafor ``rma(method=)``), ``IV``
#: (inverse variance with the model's default: REML when random, FE when fixed), or, for 2x2
#: tables, Mantel-Haenszel (``MH``) and Peto's one-step odds ratio (``Peto``), both
#: common-effect methods (metafor ``rma.mh``, ``rma.peto``).
PLAN_METHODS: tuple[str, ...] = ("IV", "MH", "Peto", *vocab.METHODS)
#: Whether randomised and non-randomised studies are analysed apart (Cochrane Handbook 24.6.1)
#: or together (randomised and quasi-randomised allocation pooled in one analysis).
DESIGN_RULES: tuple[str, ...] = ("apart", "together")
#: Comparisons of one trial against a shared comparator arm: keep the first (as evsum always
#: did), combine the intervention arms (Cochrane Handbook 6.5.2.10) or split the shared arm.
MULTI_ARM: tuple[str, ...] = MULTI_ARM_RULES
#: Covariate types: a number per study (meta-regression) or a category (subgroups).
COVARIATE_TYPES: tuple[str, ...] = ("numeric", "categorical")
#: Files a covariate's values may come from (in the data folder); the column is the key.
COVARIATE_FILES: tuple[str, ...] = ("covariates.csv", "study_characteristics.csv")
#: Study-level columns of ``studies.csv`` a subgroup may name without declaring a covariate.
STUDY_SUBGROUPS: dict[str, str] = {
    "design": "Study design",
    "blinding": "Blinding",
    "source_kind": "Source of the numbers",
}
#: Sensitivity analyses a plan may declare, each a full analysis of the main one's rows.
SENSITIVITY: dict[str, str] = {
    "randomised_only": "randomised trials only",
    "exclude_high_risk_of_bias": "studies at high risk of bias (overall) left out",
    "fixed_effect": "common-effect model",
    "random_effects": "random-effects model (REML)",
    "exclude_secondary": "numbers read only in an abstract or a registry left out",
    "drop_double_zero": "studies without events in both arms left out",
}
#: Measures each kind of arm data gives (metafor ``escalc``).
ARM_MEASURES: dict[str, tuple[str, ...]] = {
    "binary": ("OR", "RR", "RD"),
    "continuous": ("MD", "SMD"),
}
#: Measures of the Mantel-Haenszel and Peto methods.
METHOD_MEASURES: dict[str, tuple[str, ...]] = {"MH": ("OR", "RR", "RD"), "Peto": ("OR",)}
#: Fewest studies per moderator of a meta-regression (Cochrane Handbook 10.11.5.1: "meta-
#: regression should generally not be considered when there are fewer than ten studies").
MODERATOR_MIN_K: int = 10

#: The top-level sections of ``evsum.toml`` that hold the plan.
PLAN_SECTIONS: tuple[str, ...] = ("synthesis", "covariates", "analyses")
SYNTHESIS_KEYS = ("model", "method", "test", "prediction", "zero_cells", "designs", "multi_arm")
ZERO_CELL_KEYS = ("correction", "to", "drop_double_zero")
COVARIATE_KEYS = ("label", "type", "unit", "file")
ANALYSIS_KEYS = (
    "label",
    "outcome",
    "condition",
    "comparator_type",
    "timepoint",
    "measure",
    "subgroup",
    "moderators",
    "sensitivity",
    "main",
    "model",
    "method",
    "test",
    "prediction",
    "designs",
)


@dataclass(frozen=True)
class ZeroCells:
    """What is done with a zero cell of a 2x2 table: ``correction`` added to the cells of
    the tables ``to`` names (metafor ``escalc(add=, to=)``), and whether a table without
    events (or with only events) in both arms is left out (metafor ``drop00``)."""

    correction: float = 0.5
    to: str = "only0"
    drop_double_zero: bool = False


#: The zero-cell rule when the protocol says nothing (escalc's default, metafor's drop00 off).
DEFAULT_ZERO_CELLS = ZeroCells()


@dataclass(frozen=True)
class Synthesis:
    """How analyses are pooled unless a declared analysis says otherwise.

    ``model`` is ``"random"`` or ``"fixed"``; ``method`` one of :data:`PLAN_METHODS`;
    ``test`` and ``prediction`` the test of the pooled effect and the prediction-interval
    rule of :func:`evsum.stats.pooling.pool`; ``designs`` whether randomised and
    non-randomised studies are pooled ``"apart"`` or ``"together"``; ``multi_arm`` what is
    done with a trial's several comparisons against one comparator arm (:data:`MULTI_ARM`).
    """

    model: str = "random"
    method: str = "IV"
    test: str = "z"
    prediction: str = "z"
    zero_cells: ZeroCells = field(default_factory=ZeroCells)
    designs: str = "apart"
    multi_arm: str = "first"

    @property
    def pooling_method(self) -> str:
        """The method code for the pooling functions: a τ² estimator, ``FE``, ``MH`` or
        ``PETO`` (``IV`` resolved by the model)."""
        return pooling_method(self.model, self.method)


def pooling_method(model: str, method: str) -> str:
    """``method`` as the pooling functions name it: ``IV`` becomes ``REML`` (random) or
    ``FE`` (fixed), ``Peto`` becomes ``PETO``; the others stay.

    Examples
    --------
    >>> pooling_method("fixed", "IV"), pooling_method("random", "Peto")
    ('FE', 'PETO')
    """
    if method == "IV":
        return "REML" if model == "random" else "FE"
    return "PETO" if method == "Peto" else method


@dataclass(frozen=True)
class CovariateSpec:
    """A study-level variable: its label, ``numeric`` or ``categorical``, its unit and the
    data file holding one column named as the key."""

    key: str
    label: str
    type: str = "numeric"
    unit: str = ""
    file: str = "covariates.csv"


@dataclass(frozen=True)
class AnalysisSpec:
    """One declared analysis: the rows of ``outcome`` (within ``condition``,
    ``comparator_type`` and ``timepoint`` when given), pooled with ``measure`` and the
    synthesis settings (each may be overridden here), with an optional ``subgroup``
    (a test for subgroup differences), ``moderators`` (a meta-regression) and
    ``sensitivity`` analyses (keys of :data:`SENSITIVITY`). ``main`` marks the analysis the
    summary of findings uses for its outcome."""

    key: str
    outcome: str
    label: str = ""
    condition: str = ""
    comparator_type: str = ""
    timepoint: str = ""
    measure: str = ""
    subgroup: str = ""
    moderators: tuple[str, ...] = ()
    sensitivity: tuple[str, ...] = ()
    main: bool = False
    model: str = "random"
    method: str = "IV"
    test: str = "z"
    prediction: str = "z"
    designs: str = "apart"
    zero_cells: ZeroCells = field(default_factory=ZeroCells)

    @property
    def pooling_method(self) -> str:
        """The method code for the pooling functions (see :func:`pooling_method`)."""
        return pooling_method(self.model, self.method)


@dataclass(frozen=True)
class AnalysisPlan:
    """The plan: synthesis defaults, covariates and declared analyses (in the file's order).

    ``declared`` is False when the protocol has none of the three sections: today's
    automatic analyses, nothing else.
    """

    synthesis: Synthesis = field(default_factory=Synthesis)
    covariates: Mapping[str, CovariateSpec] = field(default_factory=dict)
    analyses: Mapping[str, AnalysisSpec] = field(default_factory=dict)
    declared: bool = False

    def describe(self) -> list[str]:
        """The plan in lines of words, as ``evsum validate`` lists it."""
        s = self.synthesis
        z = s.zero_cells
        lines = [
            f"synthesis: {s.model}-effect{'s' if s.model == 'random' else ''} model, method "
            f"{s.method} "
            f"({pooling_method(s.model, s.method)}), test {s.test}, prediction {s.prediction}, "
            f"designs {s.designs}, multi-arm trials {s.multi_arm}; "
            f"zero cells: {z.correction:g} added ({z.to}), "
            f"double-zero studies {'left out' if z.drop_double_zero else 'kept'}"
        ]
        for c in self.covariates.values():
            unit = f", {c.unit}" if c.unit else ""
            lines.append(f"covariate {c.key}: {c.label} ({c.type}{unit}; {c.file})")
        for a in self.analyses.values():
            parts = [f"outcome {a.outcome}"]
            parts += [f"measure {a.measure}"] if a.measure else []
            parts.append(f"{a.model}, {a.method}, test {a.test}")
            parts += [f"subgroups by {a.subgroup}"] if a.subgroup else []
            parts += [f"meta-regression on {', '.join(a.moderators)}"] if a.moderators else []
            parts += [f"sensitivity: {', '.join(a.sensitivity)}"] if a.sensitivity else []
            lines.append(f"analysis {a.key}{' (main)' if a.main else ''}: " + "; ".join(parts))
        return lines


#: The plan of a protocol without ``[synthesis]``, ``[covariates]`` or ``[analyses]``.
DEFAULT_PLAN = AnalysisPlan()

# --- locating keys --------------------------------------------------------------------------


class _Check(TomlChecker):
    """Problems of the plan sections, each at the line of its key (or of the key of an
    inline table in its parent)."""

    readme_section = "The analysis plan"

    def line_of(self, table: tuple[str, ...], key: str | None) -> int | None:
        return locate_inline(self.text, table, key)

    def choice(
        self,
        table: tuple[str, ...],
        data: Mapping[str, Any],
        key: str,
        choices: tuple[str, ...],
        default: str,
    ) -> str:
        value = data.get(key, default)
        if value not in choices:
            self.add(table, key, value, "one of " + ", ".join(choices))
            return default
        return value

    def text_key(
        self, table: tuple[str, ...], data: Mapping[str, Any], key: str, *, required: bool = False
    ) -> str:
        if key not in data:
            if required:
                self.add(table, None, None, f"a key {key!r} (text) in [{'.'.join(table)}]")
            return ""
        value = data[key]
        if not isinstance(value, str) or (required and not value.strip()):
            self.add(table, key, value, "text in quotes" + (", not empty" if required else ""))
            return ""
        return value

    def texts(self, table: tuple[str, ...], data: Mapping[str, Any], key: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(table, key, value, 'a list of texts such as ["...", "..."]')
            return ()
        return tuple(value)

    def boolean(
        self, table: tuple[str, ...], data: Mapping[str, Any], key: str, default: bool = False
    ) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.add(table, key, value, "true or false (without quotes)")
            return default
        return value


def _zero_cells(check: _Check, table: tuple[str, ...], raw: object, base: ZeroCells) -> ZeroCells:
    data = check.table_value(table, raw)
    check.unknown(table, data, ZERO_CELL_KEYS)
    add = data.get("correction", base.correction)
    if isinstance(add, bool) or not isinstance(add, (int, float)) or not math.isfinite(add):
        check.add(table, "correction", add, "a number >= 0 such as 0.5 (added to each cell)")
        add = base.correction
    elif add < 0:
        check.add(table, "correction", add, "a number >= 0 such as 0.5 (added to each cell)")
        add = base.correction
    return ZeroCells(
        correction=float(add),
        to=check.choice(table, data, "to", vocab.ZERO_CELL_RULES, base.to),
        drop_double_zero=check.boolean(table, data, "drop_double_zero", base.drop_double_zero),
    )


def _model_and_method(
    check: _Check,
    table: tuple[str, ...],
    data: Mapping[str, Any],
    base_model: str,
    base_method: str,
) -> tuple[str, str]:
    """``model`` and ``method`` checked together: MH, Peto and FE are common-effect methods,
    a τ² estimator needs a random-effects model. A method without a model takes its own."""
    method = check.choice(table, data, "method", PLAN_METHODS, base_method)
    if "model" in data:
        model = check.choice(table, data, "model", MODELS, base_model)
    elif "method" in data:
        model = "fixed" if method in ("MH", "Peto", "FE") else "random"
    else:
        model = base_model
    if model == "random" and method in ("MH", "Peto", "FE"):
        check.add(
            table,
            "method" if "method" in data else "model",
            method if "method" in data else model,
            f'model = "fixed" with method {method} (a common-effect method, as metafor\'s '
            "rma.mh and rma.peto), or a random-effects method: IV, DL, REML, PM, ML",
        )
    if model == "fixed" and method in vocab.METHODS and method != "FE":
        check.add(
            table,
            "method" if "method" in data else "model",
            method if "method" in data else model,
            f'model = "random" with the τ² estimator {method}, or for a fixed model '
            "method IV, FE, MH or Peto",
        )
    return model, method


def parse_plan(
    data: Mapping[str, Any], text: str, source: str, outcomes: Mapping[str, Any]
) -> tuple[AnalysisPlan, list[Problem]]:
    """Validate ``[synthesis]``, ``[covariates.KEY]`` and ``[analyses.KEY]`` of a parsed
    ``evsum.toml``.

    Parameters
    ----------
    data : mapping
        The whole parsed protocol (``tomllib.loads``).
    text, source : str
        The protocol's text (for line numbers) and its file name as the user names it.
    outcomes : mapping
        The protocol's outcomes (key -> spec with ``type``), to check each analysis's
        outcome and that its measure fits the outcome's type.

    Returns
    -------
    (AnalysisPlan, list of Problem)
        The plan (:data:`DEFAULT_PLAN` when no section is there) and every problem found.
    """
    check = _Check(text, source)
    if not any(k in data for k in PLAN_SECTIONS):
        return DEFAULT_PLAN, []
    raw = check.table_value(("synthesis",), data.get("synthesis", {}))
    table: tuple[str, ...] = ("synthesis",)
    check.unknown(table, raw, SYNTHESIS_KEYS)
    model, method = _model_and_method(check, table, raw, "random", "IV")
    synthesis = Synthesis(
        model=model,
        method=method,
        test=check.choice(table, raw, "test", vocab.TESTS, "z"),
        prediction=check.choice(table, raw, "prediction", vocab.PI_TYPES, "z"),
        zero_cells=_zero_cells(
            check, (*table, "zero_cells"), raw.get("zero_cells", {}), ZeroCells()
        ),
        designs=check.choice(table, raw, "designs", DESIGN_RULES, "apart"),
        multi_arm=check.choice(table, raw, "multi_arm", MULTI_ARM, "first"),
    )
    if synthesis.model == "fixed" and synthesis.test != "z":
        check.add(table, "test", synthesis.test, 'test = "z" for a fixed model')

    covariates: dict[str, CovariateSpec] = {}
    for key, spec in check.table_value(("covariates",), data.get("covariates", {})).items():
        table = ("covariates", key)
        spec = check.table_value(table, spec)
        if not spec:
            continue
        check.unknown(table, spec, COVARIATE_KEYS)
        if not re.match(r"^[a-z][a-z0-9_]*\Z", key):
            check.add(table, None, key, "a key of lower-case letters, digits and _ (a column)")
        covariates[key] = CovariateSpec(
            key=key,
            label=check.text_key(table, spec, "label", required=True),
            type=check.choice(table, spec, "type", COVARIATE_TYPES, "numeric"),
            unit=check.text_key(table, spec, "unit"),
            file=check.choice(table, spec, "file", COVARIATE_FILES, "covariates.csv"),
        )

    analyses: dict[str, AnalysisSpec] = {}
    for key, spec in check.table_value(("analyses",), data.get("analyses", {})).items():
        table = ("analyses", key)
        spec = check.table_value(table, spec)
        if not spec:
            continue
        analyses[key] = _analysis(check, table, key, spec, synthesis, covariates, outcomes)
    mains: dict[str, list[str]] = {}
    for a in analyses.values():
        if a.main:
            mains.setdefault(a.outcome, []).append(a.key)
    for outcome, keys in mains.items():
        if len(keys) > 1:
            check.add(
                ("analyses", keys[1]),
                "main",
                True,
                f"one main analysis per outcome ({outcome}: {', '.join(keys)})",
            )
    plan = AnalysisPlan(synthesis, covariates, analyses, declared=True)
    return plan, check.problems


def _analysis(
    check: _Check,
    table: tuple[str, ...],
    key: str,
    spec: Mapping[str, Any],
    synthesis: Synthesis,
    covariates: Mapping[str, CovariateSpec],
    outcomes: Mapping[str, Any],
) -> AnalysisSpec:
    check.unknown(table, spec, ANALYSIS_KEYS)
    outcome = check.text_key(table, spec, "outcome", required=True)
    if outcome and outcome not in outcomes:
        check.add(table, "outcome", outcome, "an outcome of [outcomes]: " + ", ".join(outcomes))
    model, method = _model_and_method(check, table, spec, synthesis.model, synthesis.method)
    kind = getattr(outcomes.get(outcome), "type", "")
    measure = _analysis_measure(check, table, spec, method, kind, outcome)
    comparator = check.text_key(table, spec, "comparator_type")
    if comparator and comparator not in vocab.COMPARATOR_TYPES:
        check.add(table, "comparator_type", comparator, ", ".join(vocab.COMPARATOR_TYPES))
    subgroup, moderators = _analysis_covariates(check, table, spec, covariates)
    sensitivity = check.texts(table, spec, "sensitivity")
    for name in sensitivity:
        if name not in SENSITIVITY:
            check.add(table, "sensitivity", name, "one of " + ", ".join(SENSITIVITY))
    test = check.choice(table, spec, "test", vocab.TESTS, synthesis.test)
    if model == "fixed" and test != "z" and "test" in spec:
        check.add(table, "test", test, 'test = "z" for a fixed model')
    return AnalysisSpec(
        key=key,
        outcome=outcome,
        label=check.text_key(table, spec, "label"),
        condition=check.text_key(table, spec, "condition"),
        comparator_type=comparator,
        timepoint=check.text_key(table, spec, "timepoint"),
        measure=measure,
        subgroup=subgroup,
        moderators=moderators,
        sensitivity=sensitivity,
        main=check.boolean(table, spec, "main"),
        model=model,
        method=method,
        test=test if model == "random" else "z",
        prediction=check.choice(table, spec, "prediction", vocab.PI_TYPES, synthesis.prediction),
        designs=check.choice(table, spec, "designs", DESIGN_RULES, synthesis.designs),
        zero_cells=synthesis.zero_cells,
    )


def _analysis_measure(
    check: _Check,
    table: tuple[str, ...],
    spec: Mapping[str, Any],
    method: str,
    kind: str,
    outcome: str,
) -> str:
    """The analysis's measure, checked against the outcome's type and the method."""
    measure = check.text_key(table, spec, "measure")
    fitting = ARM_MEASURES.get(kind, vocab.REPORTED_MEASURES)
    if measure and measure not in fitting:
        check.add(
            table, "measure", measure, f"a measure of {kind or 'this'} data: " + ", ".join(fitting)
        )
    if method not in METHOD_MEASURES:
        return measure
    if kind and kind != "binary":
        check.add(table, "method", method, f"IV or a τ² estimator ({outcome} is {kind})")
    elif measure and measure not in METHOD_MEASURES[method]:
        check.add(
            table,
            "measure",
            measure,
            f"a measure of the {method} method: " + ", ".join(METHOD_MEASURES[method]),
        )
    return measure


def _analysis_covariates(
    check: _Check,
    table: tuple[str, ...],
    spec: Mapping[str, Any],
    covariates: Mapping[str, CovariateSpec],
) -> tuple[str, tuple[str, ...]]:
    """The analysis's subgroup variable and moderators, each a declared covariate (a
    categorical one for subgroups) or a study column."""
    subgroup = check.text_key(table, spec, "subgroup")
    if subgroup and subgroup not in STUDY_SUBGROUPS and subgroup not in covariates:
        check.add(
            table,
            "subgroup",
            subgroup,
            "a categorical [covariates.KEY] or a study column ("
            + ", ".join(STUDY_SUBGROUPS)
            + ")",
        )
    elif subgroup in covariates and covariates[subgroup].type != "categorical":
        check.add(table, "subgroup", subgroup, "a categorical covariate (this is numeric)")
    moderators = check.texts(table, spec, "moderators")
    for name in moderators:
        if name not in covariates and name not in STUDY_SUBGROUPS:
            check.add(
                table,
                "moderators",
                name,
                "covariates declared as [covariates.KEY]: " + (", ".join(covariates) or "none"),
            )
    return subgroup, moderators


# --- what only the data can tell ---------------------------------------------------------


def validate_plan_data(
    plan: AnalysisPlan,
    text: str,
    source: str,
    studies: pd.DataFrame,
    covariates: pd.DataFrame,
) -> list[Problem]:
    """Check the plan against the data: every declared analysis has rows, its measure can be
    computed from them, its subgroup and moderators have a value for every study, and each
    moderator has at least :data:`MODERATOR_MIN_K` studies.

    Parameters
    ----------
    plan : AnalysisPlan
    text, source : str
        The protocol's text and file name (problems point at its lines).
    studies : pandas.DataFrame
        The validated study table.
    covariates : pandas.DataFrame
        One row per study: ``study_id`` and a column per declared covariate (see
        :func:`covariate_values`).

    Returns
    -------
    list of Problem
    """
    check = _Check(text, source)
    for a in plan.analyses.values():
        table = ("analyses", a.key)
        rows = analysis_rows(studies, a)
        if rows.empty:
            check.add(
                table,
                "outcome",
                a.outcome,
                "an outcome with rows in studies.csv (for the condition, comparator and time "
                "point given)",
            )
            continue
        if a.measure:
            _check_measure_fits(check, table, a.measure, rows)
        _check_values(check, table, a, set(rows["study_id"]), plan, covariates)
    return check.problems


def _check_measure_fits(
    check: _Check, table: tuple[str, ...], measure: str, rows: pd.DataFrame
) -> None:
    """Arm rows must give ``measure`` (escalc) and reported contrasts must be of it."""
    arm = rows[rows["data_level"] == "arm"]
    contrast = rows[rows["data_level"] == "contrast"]
    kinds = set(arm["outcome_type"])
    fits = all(measure in ARM_MEASURES.get(k, ()) for k in kinds) and (
        contrast.empty or set(contrast["effect_measure"]) == {measure}
    )
    if not fits:
        have = sorted(kinds) + sorted(f"reported {m}" for m in set(contrast["effect_measure"]))
        check.add(table, "measure", measure, "a measure these rows give (" + ", ".join(have) + ")")


def _check_values(
    check: _Check,
    table: tuple[str, ...],
    a: AnalysisSpec,
    ids: set[str],
    plan: AnalysisPlan,
    covariates: pd.DataFrame,
) -> None:
    """A covariate value for every study of the analysis; enough studies per moderator."""
    values = covariates.set_index("study_id")
    for name in (a.subgroup, *a.moderators):
        if not name or name in STUDY_SUBGROUPS:
            continue
        column = values[name] if name in values else pd.Series(dtype=object)
        lacking = sorted(i for i in ids if i not in column.index or pd.isna(column.get(i)))
        if lacking:
            check.add(
                table,
                "subgroup" if name == a.subgroup else "moderators",
                name,
                f"a value of {name} in data/{plan.covariates[name].file} for every study of "
                f"the analysis (none for {', '.join(lacking)})",
            )
    if a.moderators and len(ids) < MODERATOR_MIN_K * len(a.moderators):
        check.add(
            table,
            "moderators",
            ", ".join(a.moderators),
            f"at least {MODERATOR_MIN_K} studies per moderator (Cochrane Handbook "
            f"10.11.5.1); this analysis has {len(ids)}",
        )


def analysis_rows(studies: pd.DataFrame, spec: AnalysisSpec) -> pd.DataFrame:
    """The study-table rows a declared analysis selects (outcome, and condition, comparator
    type and time point when it names them)."""
    keep = studies["outcome"] == spec.outcome
    for column, value in (
        ("condition", spec.condition),
        ("comparator_type", spec.comparator_type),
        ("timepoint", spec.timepoint),
    ):
        if value:
            keep &= studies[column] == value
    return studies[keep]


def _covariates_file(
    frame: pd.DataFrame | None, where: str, study_ids: set[str] | None
) -> list[Problem]:
    """``covariates.csv``: ``study_id`` and ``source_locator`` columns, a source for every
    row, one row per known study."""
    if frame is None:
        return []
    problems = [
        Problem(where, 1, column, None, f"a column {column!r} (data/README.md, the analysis plan)")
        for column in ("study_id", "source_locator")
        if column not in frame.columns
    ]
    if problems:
        return problems
    for _, row in frame.iterrows():
        line = int(row[LINE]) if LINE in row else None
        study = str(row["study_id"])
        if study_ids is not None and study not in study_ids:
            problems.append(
                Problem(where, line, "study_id", study, "a study_id of studies.csv", study)
            )
        if not str(row["source_locator"]).strip():
            problems.append(
                Problem(where, line, "source_locator", "", "where the values were read", study)
            )
    for _, row in frame[frame["study_id"].duplicated()].iterrows():
        problems.append(
            Problem(
                where,
                int(row[LINE]) if LINE in row else None,
                "study_id",
                row["study_id"],
                "one row per study (duplicate)",
                str(row["study_id"]),
            )
        )
    return problems


def covariate_values(
    plan: AnalysisPlan,
    frames: Mapping[str, pd.DataFrame],
    source_dir: str = "data",
    study_ids: set[str] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """One row per study with a column per declared covariate, from the files the plan names.

    Parameters
    ----------
    frames : mapping
        File name (``covariates.csv``, ``study_characteristics.csv``) -> its records (with
        ``study_id`` and the ``line`` column of :func:`evsum.ingest.io.read_csv_records`);
        a file that is absent maps to an empty frame.
    source_dir : str
        The data folder as the user names it (for the messages).
    study_ids : set of str, optional
        The studies of ``studies.csv``: ``covariates.csv`` may name no other.

    Returns
    -------
    (pandas.DataFrame, list of Problem)
        The values (numbers for numeric covariates) and the problems: a missing column, a
        value that is not a number.
    """
    problems: list[Problem] = []
    columns: dict[str, pd.Series] = {}
    problems += _covariates_file(
        frames.get("covariates.csv"), f"{source_dir}/covariates.csv", study_ids
    )
    for spec in plan.covariates.values():
        frame = frames.get(spec.file, pd.DataFrame())
        where = f"{source_dir}/{spec.file}"
        if spec.key not in frame.columns:
            problems.append(
                Problem(
                    where,
                    1,
                    spec.key,
                    None,
                    f"a column {spec.key!r} (declared as [covariates.{spec.key}])",
                )
            )
            continue
        values = frame.set_index("study_id")[spec.key]
        if spec.type == "numeric":
            parsed = pd.to_numeric(values.replace("", None), errors="coerce")
            bad = parsed.isna() & values.notna() & (values.astype(str).str.strip() != "")
            for study in values.index[bad]:
                line = frame.loc[frame["study_id"] == study, LINE] if LINE in frame else None
                problems.append(
                    Problem(
                        where,
                        int(line.iloc[0]) if line is not None and len(line) else None,
                        spec.key,
                        str(values[study]),
                        "a number (a numeric covariate), or empty",
                        study_id=str(study),
                    )
                )
            values = parsed
        else:
            values = values.where(values.astype(str).str.strip() != "")
        columns[spec.key] = values
    table = pd.DataFrame(columns)
    table.index.name = "study_id"
    return table.reset_index(), problems
