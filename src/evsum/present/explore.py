"""Explore one analysis at a time: pick condition, outcome, time point, comparator, method, test
and prediction-interval rule, and see the forest plot, the summary-of-findings row and the
leave-one-out table of that choice.

:func:`explore` returns an :class:`Explorer`. In a notebook with ipywidgets it shows one
dropdown per choice above the view, which is drawn again on every change; without ipywidgets
(or in a static rendering) it shows the view of the choices it was given, so every control
falls back to a plain argument (``notebooks/explore.ipynb`` passes its parameters). Every
condition, outcome, time point and comparator offered comes from the evidence base; methods,
tests and prediction-interval rules are those of :func:`evsum.pool` (``evsum.vocab``).
"""

from __future__ import annotations

from typing import Any

from evsum import vocab
from evsum.ingest.evidence import Evidence
from evsum.present import text
from evsum.present.analyses import Analysis, analyse_condition
from evsum.present.html import HtmlBlock, figure_html, render, styled
from evsum.review.analysis import choose_condition

__all__ = ["CONTROLS", "Explorer", "explore"]

#: The controls, in the order shown: (name, label).
CONTROLS: tuple[tuple[str, str], ...] = (
    ("condition", "Condition"),
    ("outcome", "Outcome"),
    ("timepoint", "Time point"),
    ("comparator", "Comparator"),
    ("studies", "Studies"),
    ("measure", "Measure"),
    ("method", "Method"),
    ("test", "Test"),
    ("pi", "Prediction interval"),
    ("subgroup", "Subgroups"),
    ("moderator", "Meta-regression"),
)
#: The words of each design class (randomised and non-randomised evidence is never pooled,
#: unless the protocol's plan pools them together: "all designs").
STUDIES = {
    "randomised": "randomised trials",
    "non-randomised": "non-randomised studies",
    "all designs": "randomised and non-randomised studies",
}
#: Methods the explorer offers: the τ² estimators and, for 2x2 tables, MH and Peto.
EXPLORE_METHODS: tuple[str, ...] = (*vocab.METHODS, "MH", "PETO")
#: Measures the same arm data can give (metafor escalc).
ARM_MEASURES = {"binary": ("RR", "OR", "RD"), "continuous": ("MD", "SMD")}


def _first(options: list[tuple[str, str]], wanted: str, name: str) -> str:
    """``wanted`` if it is one of ``options`` (``(label, value)`` pairs), the first value when
    ``wanted`` is empty."""
    values = [v for _, v in options]
    if not wanted:
        return values[0] if values else ""
    if wanted not in values:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, values))}; got {wanted!r}")
    return wanted


#: The controls narrowing the analyses down, in order, and the attribute each one matches.
_CASCADE = (
    ("outcome", "outcome"),
    ("timepoint", "timepoint"),
    ("comparator", "comparator_type"),
    ("studies", "design_class"),
)
#: The model controls' values and labels.
_MODEL_VALUES = {"method": EXPLORE_METHODS, "test": vocab.TESTS, "pi": vocab.PI_TYPES}
_MODEL_LABELS: dict[str, dict[str, str]] = {
    "method": vocab.METHOD_LABELS,
    "test": {
        "z": "z (normal)",
        "knha": "Hartung-Knapp (knha)",
        "adhoc": "Hartung-Knapp, ad hoc (adhoc)",
    },
    "pi": {"z": "z (metafor predict)", "t": "t, k - 2 df (Higgins 2009)"},
}


def _measure_options(found: list[Analysis]) -> list[tuple[str, str]]:
    """The chosen analysis's own measure, then the others its arm data allow."""
    if not found:
        return []
    own = found[0].measure
    rows = found[0].rows
    kinds = set(rows.loc[rows["data_level"] == "arm", "outcome_type"])
    arm = ARM_MEASURES.get(next(iter(kinds)), ()) if len(kinds) == 1 else ()
    others = [m for m in arm if m != own and (rows["data_level"] == "arm").all()]
    return [(vocab.MEASURE_LABELS.get(m, m), m) for m in (own, *others)]


