"""All report markup comes from templates: no HTML built in Python strings, no review's words
in the present layer."""

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "evsum"
MARKUP = ('f"<', "f'<", '"</', "'</")
REVIEW_WORDS = re.compile(r"ketamine|alcohol|opioid|cocaine|heroin|blog", re.IGNORECASE)


def test_no_markup_is_built_in_python():
    found = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in sorted(SRC.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(pattern in line for pattern in MARKUP)
    ]
    assert not found, found


def test_present_has_no_review_specific_word():
    present = SRC / "present"
    files = [
        p for p in sorted(present.rglob("*")) if p.is_file() and p.suffix in (".py", ".j2", ".css")
    ]
    assert files
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if REVIEW_WORDS.search(line)
    ]
    assert not found, found
