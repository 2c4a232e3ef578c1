"""The public API: a small top level, report blocks in ``evsum.blocks`` (one name per
concept), diagnostics that take the fitted result, one signature style for pooling."""

import inspect
import subprocess
import sys
import types

import pytest

import evsum
from evsum import blocks

from conftest import ROOT

#: Top-level names of the old API that moved (report blocks, figures, example data) or went
#: to their submodules; none is aliased.
GONE = (
    "sof_html",
    "summary_of_findings",
    "summary_of_findings_html",
    "prisma_html",
    "prisma_figure_html",
    "prisma_flow",
    "prisma_counts",
    "prisma_diagram",
    "title_html",
    "data_version_html",
    "funnel_plot",
    "example_rows",
    "choose_condition",
    "Analysis",
    "ConditionAnalyses",
)


def test_the_top_level_is_small_and_every_name_resolves():
    assert len(evsum.__all__) <= 30, sorted(evsum.__all__)
    assert len(set(evsum.__all__)) == len(evsum.__all__)
    for name in evsum.__all__:
        assert getattr(evsum, name) is not None, name
    assert set(dir(evsum)) >= set(evsum.__all__)


@pytest.mark.parametrize("name", GONE)
def test_old_names_are_gone_not_aliased(name):
    assert name not in evsum.__all__
    with pytest.raises(AttributeError):
        getattr(evsum, name)


def test_the_namespaces_are_modules():
    assert isinstance(evsum.blocks, types.ModuleType) and evsum.blocks.__name__ == "evsum.blocks"
    assert evsum.examples.__name__ == "evsum.examples"


def test_each_report_block_has_one_name():
    """One module per report; a builder appears under one name only across evsum.blocks."""
    seen: dict[int, str] = {}
    for module_name in blocks.__all__:
        module = getattr(blocks, module_name)
        names = module.__all__ if isinstance(module, types.ModuleType) else [None]
        for name in names:
            value = getattr(module, name) if name else module
            where = f"{module_name}.{name}" if name else module_name
            assert callable(value), where
            assert id(value) not in seen, f"{where} is also {seen.get(id(value))}"
            seen[id(value)] = where
    # the summary of findings and the PRISMA diagram each have one entry point
    assert [w for w in seen.values() if "summary_of_findings" in w] == [
        "condition.summary_of_findings"
    ]
    assert [w for w in seen.values() if "prisma" in w] == [
        "figures.prisma_diagram",
        "methods.prisma",
    ]
    assert not hasattr(
        evsum.analyse_condition(evsum.examples.example_evidence(), ""), "limitations"
    )


@pytest.mark.parametrize("name", ["leave_one_out", "egger_test", "confint"])
def test_diagnostics_take_the_fitted_result(name):
    parameters = list(inspect.signature(getattr(evsum, name)).parameters.values())
    assert [p.name for p in parameters] == ["result"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("pool", ("yi", "vi")),
        ("pool_subgroups", ("yi", "vi", "groups")),
        ("pool_bayes", ("yi", "vi")),
        ("pool_mh", ("ai", "bi", "ci", "di")),
        ("pool_peto", ("ai", "bi", "ci", "di")),
        ("pool_groups", ("frame", "by")),
    ],
)
def test_pooling_options_are_keyword_only_with_warn(name, data):
    parameters = inspect.signature(getattr(evsum, name)).parameters
    positional = [p.name for p in parameters.values() if p.kind != p.KEYWORD_ONLY]
    assert tuple(positional) == data
    assert parameters["warn"].kind == inspect.Parameter.KEYWORD_ONLY
    assert parameters["warn"].default is True


def test_describe_dispatches_on_the_class():
    from evsum.stats.bayes import BayesResult
    from evsum.stats.fragility import FragilityResult
    from evsum.stats.heterogeneity import ConfintResult
    from evsum.stats.results import EggerResult, SubgroupResult

    registry = evsum.describe.registry
    assert {SubgroupResult, ConfintResult, BayesResult, FragilityResult, EggerResult} <= set(
        registry
    )


def test_in_ipython_results_show_as_html_and_other_figures_are_left_alone():
    """``import evsum`` in a shell registers the result display; evsum's figures show as an
    image with a text alternative, a user's own matplotlib figure is left as it was."""
    script = """
from IPython.core.interactiveshell import InteractiveShell
from matplotlib.figure import Figure
shell = InteractiveShell.instance()
import evsum
import evsum.present.figures
res = evsum.pool([0.1, 0.3, 0.2], [0.01, 0.02, 0.015], method="FE", measure="MD")
html = shell.display_formatter.format(res)[0]["text/html"]
assert "FE meta-analysis of 3 studies: pooled MD 0.18" in html, html
assert "text/html" not in shell.display_formatter.format(Figure())[0]
fig = evsum.blocks.figures.funnel_plot(res)
assert 'alt="' in shell.display_formatter.format(fig)[0]["text/html"]
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
