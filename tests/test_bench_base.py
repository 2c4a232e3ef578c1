"""The synthetic evidence base of benchmarks/make_base.py stays valid (so the scale benchmark
cannot rot): a small one validates, loads and gives every pooled row an effect size."""

import importlib.util
import warnings
from pathlib import Path

from click.testing import CliRunner

from evsum.cli import main
from evsum.ingest.evidence import load_evidence
from evsum.stats.effects import compute_effects

ROOT = Path(__file__).resolve().parents[1]


def _make_base():
    spec = importlib.util.spec_from_file_location(
        "make_base", ROOT / "benchmarks" / "make_base.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_small_generated_base_validates(tmp_path):
    table = _make_base().write_base(tmp_path, 20)
    rows = len(table.read_text(encoding="utf-8").splitlines()) - 1
    result = CliRunner().invoke(main, ["validate", "--base", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"OK ({rows} rows, 20 studies, 10 conditions)" in result.output

    data = load_evidence(base=tmp_path).studies.data
    # the mix the benchmark promises: every data level, and more than one design
    assert set(data["data_level"]) == {"arm", "contrast", "narrative"}
    assert {"parallel_rct", "crossover_rct"} <= set(data["design"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        effects = compute_effects(data[data["data_level"] != "narrative"], warn=False)
    assert effects["yi"].notna().all() and (effects["vi"] > 0).all()
