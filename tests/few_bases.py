"""Small evidence bases made at test time from the BCG example (examples/bcg-vaccine).

``bcg_base(tmp, n)`` keeps the first ``n`` of the 13 trials of metafor's ``dat.bcg``, whose
metafor results are in tests/reference/small_k.json; ``single_trial_base(tmp)`` is one BCG row
with its counts replaced by the fragility-index example 15/40 vs 6/40 (the fragilityindex R
package's README; Fisher p-values from R's fisher.test in tests/reference/fragility.json).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from conftest import ROOT

BCG = ROOT / "examples" / "bcg-vaccine"


def _rows() -> tuple[list[str], list[dict]]:
    with open(BCG / "data" / "studies.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def _write(folder: Path, fields: list[str], rows: list[dict]) -> Path:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy(BCG / "evsum.toml", folder / "evsum.toml")
    with open(folder / "data" / "studies.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def bcg_base(folder: Path, n: int, *, randomised_only: bool = False) -> Path:
    """An evidence base of the first ``n`` BCG trials (the first four are randomised: one
    analysis, RR), or of the first ``n`` randomised ones (seven in all; the others, with
    alternate or systematic allocation, are analysed apart)."""
    fields, rows = _rows()
    if randomised_only:
        rows = [r for r in rows if r["randomised"] == "true"]
    return _write(folder, fields, rows[:n])


def single_trial_base(folder: Path, **changes: str) -> Path:
    """One trial, 15/40 events with BCG vs 6/40 without (fragility index 1)."""
    fields, rows = _rows()
    row = {
        **rows[0],
        "n_intervention": "40",
        "n_comparator": "40",
        "events_intervention": "15",
        "events_comparator": "6",
        "source_quote": "15/40 vs 6/40 (fragility-index example)",
        "derivation": "",
        **changes,
    }
    return _write(folder, fields, [row])


#: The outcome key of :func:`relabelled_base`: a reader must never see it, only its label.
HIDDEN_KEY = "tbx_cases"


def relabelled_base(folder: Path) -> Path:
    """All 13 BCG trials, with the outcome keyed ``tbx_cases`` (label "Tuberculosis cases")
    and a grade.csv rating the randomised evidence (fixture ratings, not a judgement of the
    trials), so GRADE statements and summary-of-findings comments are written too."""
    fields, rows = _rows()
    rows = [{**r, "outcome": HIDDEN_KEY} for r in rows]
    _write(folder, fields, rows)
    toml = (folder / "evsum.toml").read_text(encoding="utf-8")
    (folder / "evsum.toml").write_text(
        toml.replace("[outcomes.tb_cases]", f"[outcomes.{HIDDEN_KEY}]"), encoding="utf-8"
    )
    domains = ",".join(
        f"not serious,fixture {d}"
        for d in (
            "risk_of_bias",
            "inconsistency",
            "indirectness",
            "imprecision",
            "publication_bias",
        )
    )
    (folder / "data" / "grade.csv").write_text(
        "condition,outcome,comparator_type,timepoint,start,risk_of_bias,risk_of_bias_reason,"
        "inconsistency,inconsistency_reason,indirectness,indirectness_reason,imprecision,"
        "imprecision_reason,publication_bias,publication_bias_reason,certainty,"
        "baseline_risk_per_1000,baseline_risk_source\n"
        f"tuberculosis,{HIDDEN_KEY},none,,high,{domains},high,,\n",
        encoding="utf-8",
    )
    return folder


def bcg_rows() -> tuple[list[str], list[dict]]:
    """The BCG example's columns and rows (dicts of strings), to alter in a test."""
    return _rows()


def base_of(folder: Path, rows: list[dict], protocol_extra: str = "") -> Path:
    """An evidence base of ``rows`` (BCG columns) with the BCG protocol plus
    ``protocol_extra`` (TOML appended, e.g. another ``[outcomes.KEY]``)."""
    fields, _ = _rows()
    extra = [k for r in rows for k in r if k not in fields]
    kept = [f for f in fields if f in rows[0]]  # a column left out of the rows stays out
    _write(folder, kept + list(dict.fromkeys(extra)), rows)
    if protocol_extra:
        with open(folder / "evsum.toml", "a", encoding="utf-8") as handle:
            handle.write("\n" + protocol_extra)
    return folder
