"""Load the metafor reference values in tests/reference/*.json (see make_reference.R)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

REFERENCE = Path(__file__).parent / "reference"

#: Fields compared with metafor for every fit.
FIT_FIELDS = (
    "estimate",
    "se",
    "zval",
    "pval",
    "ci_low",
    "ci_high",
    "tau2",
    "tau2_se",
    "i2",
    "h2",
    "q",
    "q_pval",
    "pi_low",
    "pi_high",
)


def to_float(x):
    """JSON value -> float/array; R's non-finite strings and empty vectors (NULL) -> NaN."""
    if isinstance(x, str):
        return {"NA": np.nan, "NaN": np.nan, "Inf": np.inf, "-Inf": -np.inf}[x]
    if isinstance(x, list):
        return np.array([to_float(v) for v in x], dtype=float) if x else np.nan
    return float(x)


def load(name: str) -> dict:
    """One reference file, parsed."""
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))


def fit_cases(name: str):
    """(id, case, fit) for every fit of every case in a file with ``cases[].fits[]``."""
    for case in load(name)["cases"]:
        for fit in case["fits"]:
            tag = "-".join(
                str(case.get(key)) for key in ("measure", "k", "add", "to") if key in case
            )
            yield f"{tag}-{fit['method']}-{fit['test']}", case, fit
