"""The methods page says plainly that no GLMM for sparse binary data is offered."""

from evsum.examples import example_evidence
from evsum.present.methods import synthesis_html


def test_synthesis_says_no_glmm_is_offered():
    text = str(synthesis_html(example_evidence()))
    assert "Not offered: a generalised linear mixed model (GLMM" in text
    assert "rma.glmm" in text
