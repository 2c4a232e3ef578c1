"""Blocks of the claims audit (``notebooks/claims_audit.ipynb``), in page order.

The claims come from :func:`evsum.load_claims`, the audit of the text's reference list from
:func:`evsum.audit_source_references`.
"""

from __future__ import annotations

from evsum.present.audit_sections import audit_summary_html as summary
from evsum.present.audit_sections import audit_title_html as title
from evsum.present.audit_sections import citation_audit_html as citations
from evsum.present.audit_sections import claims_html as claims
from evsum.present.audit_sections import verdict_scale_html as verdict_scale

__all__ = ["citations", "claims", "summary", "title", "verdict_scale"]
