"""Numbers of a study row as the paper printed them.

The validated table keeps, beside each decimal column, the text of the cell
(``<column>_printed``): a CI the paper gives as "19.0" is shown as "19.0", not as the float
``19.0`` formatted back ("19"). Rows built without it (examples, hand-made frames) fall back
to the shortest form of the number.
"""

from __future__ import annotations

import pandas as pd

#: Suffix of the column that holds a decimal cell's text as written in the CSV.
SUFFIX = "_printed"


def printed(row: pd.Series, column: str, missing: str = "") -> str:
    """The cell ``column`` of ``row`` as written in the data file.

    Examples
    --------
    >>> printed(pd.Series({"ci_high": 19.0, "ci_high_printed": "19.0"}), "ci_high")
    '19.0'
    >>> printed(pd.Series({"ci_high": 19.0}), "ci_high")
    '19'
    >>> printed(pd.Series({"ci_high": float("nan")}), "ci_high", missing="NA")
    'NA'
    """
    value = row.get(column)
    if value is None or pd.isna(value):
        return missing
    text = row.get(column + SUFFIX)
    if isinstance(text, str) and text.strip():
        return text.strip()
    return f"{float(value):g}"
