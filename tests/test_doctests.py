"""Every docstring example in src/evsum runs and prints what it says (as ``--doctest-modules``).

One test per module, so a failing example names its module; the examples themselves are the
expectations (each docstring cites where its numbers come from).
"""

import doctest
import importlib
import io
import pkgutil
import warnings

import pytest

import evsum
from evsum.exceptions import EvsumWarning


def _modules() -> list[str]:
    names = [evsum.__name__]
    for info in pkgutil.walk_packages(evsum.__path__, prefix="evsum."):
        # __main__ runs the command line when imported; the skeleton is a template, not code
        if info.name.endswith("__main__") or ".skeleton" in info.name:
            continue
        names.append(info.name)
    return sorted(names)


MODULES = _modules()


def test_the_walk_finds_the_layers():
    for layer in ("stats", "ingest", "review", "present", "render", "cli"):
        assert any(name.startswith(f"evsum.{layer}") for name in MODULES), layer


@pytest.mark.parametrize("name", MODULES)
def test_doctests_pass(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(verbose=False)
    out = io.StringIO()
    with warnings.catch_warnings():
        # a caveat the example demonstrates (e.g. Egger's test with few studies) is not a failure
        warnings.simplefilter("ignore", EvsumWarning)
        for test in finder.find(module, name):
            # names re-exported from another module are tested in their own module
            if test.lineno is None or test.filename != module.__file__:
                continue
            runner.run(test, out=out.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, out.getvalue()
