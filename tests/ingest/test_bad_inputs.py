"""`evsum validate` on the bad-input corpus (tests/bad_inputs/): exit 1, every problem named.

Each corpus file must produce exactly the problems ``tests/bad_inputs/expected.json`` lists,
each printed as ``FILE:LINE (study_id=...) COLUMN: got 'VALUE'; expected WHAT.``
(``make_corpus.py`` beside it documents the manifest and regenerates the files).
"""

import csv
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from evsum.cli import main

from conftest import SMALL, SMALL_PROTOCOL

CORPUS = Path(__file__).parents[1] / "bad_inputs"
EXPECTED = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))


def _validate(path: Path):
    return CliRunner().invoke(main, ["validate", str(path)])


def _message_lines(output: str, path: Path) -> list[str]:
    lines = [line.strip() for line in output.splitlines()]
    return [line for line in lines if line.startswith(str(path)) and " expected " in line]


def _matches(line: str, path: Path, problem: dict) -> bool:
    """Whether one printed problem is ``FILE[:LINE] [(study_id=...)] [COLUMN:] [got V;] ...``."""
    where = str(path) if problem["line"] is None else f"{path}:{problem['line']}"
    if not line.startswith(where + " "):
        return False
    rest = re.sub(r"^ \((?:study_|claim_)?id=[^)]*\)", "", line[len(where) :])
    column = "" if problem["column"] is None else f" {problem['column']}:"
    got = "" if problem["value"] is None else f" got {problem['value']!r};"
    prefix = f"{column}{got} expected "
    return rest.startswith(prefix) and problem["expected"] in rest[len(prefix) :]


def _corpus_files() -> list[str]:
    return sorted({p.name for p in [*CORPUS.glob("*.csv"), *CORPUS.glob("*--*")]})


def _place(name: str, folder: Path) -> Path:
    """Put corpus file ``name`` in ``folder`` as it is validated; return the file to name.

    ``CASE--TARGET`` is a context file (or the protocol, ``evsum.toml``): it becomes
    ``TARGET`` beside the valid fixture. The folder is an evidence base of its own, with the
    fixture's protocol unless the case is a protocol.
    """
    shutil.copy(SMALL_PROTOCOL, folder / "evsum.toml")
    if "--" in name:
        shutil.copy(SMALL, folder / "studies.csv")
        target = folder / name.split("--", 1)[1]
        shutil.copy(CORPUS / name, target)
        return target
    shutil.copy(CORPUS / name, folder / name)
    return folder / name


def test_corpus_is_large_enough_and_complete():
    files = _corpus_files()
    assert len(files) >= 30
    assert files == sorted(EXPECTED), "every corpus file needs an entry in expected.json"


def test_corpus_files_are_as_generated():
    """No editor, hook or checkout has changed a byte (line endings, BOM, final newline)."""
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cases = module._cases()
    assert sorted(cases) == sorted(EXPECTED)
    for name, (data, problems) in cases.items():
        assert (CORPUS / name).read_bytes() == data, name
        assert problems == EXPECTED[name], name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_reports_every_expected_problem(name, tmp_path):
    # a folder of its own, so that no other context file beside it is read
    path = _place(name, tmp_path)
    result = _validate(tmp_path / "studies.csv" if "--" in name else path)
    assert result.exit_code == 1, result.output
    expected = EXPECTED[name]
    header = f"{len(expected)} problem{'s' if len(expected) != 1 else ''} in {path}:"
    assert header in result.output, result.output
    lines = _message_lines(result.output, path)
    assert len(lines) == len(expected), result.output
    for problem in expected:
        assert any(_matches(line, path, problem) for line in lines), (problem, result.output)


def test_messages_quote_values_so_terminals_see_no_control_codes(tmp_path):
    path = tmp_path / "control_characters.csv"
    shutil.copy(CORPUS / "control_characters.csv", path)
    output = _validate(path).output
    assert "\x1b" not in output and "\\x1b[31m" in output


