"""The forest plot's layout step is pure arithmetic: checked by hand without matplotlib.

Texts are measured as 0.1 inch per character, so every width below is counted by hand;
the constants are those of :mod:`evsum.present.figures.forest_layout` (gap 0.18 in, margin
0.12 in, 0.95 in below the rows, 0.24 in per row slot, a panel at least 3 in wide).
"""

import math

import pytest

from evsum.present.figures.forest_layout import layout, limits, log_ticks, row_ys
from evsum.present.figures.forest_measure import ForestLine


def _width(text, bold):
    return 0.1 * max((len(part) for part in text.split("\n")), default=0)


LINES = [
    ForestLine("header", {"study": "Study", "effect": "RR"}, bold=True, slots=2),
    ForestLine("study", {"study": "Ann 2001", "effect": "1.2"}, x=0.2, lo=-0.1, hi=0.5),
    ForestLine("note", span="x" * 50),
]


def _box(**options):
    settings = dict(
        log=False,
        null=0.0,
        title=None,
        subtitle=None,
        favours=("Favours A", "Favours B"),
        higher_is_better=True,
    )
    settings.update(options)
    return layout(LINES, ["study"], ["effect"], _width, **settings)


def test_column_widths_panel_and_figure_size():
    box = _box()
    assert box.widths == pytest.approx({"study": 0.8, "effect": 0.3})
    assert box.left_width == pytest.approx(0.98)  # 0.8 + gap
    assert box.right_width == pytest.approx(0.48)  # 0.3 + gap
    # the 5-inch note spans the panel: 5.0 - 0.98 - 0.48 + 0.2
    assert box.plot_width == pytest.approx(3.74)
    assert box.slots == 4
    # 2 margins + columns + panel; 4 slots + bottom + 0.15 above (no title)
    assert box.fig_size == pytest.approx((5.44, 2.06))
    assert box.axes_rect == pytest.approx((1.1 / 5.44, 0.95 / 2.06, 3.74 / 5.44, 0.96 / 2.06))


def test_anchors_hang_columns_from_the_panel_edges():
    box = _box()
    assert box.anchors["study"] == pytest.approx((0.0, -0.98, "left"))
    assert box.anchors["effect"][0] == 1.0
    assert box.anchors["effect"][1] == pytest.approx(0.48)
    assert box.anchors["effect"][2] == "right"


def test_rows_stack_downwards_a_two_slot_row_centred():
    assert row_ys(LINES) == (-0.5, -2.0, -3.0)


def test_favours_sides_follow_the_direction_and_wrap():
    assert _box().favours_lines == ("Favours B", "Favours A")
    assert _box(higher_is_better=False).favours_lines == ("Favours A", "Favours B")
    long = "Favours " + "a very long comparator arm name"  # 39 characters: two lines
    box = _box(favours=("Favours A", long))
    assert box.favours_lines[0].count("\n") == 1
    assert box.extra == pytest.approx(0.17)


def test_title_and_subtitle_add_height():
    assert _box(title="T").fig_size[1] == pytest.approx(2.06 + 0.30)
    assert _box(title="T", subtitle="one\ntwo").fig_size[1] == pytest.approx(2.36 + 2 * 0.17)


def test_limits_symmetric_about_the_null_with_a_margin():
    # the widest study limit is 0.5 from the null; 8% more on each side
    assert limits(LINES, 0.0, False) == pytest.approx((-0.54, 0.54))
    # on the log scale at least 1/1.5 to 1.5
    narrow = [ForestLine("study", x=0.01, lo=0.0, hi=0.02)]
    assert limits(narrow, 0.0, True) == pytest.approx(
        (-math.log(1.5) * 1.08, math.log(1.5) * 1.08)
    )


def test_log_ticks():
    assert log_ticks(0.3, 3.5) == [0.5, 1.0, 2.0]
    assert log_ticks(0.01, 100.0) == [0.01, 0.1, 1.0, 10.0, 100.0]


def test_layout_row_height_is_the_figures():
    from evsum.present.figures import forest_layout, style

    assert forest_layout.ROW_HEIGHT == style.ROW_HEIGHT
