"""Property-based tests of the study-table validator (hypothesis).

Tables drawn from a strategy that follows the contract of data/README.md always validate;
one corrupted cell of a kind the validator checks is always reported at its line and column.
"""

import csv
import datetime as dt
import io
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evsum import StudyDataError
from evsum import vocab as schema
from evsum.exceptions import EvsumWarning
from evsum.ingest.protocol import load_protocol
from evsum.ingest.studies import load_studies
from evsum.stats.effects import compute_effects

from conftest import ROOT

#: The project's own protocol: its conditions and outcomes are the vocabularies drawn from.
PROTOCOL = load_protocol(ROOT)

YEAR_MAX = dt.date.today().year + 1
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# free text: any Unicode except control characters (Cc) and lone surrogates (Cs)
text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)
some_text = text.filter(lambda s: s.strip())
count = st.integers(min_value=1, max_value=5000)
decimal = st.integers(min_value=-(10**6), max_value=10**6).map(lambda i: f"{i / 100:g}")
positive_decimal = st.integers(min_value=1, max_value=10**6).map(lambda i: f"{i / 100:g}")


@st.composite
def _numbers(draw, level: str, outcome_type: str) -> dict:
    """The numeric cells of one row, consistent with its data level and outcome type."""
    cells = {c: "" for c in schema.SOURCED_NUMBER_COLUMNS}
    cells["n_intervention"] = cells["n_comparator"] = ""
    if level == "narrative":
        if draw(st.booleans()):
            cells["n_intervention"], cells["n_comparator"] = (str(draw(count)), str(draw(count)))
        cells["effect_measure"] = draw(st.sampled_from(("", *schema.REPORTED_MEASURES)))
        return cells
    n_i, n_c = draw(count), draw(count)
    cells["n_intervention"], cells["n_comparator"] = str(n_i), str(n_c)
    if level == "arm" and outcome_type == "binary":
        cells["events_intervention"] = str(draw(st.integers(0, n_i)))
        cells["events_comparator"] = str(draw(st.integers(0, n_c)))
        cells["effect_measure"] = draw(st.sampled_from(sorted(schema.BINARY_MEASURES)))
        return cells
    if level == "arm":
        for arm in ("intervention", "comparator"):
            cells[f"mean_{arm}"] = draw(decimal)
            cells[f"sd_{arm}"] = draw(positive_decimal)
        cells["effect_measure"] = draw(st.sampled_from(sorted(schema.CONTINUOUS_MEASURES)))
        return cells
    measure = draw(st.sampled_from(schema.REPORTED_MEASURES))
    low_bound = 1 if measure in schema.RATIO_MEASURES else -(10**5)
    # distinct: a confidence interval has a width (evsum.stats.effects.CI_RULE)
    low, effect, high = sorted(
        draw(st.lists(st.integers(low_bound, 10**5), min_size=3, max_size=3, unique=True))
    )
    cells.update(
        effect_measure=measure,
        effect=f"{effect / 100:g}",
        ci_low=f"{low / 100:g}",
        ci_high=f"{high / 100:g}",
    )
    return cells


@st.composite
def valid_tables(draw) -> list[dict]:
    """1 to 8 rows from 1 to 4 studies; study-level facts (condition and blinding too)
    equal within a study."""
    studies = []
    for i in range(draw(st.integers(1, 4))):
        studies.append(
            {
                "study_id": f"{draw(st.from_regex(r'[a-z]{2,8}', fullmatch=True))}{i}",
                "first_author": draw(some_text),
                "year": str(draw(st.integers(1900, YEAR_MAX))),
                "doi": draw(
                    st.one_of(
                        st.just(""),
                        st.from_regex(r"10\.[0-9]{4,9}/[A-Za-z0-9._;()/:-]{1,20}", fullmatch=True),
                    )
                ),
                "pmid": draw(st.one_of(st.just(""), st.integers(1, 99_999_999).map(str))),
                "design": (design := draw(st.sampled_from(list(schema.DESIGNS)))),
                # the design says whether allocation was random (ingest/forms.py)
                "randomised": "true" if design in schema.RANDOMISED_DESIGNS else "false",
                "condition": draw(st.sampled_from(list(PROTOCOL.conditions))),
                "blinding": draw(st.sampled_from(schema.BLINDING)),
            }
        )
    rows = []
    for j in range(draw(st.integers(1, 8))):
        study = draw(st.sampled_from(studies))
        level = draw(st.sampled_from(schema.DATA_LEVELS))
        outcome_type = draw(
            st.sampled_from(("binary", "continuous"))
            if level == "arm"
            else st.sampled_from(schema.OUTCOME_TYPES)
        )
        numbers = draw(_numbers(level, outcome_type))
        has_number = any(numbers[c] for c in schema.SOURCED_NUMBER_COLUMNS)
        source_type = draw(st.sampled_from(schema.SOURCE_TYPES))
        rows.append(
            {
                **study,
                "intervention": draw(some_text),
                "comparator": draw(some_text),
                "comparator_type": draw(st.sampled_from(schema.COMPARATOR_TYPES)),
                "outcome": draw(st.sampled_from(list(PROTOCOL.outcomes))),
                "outcome_type": outcome_type,
                # the row index keeps study × comparison × outcome × time point unique
                "timepoint": f"{j + 1} {draw(st.sampled_from(('h', 'days', 'week', 'months')))}",
                **numbers,
                "data_level": level,
                "source_type": source_type,
                # optional: empty (not recorded) or a kind of the row's source type
                "source_kind": draw(
                    st.sampled_from(
                        ["", *(k for k, t in schema.SOURCE_KINDS.items() if t == source_type)]
                    )
                ),
                "source_locator": draw(some_text),
                "source_quote": draw(some_text if has_number else text),
                "derivation": draw(text),
                "notes": draw(text),
            }
        )
    return rows


