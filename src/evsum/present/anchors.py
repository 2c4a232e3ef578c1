"""Link targets shared by the blocks: each data row's anchor id."""

from __future__ import annotations

import re

import pandas as pd


def row_anchor(row: pd.Series) -> str:
    """Stable anchor id of a data row: its study and CSV line."""
    return f"row-{re.sub(r'[^a-z0-9]+', '-', str(row['study_id']).lower())}-{int(row['line'])}"
