"""Results → words, figures and HTML; this layer never computes a statistic.

- :mod:`~evsum.present.text`: the one place that turns numbers into words;
- :mod:`~evsum.present.html`: the Jinja2 environment (``templates/*.html.j2``, autoescaped);
- the report blocks the notebooks display (public as :mod:`evsum.blocks`, one module per
  report), one module per section: :mod:`~evsum.present.titles`,
  :mod:`~evsum.present.studies` (PICO, studies, data rows, references),
  :mod:`~evsum.present.forest_section`, :mod:`~evsum.present.heterogeneity`,
  :mod:`~evsum.present.risk_of_bias`, :mod:`~evsum.present.sof_section`,
  :mod:`~evsum.present.limitations`, :mod:`~evsum.present.overview`,
  :mod:`~evsum.present.data_version`, :mod:`~evsum.present.audit_sections`,
  :mod:`~evsum.present.sof`, :mod:`~evsum.present.methods`, :mod:`~evsum.present.curation`;
  what several of them share: :mod:`~evsum.present.wording` (which protocol words a block),
  :mod:`~evsum.present.anchors` (data-row link targets), :mod:`~evsum.present.effect_words`
  (an analysis's effect as every block shows it);
- :mod:`~evsum.present.few_studies`: the "few studies" panel of analyses of 1 to 4 studies;
- :mod:`~evsum.present.figures`: forest, funnel, risk of bias, evidence map;
- :mod:`~evsum.present.display`: notebook display of the statistics results;
- :mod:`~evsum.present.analyses`: the review's analyses as objects that display as their
  report section and draw their forest plot (``evsum.analyse_condition``);
- :mod:`~evsum.present.explore`: one analysis at a time, chosen with controls
  (``evsum.explore``, ``notebooks/explore.ipynb``).

Every block displayed in a notebook carries its own styles (``templates/block.css``).
"""