def _load(rows: list[dict]):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(schema.STUDY_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "studies.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8")
        return load_studies(path, protocol=PROTOCOL)


@SETTINGS
@given(rows=valid_tables())
def test_valid_tables_validate(rows):
    table = _load(rows)
    assert len(table.data) == len(rows)
    assert list(table.data["line"]) == list(range(2, len(rows) + 2))
    assert list(table.data["study_id"]) == [r["study_id"] for r in rows]
    # what the validator accepts, the effect-size code takes (one CI rule for both)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EvsumWarning)
        effects = compute_effects(table.data)
    assert len(effects) == len(rows)


def _text_columns(row: dict) -> list[str]:
    return [c for c in schema.STUDY_COLUMNS if c not in schema.NUMERIC_COLUMNS]


#: Corruptions: name → (columns it may apply to given a row, strategy of bad values).
CORRUPTIONS = {
    "not a number": (
        lambda r: list(schema.NUMERIC_COLUMNS),
        st.sampled_from(["twenty", "1,5", "12 mg", "--1", "0x10", "N/A"]),
    ),
    "not whole": (
        lambda r: [c for c in schema.INTEGER_COLUMNS if c != "year"],
        st.sampled_from(["1.5", "20.25"]),
    ),
    "huge integer": (
        lambda r: list(schema.INTEGER_COLUMNS),
        st.sampled_from(["1e30", "99999999999999999999999", "-1e300"]),
    ),
    "year out of range": (
        lambda r: ["year"],
        st.one_of(st.integers(1000, 1899), st.integers(YEAR_MAX + 1, 9999)).map(str),
    ),
    "n not positive": (
        lambda r: ["n_intervention", "n_comparator"],
        st.integers(-500, 0).map(str),
    ),
    "events above n": (
        lambda r: [f"events_{a}" for a in ("intervention", "comparator") if r[f"events_{a}"]],
        st.just("100000"),
    ),
    "negative events": (
        lambda r: ["events_intervention", "events_comparator"],
        st.integers(-50, -1).map(str),
    ),
    "sd not positive": (
        lambda r: ["sd_intervention", "sd_comparator"],
        st.sampled_from(["0", "-1.2", "-0.01"]),
    ),
    "estimate outside CI": (lambda r: ["effect"] if r["ci_high"] else [], st.just("100000")),
    "unknown vocabulary": (
        lambda r: [
            "condition",
            "design",
            "blinding",
            "randomised",
            "comparator_type",
            "outcome",
            "outcome_type",
            "data_level",
            "source_type",
            "source_kind",
        ],
        st.sampled_from(["gambling", "RCT", "yes", "Alcohol", " placebo", "other"]),
    ),
    "kind of another source type": (
        lambda r: ["source_kind"] if r["source_type"] == "primary" else [],
        st.sampled_from([k for k, t in schema.SOURCE_KINDS.items() if t != "primary"]),
    ),
    "unknown measure": (lambda r: ["effect_measure"], st.sampled_from(["WMD", "rr", "log OR"])),
    "malformed DOI": (
        lambda r: ["doi"],
        st.sampled_from(
            [
                "javascript:alert(1)",
                "doi:10.1000/x",
                "https://doi.org/10.1000/x",
                "10.1/x",
                "10.1000/a b",
                '10.1000/x"><script>',
            ]
        ),
    ),
    "malformed time point": (
        lambda r: ["timepoint"],
        st.sampled_from(["three weeks", "3weeks", "3 fortnights", "-1 h"]),
    ),
    "required value empty": (lambda r: list(schema.REQUIRED_VALUE_COLUMNS), st.just("")),
    "number without quote": (
        lambda r: ["source_quote"] if any(r[c] for c in schema.SOURCED_NUMBER_COLUMNS) else [],
        st.just(""),
    ),
    "control character": (
        _text_columns,
        st.sampled_from(["\x00", "\x07", "\x1b[31m", "\x7f", "\x0b"]),
    ),
    "pmid not positive": (lambda r: ["pmid"], st.sampled_from(["0", "-3"])),
}


@SETTINGS
@given(rows=valid_tables(), data=st.data())
def test_any_single_corruption_is_caught_at_its_line_and_column(rows, data):
    index = data.draw(st.integers(0, len(rows) - 1), label="row")
    row = rows[index]
    kinds = [k for k, (columns, _) in CORRUPTIONS.items() if columns(row)]
    kind = data.draw(st.sampled_from(kinds), label="corruption")
    columns, values = CORRUPTIONS[kind]
    column = data.draw(st.sampled_from(columns(row)), label="column")
    value = data.draw(values, label="value")
    if kind == "control character":
        value = row[column][:5] + value + row[column][5:]
    row[column] = value
    with pytest.raises(StudyDataError) as info:
        _load(rows)
    where = [(p.line, p.column) for p in info.value.problems]
    assert (index + 2, column) in where, (
        kind,
        column,
        value,
        [str(p) for p in info.value.problems],
    )
