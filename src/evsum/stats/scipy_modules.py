"""scipy's submodules as the statistics modules use them, imported on first use.

``from scipy import stats`` costs a command most of its start (about 60 % of ``evsum
validate``), though reading and checking the data never calls it; the modules of
:mod:`evsum.stats` take ``stats``, ``special`` and ``optimize`` from here instead, and scipy
is imported by the first computation that needs it.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _OnFirstUse:
    """A module, imported when one of its names is first looked up."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"{self._name} (imported on first use)"


#: ``scipy.stats``.
stats: Any = _OnFirstUse("scipy.stats")
#: ``scipy.special``.
special: Any = _OnFirstUse("scipy.special")
#: ``scipy.optimize``.
optimize: Any = _OnFirstUse("scipy.optimize")
