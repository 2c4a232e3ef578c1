"""Small evidence bases made at test time from the BCG example (examples/bcg-vaccine).

``bcg_base(tmp, n)`` keeps the first ``n`` of the 13 trials of metafor's ``dat.bcg``, whose
metafor results are in tests/reference/small_k.json; ``single_trial_base(tmp)`` is one BCG row
with its counts replaced by the fragility-index example 15/40 vs 6/40 (the fragilityindex R
package's README; Fisher p-values from R's fisher.test in tests/reference/fragility.json).
"""

from __future__ import annotations

import csv
from pathlib import Path

from conftest import ROOT

BCG = ROOT / "examples" / "bcg-vaccine"


def _rows() -> tuple[list[str], list[dict]]:
    with open(BCG / "data" / "studies.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def _write(folder: Path, fields: list[str], rows: list[dict]) -> Path:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    # the example's protocol without its analysis plan (a main analysis of all 13 trials
    # with a latitude meta-regression does not fit a base of a few of them)
    protocol = (BCG / "evsum.toml").read_text(encoding="utf-8")
    protocol = protocol.split("\n# The analysis plan", 1)[0] + "\n"
    (folder / "evsum.toml").write_text(protocol, encoding="utf-8")
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
