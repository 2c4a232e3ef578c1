"""The ingest layer stays readable: no function above grade C of radon's cyclomatic complexity.

Validation is declared (``evsum.ingest.schema``, ``evsum.ingest.toml_schema``), not written
row by row, so no validator grows into one long function again.
"""

from conftest import ROOT


def test_no_ingest_function_is_graded_worse_than_c():
    from radon.complexity import cc_rank, cc_visit  # a dev dependency (pyproject.toml)

    folder = ROOT / "src" / "evsum" / "ingest"
    worse = [
        f"{path.name}:{block.lineno} {block.fullname} {cc_rank(block.complexity)} "
        f"({block.complexity})"
        for path in sorted(folder.glob("*.py"))
        for block in cc_visit(path.read_text(encoding="utf-8"))
        if cc_rank(block.complexity) > "C"
    ]
    assert worse == []
