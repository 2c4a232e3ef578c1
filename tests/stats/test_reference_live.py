"""Re-run the tests/reference/make_*.R scripts with the installed R + metafor and compare.

Skipped only when ``Rscript`` is not on PATH (CI installs R and r-cran-metafor, so there the
committed JSON is checked against a live metafor).
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from refdata import REFERENCE

RSCRIPT = shutil.which("Rscript")


def _same(a, b, path="") -> list[str]:
    """Differences between two parsed JSON documents (numbers with rtol 1e-12)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{path}: keys {sorted(a)} != {sorted(b)}"]
        return [d for k in a for d in _same(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} != {len(b)}"]
        pairs = enumerate(zip(a, b, strict=True))
        return [d for i, (x, y) in pairs for d in _same(x, y, f"{path}[{i}]")]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        ok = abs(a - b) <= 1e-12 * max(abs(a), abs(b)) + 1e-300
        return [] if ok else [f"{path}: {a!r} != {b!r}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def _written_by(script: str) -> list[str]:
    """Committed reference files whose ``source.script`` names ``script``."""
    names = []
    for path in sorted(REFERENCE.glob("*.json")):
        source = json.loads(path.read_text(encoding="utf-8")).get("source", {})
        if source.get("script", "tests/reference/make_reference.R").endswith(script):
            names.append(path.name)
    return names


def test_every_reference_file_names_its_script():
    scripts = {p.name for p in REFERENCE.glob("make_*.R")}
    written = {name for script in scripts for name in _written_by(script)}
    assert written == {p.name for p in REFERENCE.glob("*.json")}


@pytest.mark.skipif(RSCRIPT is None, reason="Rscript not installed")
@pytest.mark.parametrize("script", sorted(p.name for p in REFERENCE.glob("make_*.R")))
def test_live_metafor_reproduces_committed_reference(tmp_path, script):
    run = subprocess.run(
        [RSCRIPT, str(REFERENCE / script), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    committed = _written_by(script)
    assert sorted(p.name for p in Path(tmp_path).glob("*.json")) == committed
    for name in committed:
        live = json.loads((tmp_path / name).read_text(encoding="utf-8"))
        pinned = json.loads((REFERENCE / name).read_text(encoding="utf-8"))
        live["source"].pop("r_version", None)  # the R version may differ on CI
        pinned["source"].pop("r_version", None)
        diffs = _same(live, pinned)
        assert not diffs, f"{name}: " + "; ".join(diffs[:5])
