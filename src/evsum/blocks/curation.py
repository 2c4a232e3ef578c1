"""Block of the curation log (``notebooks/curation_log.ipynb``)."""

from __future__ import annotations

from evsum.present.curation import curation_log_html as log

__all__ = ["log"]
