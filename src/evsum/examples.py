"""Fictional example data: an evidence base to try evsum on without curated data.

The rows, risk-of-bias and GRADE tables and the protocol are made up (seeded), for the
gallery notebook, the docstrings and the tests.
"""

from __future__ import annotations

from evsum.review.examples import (
    example_evidence,
    example_grade,
    example_protocol,
    example_risk_of_bias,
    example_rows,
)

__all__ = [
    "example_evidence",
    "example_grade",
    "example_protocol",
    "example_risk_of_bias",
    "example_rows",
]
