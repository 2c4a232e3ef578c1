"""Write a synthetic evidence base of any size, valid against evsum's schemas (not a test).

``python benchmarks/make_base.py DIR --studies 2000`` writes ``DIR/evsum.toml`` (a protocol
of ``--conditions`` conditions and ``--outcomes`` outcomes, half binary and half continuous),
``DIR/data/studies.csv`` and ``DIR/data/study_characteristics.csv``. Every study treats one
condition (studies are dealt to the conditions in turn) and reports a few outcomes, the
common ones more often, so analyses range from one study to dozens, as in a real review.
Rows are a realistic mix: about 75 % arm-level (2x2 counts or means and SDs), 15 %
contrast-level (an odds ratio or a mean difference with its 95 % CI) and 10 % narrative
(no usable number); designs are mostly parallel randomised trials, with crossover trials
and non-randomised controlled studies; comparators are placebo, active placebo or
treatment as usual. The numbers are simulated (seeded, so a size always gives the same
files); every name is made up and says so. ``benchmarks/scale.py`` times evsum on these
bases; ``tests/test_bench_base.py`` checks that a small one validates.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

#: studies.csv columns written (the optional ones left out read as empty).
COLUMNS = (
    "study_id,first_author,year,doi,pmid,condition,design,randomised,blinding,intervention,"
    "comparator,comparator_type,n_intervention,n_comparator,outcome,outcome_type,timepoint,"
    "events_intervention,events_comparator,mean_intervention,sd_intervention,"
    "mean_comparator,sd_comparator,effect_measure,effect,ci_low,ci_high,data_level,"
    "source_type,source_kind,source_locator,source_quote,derivation,notes"
).split(",")

CHARACTERISTICS = (
    "study_id,title,journal,population,country,setting,n_randomised,n_source,"
    "dose_route,sessions,co_therapy,follow_up,funding,conflicts,registration,"
    "source_locator,notes"
).split(",")

#: (design, randomised, blinding, share of studies)
DESIGNS = (
    ("parallel_rct", "true", "double-blind", 0.80),
    ("crossover_rct", "true", "double-blind", 0.08),
    ("nonrandomised_controlled", "false", "open", 0.12),
)
#: (comparator_type, comparator wording, share of studies)
COMPARATORS = (
    ("placebo", "saline infusion", 0.65),
    ("active placebo", "active control infusion", 0.25),
    ("treatment as usual", "usual care", 0.10),
)
TIMEPOINTS = ("4 weeks", "12 weeks", "end of treatment")
#: outcomes reported per study (a few, as papers report)
OUTCOMES_PER_STUDY = (2, 6)


def protocol_text(conditions: int, outcomes: int) -> str:
    """The evsum.toml of the synthetic base."""
    lines = [
        "# Synthetic evidence base written by benchmarks/make_base.py: every study, number",
        "# and name is simulated, for timing evsum on a large base.",
        "",
        "[review]",
        'title = "Synthetic review (simulated data)"',
        'question = "Does the study intervention change the outcomes of the conditions?"',
        'intervention = "study intervention"',
        'comparator = "control"',
        'data_date = "2026-01-01"',
        "",
    ]
    for c in range(conditions):
        lines += [f"[conditions.cond{c:02d}]", f'label = "Condition {c + 1}"', ""]
    for o in range(outcomes):
        binary = o % 2 == 0
        lines += [
            f"[outcomes.{_outcome(o)}]",
            f'label = "{"Response" if binary else "Score"} {o + 1}"',
            f'type = "{"binary" if binary else "continuous"}"',
            f"higher_is_better = {'true' if binary else 'false'}",
            f'importance = "{"critical" if o < 4 else "important"}"',
            "",
        ]
    return "\n".join(lines)


def _outcome(o: int) -> str:
    return f"out{o:02d}"


def _choice(rng: np.random.Generator, options: tuple) -> tuple:
    shares = np.array([option[-1] for option in options])
    return options[rng.choice(len(options), p=shares / shares.sum())]


def study_rows(
    rng: np.random.Generator, index: int, conditions: int, outcomes: int
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The studies.csv rows of one simulated study and its study_characteristics.csv row."""
    study = f"syn{index:05d}"
    author = f"Author{index:05d}"
    year = str(1995 + index % 30)
    design, randomised, blinding, _ = _choice(rng, DESIGNS)
    ctype, comparator, _ = _choice(rng, COMPARATORS)
    condition = f"cond{index % conditions:02d}"
    crossover = design == "crossover_rct"
    n_i = int(rng.integers(15, 150))
    n_c = n_i if crossover else int(rng.integers(15, 150))
    common = {
        "study_id": study,
        "first_author": author,
        "year": year,
        "doi": f"10.5555/synthetic.{study}",
        "pmid": "",
        "condition": condition,
        "design": design,
        "randomised": randomised,
        "blinding": blinding,
        "intervention": f"study intervention, {1 + index % 3} sessions",
        "comparator": comparator,
        "comparator_type": ctype,
        "source_type": "primary",
        "source_kind": "full text" if rng.random() < 0.8 else "abstract",
        "derivation": "",
        "notes": "simulated",
    }
    # the common outcomes are reported more often (weights ~ 1 / rank)
    weights = 1.0 / np.arange(1, outcomes + 1)
    count = int(rng.integers(OUTCOMES_PER_STUDY[0], OUTCOMES_PER_STUDY[1] + 1))
    chosen = rng.choice(
        outcomes, size=min(count, outcomes), replace=False, p=weights / weights.sum()
    )
    rows = []
    for o in sorted(int(x) for x in chosen):
        timepoint = TIMEPOINTS[int(rng.integers(0, 2))] if rng.random() < 0.9 else TIMEPOINTS[2]
        level = rng.choice(["arm", "contrast", "narrative"], p=[0.75, 0.15, 0.10])
        binary = o % 2 == 0
        row = dict.fromkeys(COLUMNS, "")
        row.update(common)
        row.update(
            outcome=_outcome(o),
            outcome_type="binary" if binary else "continuous",
            timepoint=timepoint,
            data_level=str(level),
            source_locator=f"https://example.org/synthetic/{study}, Table {o % 4 + 1}",
        )
        if level != "narrative":
            row["n_intervention"] = str(n_i)
            row["n_comparator"] = "" if crossover else str(n_c)
        if level == "arm" and binary:
            p_c = rng.uniform(0.15, 0.6)
            p_i = min(0.95, p_c * np.exp(rng.normal(0.2, 0.3)))
            e_i, e_c = int(rng.binomial(n_i, p_i)), int(rng.binomial(n_c, p_c))
            row.update(
                events_intervention=str(e_i),
                events_comparator=str(e_c),
                effect_measure="RR",
                source_quote=f"{e_i} of {n_i} vs {e_c} of {n_c}",
            )
        elif level == "arm":
            sd_i, sd_c = rng.uniform(4, 12, size=2).round(1)
            m_c = rng.uniform(20, 40)
            m_i = m_c + rng.normal(-2, 3)
            row.update(
                mean_intervention=f"{m_i:.1f}",
                sd_intervention=f"{sd_i:.1f}",
                mean_comparator=f"{m_c:.1f}",
                sd_comparator=f"{sd_c:.1f}",
                effect_measure="MD",
                source_quote=f"{m_i:.1f} ({sd_i:.1f}) vs {m_c:.1f} ({sd_c:.1f})",
            )
        elif level == "contrast":
            se = rng.uniform(0.15, 0.5) if binary else rng.uniform(0.8, 3.0)
            est = rng.normal(0.2, 0.3) if binary else rng.normal(-2, 2)
            low, high = est - 1.96 * se, est + 1.96 * se
            if binary:  # an odds ratio, on its natural scale
                est, low, high = np.exp(est), np.exp(low), np.exp(high)
            text = (f"{est:.2f}", f"{low:.2f}", f"{high:.2f}")
            row.update(
                effect_measure="OR" if binary else "MD",
                effect=text[0],
                ci_low=text[1],
                ci_high=text[2],
                source_quote=f"{'OR' if binary else 'difference'} {text[0]} "
                f"(95% CI {text[1]} to {text[2]})",
            )
        else:
            row["source_quote"] = "the outcome improved in both groups (no numbers given)"
        rows.append(row)
    characteristics = dict.fromkeys(CHARACTERISTICS, "")
    characteristics.update(
        study_id=study,
        title=f"A simulated trial number {index} (synthetic)",
        journal="Journal of Simulated Trials",
        population="simulated adults",
        country="nowhere",
        setting="outpatient",
        n_randomised=str(n_i if crossover else n_i + n_c),
        n_source=f"{n_i if crossover else n_i + n_c} participants (simulated), Methods",
        co_therapy="not reported",
        source_locator=f"https://example.org/synthetic/{study}, Methods",
    )
    return rows, characteristics


