"""Results → words, figures and HTML; this layer never computes a statistic.

- :mod:`~evsum.present.text`: the one place that turns numbers into words;
- :mod:`~evsum.present.html`: the Jinja2 environment (``templates/*.html.j2``, autoescaped);
- :mod:`~evsum.present.sections`, :mod:`~evsum.present.audit_sections`,
  :mod:`~evsum.present.sof`, :mod:`~evsum.present.methods`, :mod:`~evsum.present.curation`:
  the report blocks the notebooks display (public as :mod:`evsum.blocks`, one module per
  report);
- :mod:`~evsum.present.few_studies`: the "few studies" panel of analyses of 1 to 4 studies;
- :mod:`~evsum.present.figures`: forest, funnel, risk of bias, evidence map;
- :mod:`~evsum.present.display`: notebook display of the statistics results;
- :mod:`~evsum.present.analyses`: the review's analyses as objects that display as their
  report section and draw their forest plot (``evsum.analyse_condition``);
- :mod:`~evsum.present.explore`: one analysis at a time, chosen with controls
  (``evsum.explore``, ``notebooks/explore.ipynb``).

Every block displayed in a notebook carries its own styles (``templates/block.css``).
"""