def test_render_with_invalid_data_exits_1_and_leaves_reports_untouched(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(CORPUS / "several_errors.csv", data / "studies.csv")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    reports = tmp_path / "reports"
    (reports / ".build").mkdir(parents=True)
    (reports / "index.html").write_text("<!DOCTYPE html><p>last good index</p>\n")
    (reports / "alcohol.html").write_text("<!DOCTYPE html><p>last good report</p>\n")
    (reports / ".evsum-state.json").write_text('{"alcohol": {"status": "rendered"}}\n')
    (reports / ".build" / "alcohol.ipynb").write_text("{}\n")

    def snapshot():
        return {
            p.relative_to(reports): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(reports.rglob("*"))
            if p.is_file()
        }

    before = snapshot()
    result = CliRunner().invoke(
        main,
        [
            "render",
            "--data",
            str(data / "studies.csv"),
            "--notebooks",
            str(notebooks),
            "--out",
            str(reports),
            "--quiet",
        ],
    )
    assert result.exit_code == 1, result.output
    assert f"4 problems in {data / 'studies.csv'}:" in result.output
    assert snapshot() == before
    assert sorted(p.name for p in reports.rglob("*")) == [
        ".build",
        ".evsum-state.json",
        "alcohol.html",
        "alcohol.ipynb",
        "index.html",
    ]


def test_context_files_are_checked_for_control_characters(tmp_path):
    shutil.copy(SMALL, tmp_path / "studies.csv")
    (tmp_path / "risk_of_bias.csv").write_text(
        "study_id,tool,domain,judgement,support,source_locator\n"
        "alpha2001,RoB 2,D1,low,fine,Table 1\n"
        "alpha2001,RoB 2,D2,low,\x1b[2Jcleared,Table 1\n",
        encoding="utf-8",
    )
    result = _validate(tmp_path / "studies.csv")
    assert result.exit_code == 1, result.output
    assert (
        f"{tmp_path / 'risk_of_bias.csv'}:3 (study_id=alpha2001) support: "
        "got '\\x1b[2Jcleared'; expected text without control characters."
    ) in result.output
    assert "\x1b" not in result.output


# --- a large file -------------------------------------------------------------------------


def _write_large_table(path: Path, size: int, bad_line: int) -> tuple[int, str]:
    """Write ~``size`` bytes of valid rows with one bad n at ``bad_line``; return rows, id."""
    with open(SMALL, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, [r for r in reader if r["n_comparator"]]
    # rows as long as those of data/studies.csv (about 900 bytes: real quotes and notes)
    note = " ".join(["Randomised n reported; analysed n taken from the CONSORT diagram."] * 10)
    templates = []
    for row in rows:
        buffer = io.StringIO()
        csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n").writerow(
            {**row, "study_id": "\0", "notes": note}
        )
        templates.append(buffer.getvalue())
    header = ",".join(fields) + "\n"
    parts, written, i, bad_id = [header], len(header), 0, ""
    while written < size:
        study_id = f"s{i:07d}"
        line = templates[i % len(templates)].replace("\0", study_id, 1)
        if i + 2 == bad_line:  # the header is line 1, the first row line 2
            line = _negate_n(line, fields)
            bad_id = study_id
        parts.append(line)
        written += len(line)
        i += 1
    path.write_text("".join(parts), encoding="utf-8")
    return i, bad_id


def _negate_n(line: str, fields: list[str]) -> str:
    record = next(csv.reader([line]))
    record[fields.index("n_comparator")] = "-" + record[fields.index("n_comparator")]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(record)
    return buffer.getvalue()


@pytest.mark.slow
def test_100_mb_table_with_one_bad_row_is_validated_and_the_row_named(tmp_path):
    path = tmp_path / "studies.csv"
    bad_line = 76_543
    rows, bad_id = _write_large_table(path, 100 * 2**20, bad_line)
    assert path.stat().st_size >= 100 * 2**20 and rows > bad_line
    result = _validate(path)
    assert result.exit_code == 1, result.output[:2000]
    assert f"1 problem in {path}:" in result.output
    assert f"{path}:{bad_line} (study_id={bad_id}) n_comparator: got '-" in result.output, (
        result.output[:2000]
    )


# --- special files, terminals, one-line errors ---------------------------------------------


def _evsum(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The command in a process of its own: a read that blocks fails the test, not the run."""
    return subprocess.run(
        [sys.executable, "-m", "evsum", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


@pytest.mark.parametrize("name", ["studies.csv", "grade.csv", "evsum.toml"])
def test_a_fifo_is_refused_as_not_a_regular_file(tmp_path, name):
    shutil.copy(SMALL_PROTOCOL, tmp_path / "evsum.toml")
    shutil.copy(SMALL, tmp_path / "studies.csv")
    (tmp_path / name).unlink(missing_ok=True)
    os.mkfifo(tmp_path / name)
    result = _evsum("validate", str(tmp_path / "studies.csv"))
    assert result.returncode == 1, result.stderr
    assert f"{tmp_path / name} got 'a FIFO (named pipe)'; expected a regular file." in (
        result.stderr + result.stdout
    )
    assert "Traceback" not in result.stderr


def test_a_table_linked_to_a_device_is_refused_without_reading_it(tmp_path):
    shutil.copy(SMALL_PROTOCOL, tmp_path / "evsum.toml")
    (tmp_path / "studies.csv").symlink_to("/dev/zero")
    result = _evsum("validate", str(tmp_path / "studies.csv"))
    assert result.returncode == 1, result.stderr
    assert "got 'a character device'; expected a regular file." in result.stderr + result.stdout


def test_escape_codes_from_files_never_reach_the_terminal(tmp_path):
    shutil.copy(SMALL_PROTOCOL, tmp_path / "evsum.toml")
    text = SMALL.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    assert ",notes" in header
    (tmp_path / "studies.csv").write_text(
        header.replace(",notes", ",notes\x1b]0;pwned\x07\x1b[8m") + "\n" + rest,
        encoding="utf-8",
    )
    validate = _evsum("validate", str(tmp_path / "studies.csv"))
    assert validate.returncode == 1
    assert "\x1b" not in validate.stdout + validate.stderr
    assert "\\x1b]0;pwned\\x07" in validate.stdout + validate.stderr
    listing = tmp_path / "refs.txt"
    listing.write_text("1. Alpha A. \x1b]0;pwned\x07Title. J. 2001.\n", encoding="utf-8")
    (tmp_path / "references.json").write_text("[]", encoding="utf-8")
    audit = _evsum(
        "audit-citations", str(listing), "--references", str(tmp_path / "references.json")
    )
    assert "\x1b" not in audit.stdout + audit.stderr and "Traceback" not in audit.stderr
    pages = tmp_path / "reports"
    pages.mkdir()
    (pages / "a.html").write_text('<a href="b.html\x1b[2J">x</a>', encoding="utf-8")
    links = _evsum("check-links", str(pages))
    assert links.returncode == 1 and "\x1b" not in links.stdout + links.stderr


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(lambda p: p.write_bytes(b"<p>\xff</p>"), id="not-utf-8"),
        pytest.param(lambda p: p.symlink_to(p), id="symlink-loop"),
        pytest.param(lambda p: p.mkdir(), id="folder"),
    ],
)
def test_check_links_on_an_unreadable_page_says_so_in_one_line(tmp_path, page):
    page(tmp_path / "x.html")
    result = _evsum("check-links", str(tmp_path))
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {tmp_path / 'x.html'}: cannot be read as a page")


def test_one_line_errors_for_a_deep_protocol_an_unwritable_csv_and_a_binary_list(tmp_path):
    deep = tmp_path / "deep"
    deep.mkdir()
    (deep / "evsum.toml").write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    result = _evsum("validate", "--base", str(deep))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "nested too deeply" in result.stderr
    shutil.copy(SMALL_PROTOCOL, tmp_path / "evsum.toml")
    (tmp_path / "references.json").write_text("[]", encoding="utf-8")
    binary = tmp_path / "list.bin"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    audit = _evsum(
        "audit-citations", str(binary), "--references", str(tmp_path / "references.json")
    )
    assert audit.returncode in (1, 2) and "Traceback" not in audit.stderr, audit.stderr
    listing = tmp_path / "refs.txt"
    listing.write_text("1. Alpha A. Title. J. 2001.\n", encoding="utf-8")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    audit = _evsum(
        "audit-citations",
        str(listing),
        "--references",
        str(tmp_path / "references.json"),
        "--csv",
        str(blocked / "out.csv"),
    )
    assert audit.returncode == 2 and "Traceback" not in audit.stderr, audit.stderr
    assert f"error: {blocked}" in audit.stderr


def test_a_failed_new_base_leaves_nothing_behind_and_names_the_path(tmp_path):
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    result = _evsum("new", str(tmp_path / "dangling"))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    (tmp_path / "file").write_text("x")
    result = _evsum("new", str(tmp_path / "file" / "base"))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert str(tmp_path / "file") in result.stderr