class Explorer:
    """The current choices, the options each control offers and the view they give.

    Parameters
    ----------
    evidence : Evidence
        Validated data (see :func:`evsum.load_evidence`).
    condition, outcome, timepoint, comparator, studies : str
        The analysis to show (``studies``: ``randomised`` or ``non-randomised``, analysed
        apart); empty: the first the evidence base offers.
    measure : str
        Effect measure of the same rows (``RR``, ``OR``, ``RD`` of binary arm data, ``MD``,
        ``SMD`` of continuous arm data); empty: the analysis's own.
    method, test, pi : str
        Arguments of :func:`evsum.pool` (``evsum.vocab.METHODS``, ``TESTS``, ``PI_TYPES``),
        or ``MH`` / ``PETO`` for 2x2 tables.
    subgroup, moderator : str
        A subgroup variable (``design``, ``blinding``, a categorical covariate of the
        protocol) and a numeric covariate for a meta-regression; empty: none.

    Raises
    ------
    ValueError
        A choice the evidence base does not offer (the message lists those it does).
    """

    def __init__(
        self,
        evidence: Evidence,
        *,
        condition: str = "",
        outcome: str = "",
        timepoint: str = "",
        comparator: str = "",
        studies: str = "",
        measure: str = "",
        method: str = "REML",
        test: str = "z",
        pi: str = "z",
        subgroup: str = "",
        moderator: str = "",
    ) -> None:
        self.evidence = evidence
        self._analyses: dict[str, tuple[Analysis, ...]] = {}
        self.choices: dict[str, str] = {}
        wanted = {
            "condition": condition or choose_condition(evidence),
            "outcome": outcome,
            "timepoint": timepoint,
            "comparator": comparator,
            "studies": studies,
            "measure": measure,
            "method": method,
            "test": test,
            "pi": pi,
            "subgroup": subgroup,
            "moderator": moderator,
        }
        for name, _ in CONTROLS:
            self.choices[name] = _first(self.options(name), wanted[name], name)

    # -- choices ---------------------------------------------------------------------------
    def analyses(self, condition: str) -> tuple[Analysis, ...]:
        """The analyses with numbers of ``condition`` (pooled once with REML, then re-pooled
        with the chosen method)."""
        if condition not in self._analyses:
            self._analyses[condition] = tuple(
                a for a in analyse_condition(self.evidence, condition) if a.result is not None
            )
        return self._analyses[condition]

    def options(self, name: str) -> list[tuple[str, str]]:
        """What control ``name`` offers given the choices before it: ``(label, value)``."""
        if name == "condition":
            return self._condition_options()
        if name in ("subgroup", "moderator"):
            return self._plan_options(name)
        if name in _MODEL_LABELS:
            return [(_MODEL_LABELS[name].get(v, v), v) for v in _MODEL_VALUES[name]]
        found: list[Analysis] = list(self.analyses(self.choices["condition"]))
        for control, attribute in _CASCADE:
            if name == control:
                return self._offered(control, found)
            found = [a for a in found if getattr(a, attribute) == self.choices[control]]
        return _measure_options(found)

    def _condition_options(self) -> list[tuple[str, str]]:
        """The conditions with data, in the protocol's order."""
        protocol = self.evidence.protocol
        conditions = self.evidence.studies.conditions
        order = list(protocol.conditions) if protocol is not None else []
        ordered = sorted(
            conditions, key=lambda k: (order.index(k) if k in order else len(order), k)
        )
        return [(protocol.condition_label(k) if protocol is not None else k, k) for k in ordered]

    def _offered(self, control: str, found: list[Analysis]) -> list[tuple[str, str]]:
        """The values of ``control`` among the analyses ``found`` (those matching the
        choices before it)."""
        if control == "outcome":
            protocol = self.evidence.protocol
            return [
                (protocol.outcome_label(k) if protocol is not None else text.outcome_words(k), k)
                for k in sorted({a.outcome for a in found})
            ]
        if control == "studies":
            classes = dict.fromkeys(a.design_class for a in found)
            return [(STUDIES.get(k, k), k) for k in classes]
        attribute = dict(_CASCADE)[control]
        return [(k, k) for k in sorted({getattr(a, attribute) for a in found})]

    def _plan_options(self, name: str) -> list[tuple[str, str]]:
        """Subgroup variables (design, blinding, categorical covariates) or numeric
        covariates of the protocol, after "none"."""
        from evsum.ingest.plan import STUDY_SUBGROUPS

        protocol = self.evidence.protocol
        covariates = protocol.plan.covariates if protocol is not None else {}
        kind = "categorical" if name == "subgroup" else "numeric"
        options = [("none", "")]
        if name == "subgroup":
            options += [(label, key) for key, label in STUDY_SUBGROUPS.items()]
        options += [(c.label, c.key) for c in covariates.values() if c.type == kind]
        return options

    def choose(self, **choices: str) -> None:
        """Change some choices; the controls after a changed one keep their value when it is
        still offered, else take the first option."""
        changed = False
        for name, _ in CONTROLS:
            if name in choices:
                self.choices[name] = _first(self.options(name), choices[name], name)
                changed = True
            elif changed:
                values = [v for _, v in self.options(name)]
                if self.choices[name] not in values:
                    self.choices[name] = values[0] if values else ""

    @property
    def analysis(self) -> Analysis | None:
        """The chosen analysis pooled with the chosen method, test and PI rule."""
        c = self.choices
        for found in self.analyses(c["condition"]):
            if (found.outcome, found.timepoint, found.comparator_type, found.design_class) == (
                c["outcome"],
                c["timepoint"],
                c["comparator"],
                c["studies"],
            ):
                if c["measure"] and c["measure"] != found.measure:
                    found = found.with_measure(c["measure"])
                test = "z" if c["method"] in ("FE", "MH", "PETO") else c["test"]
                return found.with_method(c["method"], test, c["pi"])
        return None

    # -- view ------------------------------------------------------------------------------
    def view(self) -> HtmlBlock:
        """Forest plot, estimate, summary-of-findings row and leave-one-out table of the
        current choice."""
        from evsum.present.sof import sof_html, summary_of_findings

        try:
            found = self.analysis
        except ValueError as err:  # e.g. Peto on risk ratios: say why, in words
            return render("explore.html.j2", found=None, problem=str(err))
        if found is None:
            return render("explore.html.j2", found=None, problem="")
        result = found.pooled
        frame = summary_of_findings([found], self.evidence.grade)
        protocol = found.protocol
        sof = sof_html(
            frame,
            intervention=found.intervention,
            comparator=found.comparator_type,
            protocol=protocol,
        )
        loo = found.leave_one_out
        loo_cells = (
            []
            if loo is None
            else [
                [text.number(v, 4) if isinstance(v, float) else v for v in row]
                for row in loo.itertuples(index=False)
            ]
        )
        return render(
            "explore.html.j2",
            found=found,
            figure=figure_html(found.forest_plot(), f"Forest plot: {found.title}"),
            estimate=text.pooled_effect(result),
            sentence=text.describe(result),
            method=vocab.METHOD_LABELS.get(result.method, result.method),
            sof=sof,
            loo_columns=list(loo.columns) if loo is not None else [],
            loo_cells=loo_cells,
            **self._further(found),
        )

    def _further(self, found: Analysis) -> dict[str, Any]:
        """The chosen subgroup forest plot and meta-regression (bubble plot), or a note why
        they cannot be drawn."""
        import dataclasses

        from evsum.present.plan import plan_html

        c = self.choices
        # view() has read found.pooled before: the result is there
        if not (c["subgroup"] or c["moderator"]) or found.pooled.k < 2:
            return {"further": None, "further_problem": ""}
        try:
            subgroup_result = found.subgroups(c["subgroup"]) if c["subgroup"] else None
            regression_result = found.meta_regression([c["moderator"]]) if c["moderator"] else None
        except ValueError as err:
            return {"further": None, "further_problem": str(err)}
        shown = dataclasses.replace(
            found,
            plan_key=found.plan_key or "explore",
            subgroup=c["subgroup"],
            moderators=(c["moderator"],) if c["moderator"] else (),
            sensitivity_results=(),
            subgroup_result=subgroup_result,
            regression_result=regression_result,
        )
        return {"further": plan_html((shown,), heading="Explored further"), "further_problem": ""}

    def _repr_html_(self) -> str:
        return styled(self.view())

    def widget(self) -> Any:
        """The controls and the view as an ipywidgets ``VBox``; ``None`` without ipywidgets."""
        try:
            import ipywidgets as widgets
        except ImportError:
            return None
        output = widgets.HTML(value=self._repr_html_())
        dropdowns: dict[str, Any] = {}
        busy: list[bool] = []

        def refresh(change: dict) -> None:
            if busy or change.get("name") != "value":
                return
            busy.append(True)
            try:
                name = next(k for k, d in dropdowns.items() if d is change["owner"])
                self.choose(**{name: change["new"]})
                for key, drop in dropdowns.items():
                    drop.options = self.options(key)
                    drop.value = self.choices[key]
                output.value = self._repr_html_()
            finally:
                busy.clear()

        for name, label in CONTROLS:
            drop = widgets.Dropdown(
                options=self.options(name),
                value=self.choices[name],
                description=label,
                style={"description_width": "9rem"},
                layout=widgets.Layout(width="32rem"),
            )
            drop.add_class(f"evsum-control-{name}")
            drop.observe(refresh, names="value")
            dropdowns[name] = drop
        box = widgets.VBox([widgets.VBox(list(dropdowns.values())), output])
        box.add_class("evsum-explore")
        self.dropdowns, self.output = dropdowns, output
        return box

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        box = self.widget()
        display(box if box is not None else HTML(self._repr_html_()))


def explore(evidence: Evidence, **choices: str) -> Explorer:
    """An :class:`Explorer` of ``evidence``: controls for every choice (ipywidgets) above the
    forest plot, summary-of-findings row and leave-one-out table of the chosen analysis.

    Parameters
    ----------
    evidence : Evidence
        Validated data (see :func:`evsum.load_evidence`).
    **choices : str
        Starting values (``condition``, ``outcome``, ``timepoint``, ``comparator``,
        ``studies``, ``measure``, ``method``, ``test``, ``pi``, ``subgroup``, ``moderator``);
        empty or absent: the first the evidence base offers.

    Examples
    --------
    >>> from evsum.review.examples import example_evidence
    >>> explorer = explore(example_evidence(), method="DL")
    >>> explorer.analysis.result.method
    'DL'
    """
    return Explorer(evidence, **{k: v for k, v in choices.items() if v is not None})
