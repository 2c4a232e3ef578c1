"""evsum: evidence summaries from curated trial data.

The top level holds what an analyst calls: load the evidence, analyse a condition, pool,
compute effect sizes, diagnose a fit (``confint``, ``leave_one_out``, ``egger_test`` take the
fitted result, as metafor's ``confint(fit)``, ``leave1out(fit)`` and ``regtest(fit)``), and
the results and errors. The report blocks the notebooks display are in :mod:`evsum.blocks`
(one module per report); the fictional example data in :mod:`evsum.examples`.

The public names below are imported on first use (PEP 562), so that the command line starts
quickly; ``from evsum import pool`` and ``evsum.pool`` work as usual.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

from evsum.version import __version__

#: Public name -> module that defines it (a name equal to its module is that module).
_EXPORTS: dict[str, str] = {
    # loading the evidence
    "Evidence": "evsum.ingest.evidence",
    "load_evidence": "evsum.ingest.evidence",
    "load_claims": "evsum.ingest.claims",
    # analyses of the evidence base
    "analyse_condition": "evsum.present.analyses",
    "analyse_all": "evsum.review.overview",
    "audit_source_references": "evsum.review.claims",
    "explore": "evsum.present.explore",
    # statistics
    "effect_size": "evsum.stats.effects",
    "compute_effects": "evsum.stats.effects",
    "pool": "evsum.stats.pooling",
    "pool_groups": "evsum.stats.pooling",
    "pool_subgroups": "evsum.stats.subgroups",
    "pool_mh": "evsum.stats.mh",
    "pool_peto": "evsum.stats.mh",
    "pool_bayes": "evsum.stats.bayes",
    "confint": "evsum.stats.heterogeneity",
    "leave_one_out": "evsum.stats.diagnostics",
    "egger_test": "evsum.stats.diagnostics",
    "PoolResult": "evsum.stats.results",
    "SubgroupResult": "evsum.stats.results",
    # words and figures of a result
    "describe": "evsum.present.text",
    "forest_plot": "evsum.present.figures",
    # errors and warnings
    "EvsumError": "evsum.exceptions",
    "StudyDataError": "evsum.exceptions",
    "EvsumWarning": "evsum.exceptions",
    # namespaces
    "blocks": "evsum.blocks",
    "examples": "evsum.examples",
}

__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:  # for type checkers and IDEs: the same names, imported eagerly
    from evsum import blocks, examples
    from evsum.exceptions import EvsumError, EvsumWarning, StudyDataError
    from evsum.ingest.claims import load_claims
    from evsum.ingest.evidence import Evidence, load_evidence
    from evsum.present.analyses import analyse_condition
    from evsum.present.explore import explore
    from evsum.present.figures import forest_plot
    from evsum.present.text import describe
    from evsum.review.claims import audit_source_references
    from evsum.review.overview import analyse_all
    from evsum.stats.bayes import pool_bayes
    from evsum.stats.diagnostics import egger_test, leave_one_out
    from evsum.stats.effects import compute_effects, effect_size
    from evsum.stats.heterogeneity import confint
    from evsum.stats.mh import pool_mh, pool_peto
    from evsum.stats.pooling import pool, pool_groups
    from evsum.stats.results import PoolResult, SubgroupResult
    from evsum.stats.subgroups import pool_subgroups


def __getattr__(name: str) -> Any:
    """Import a public name (or namespace) from its module on first access."""
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'evsum' has no attribute {name!r}") from None
    imported = importlib.import_module(module)
    value = imported if module == f"evsum.{name}" else getattr(imported, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


def _register_notebook_display() -> None:
    """In an IPython shell (a notebook kernel), show results as HTML
    (:func:`evsum.present.display.register`); elsewhere do nothing and import nothing."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and getattr(shell, "display_formatter", None) is not None:
        from evsum.present.display import register

        register(shell)


_register_notebook_display()
