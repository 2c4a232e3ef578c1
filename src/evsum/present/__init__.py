"""Results → words, figures and HTML; this layer never computes a statistic.

- :mod:`~evsum.present.text`: the one place that turns numbers into words;
- :mod:`~evsum.present.html`: the Jinja2 environment (``templates/*.html.j2``, autoescaped);
- :mod:`~evsum.present.sections`, :mod:`~evsum.present.audit_sections`,
  :mod:`~evsum.present.sof`: the report blocks the notebooks display;
- :mod:`~evsum.present.few_studies`: the "few studies" panel of analyses of 1 to 4 studies;
- :mod:`~evsum.present.figures`: forest, funnel, risk of bias, evidence map;
- :mod:`~evsum.present.display`: notebook display of the statistics results.
"""
