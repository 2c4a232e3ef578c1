"""The package's architecture holds: layers import only downwards, nobody imports private names.

The layers contract lives in ``pyproject.toml`` ([tool.importlinter]); a wrong-way import
(for example ``evsum.stats`` importing ``evsum.present``) fails this test.
"""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

SRC = ROOT / "src" / "evsum"
LAYERS = ("stats", "ingest", "review", "present", "render")


def test_import_linter_contracts_are_kept():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is a dev dependency: pip install -e '.[dev]'"
    done = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_the_layers_are_folders():
    for layer in (*LAYERS, "blocks"):
        assert (SRC / layer / "__init__.py").is_file(), layer
    assert (SRC / "present" / "figures").is_dir()
    assert (SRC / "present" / "templates").is_dir()


def test_no_module_imports_another_modules_private_names():
    offences = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("evsum"):
                offences += [
                    f"{path.relative_to(SRC)}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    assert offences == []


def test_the_type_checking_imports_match_the_public_list():
    """``evsum/__init__.py`` lists each public name once (``_EXPORTS``); the TYPE_CHECKING
    block that IDEs read must import the same names from the same modules."""
    import evsum

    tree = ast.parse((SRC / "__init__.py").read_text(encoding="utf-8"))
    block = next(
        n
        for n in tree.body
        if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING"
    )
    imported = {
        a.name: node.module if node.module != "evsum" else f"evsum.{a.name}"  # a namespace
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for a in node.names
    }
    assert imported == evsum._EXPORTS