def write_base(
    folder: str | Path,
    studies: int,
    *,
    conditions: int = 10,
    outcomes: int = 20,
    seed: int = 2026,
) -> Path:
    """Write the base into ``folder`` (created); returns its studies.csv path."""
    folder = Path(folder)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "evsum.toml").write_text(protocol_text(conditions, outcomes), encoding="utf-8")
    rng = np.random.default_rng(seed)
    table = folder / "data" / "studies.csv"
    with (
        table.open("w", newline="", encoding="utf-8") as rows_file,
        (folder / "data" / "study_characteristics.csv").open(
            "w", newline="", encoding="utf-8"
        ) as chars_file,
    ):
        rows_out = csv.DictWriter(rows_file, COLUMNS, lineterminator="\n")
        chars_out = csv.DictWriter(chars_file, CHARACTERISTICS, lineterminator="\n")
        rows_out.writeheader()
        chars_out.writeheader()
        for index in range(1, studies + 1):
            rows, characteristics = study_rows(rng, index, conditions, outcomes)
            rows_out.writerows(rows)
            chars_out.writerow(characteristics)
    return table


def main() -> None:
    """Command line: write a base of the given size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--studies", type=int, default=2000)
    parser.add_argument("--conditions", type=int, default=10)
    parser.add_argument("--outcomes", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    table = write_base(
        args.folder,
        args.studies,
        conditions=args.conditions,
        outcomes=args.outcomes,
        seed=args.seed,
    )
    with table.open(encoding="utf-8") as f:
        rows = sum(1 for _ in f) - 1
    print(f"{table}: {args.studies} studies, {rows} rows")


if __name__ == "__main__":
    main()
