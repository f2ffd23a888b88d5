"""The inspector's plot data: finite values to scale, ranges from finite values only, NaN and
infinities kept apart by kind and named by index."""

import numpy as np
import pytest

from explorer.model.value_plot import (
    bars,
    edge,
    finite_levels,
    index_ticks,
    nonfinite_masks,
    nonfinite_note,
    y_range,
)

INF, NAN = np.inf, np.nan


def test_bars_keep_finite_values_and_sort_the_others_by_kind():
    series = bars(np.array([-INF, 0.0, 1.3863, INF, NAN], dtype=np.float32))
    np.testing.assert_array_equal(series.x, [1.0, 2.0])
    np.testing.assert_allclose(series.heights, [0.0, 1.3863], rtol=1e-6)
    assert {k: v.tolist() for k, v in series.nonfinite.items()} == {
        "+inf": [3.0],
        "-inf": [0.0],
        "NaN": [4.0],
    }


def test_bars_are_offset_and_flattened():
    series = bars(np.array([[1.0, NAN], [3.0, 4.0]]), offset=-0.2)
    np.testing.assert_allclose(series.x, [-0.2, 1.8, 2.8])
    np.testing.assert_allclose(series.nonfinite["NaN"], [0.8])


def test_the_range_comes_from_finite_values_with_room_for_a_clipped_infinity():
    lo, hi = y_range([bars(np.array([-INF, 0.0, 1.3863]))])
    assert np.isfinite([lo, hi]).all()
    assert 1.3863 < hi < 2.0  # the finite maximum sets the top, not -inf
    assert -1.0 < lo < -0.3 * 1.3863  # below 0: room for the -inf bar, not -3.4e38
    assert edge("-inf", (lo, hi)) == lo and edge("+inf", (lo, hi)) == hi
    assert edge("NaN", (lo, hi)) == 0.0


def test_the_range_covers_every_series_and_the_baseline():
    lo, hi = y_range([bars(np.array([2.0, 3.0])), bars(np.array([-1.0, NAN]))])
    assert lo < -1.0 and hi > 3.0
    assert y_range([bars(np.array([5.0, 6.0]))])[0] < 0.0


@pytest.mark.parametrize("values", [[NAN, NAN], [0.0, 0.0], [INF, -INF], []])
def test_a_range_without_a_finite_span_is_unit(values):
    assert y_range([bars(np.array(values, dtype=float))]) == (-1.0, 1.0)


def test_integer_and_bool_arrays_have_no_nonfinite_kinds():
    assert nonfinite_masks(np.arange(3)) == {}
    assert bars(np.array([True, False])).nonfinite == {}


def test_image_levels_ignore_nonfinite_values():
    assert finite_levels(np.array([[INF, 1.0], [2.0, NAN]])) == (1.0, 2.0)
    assert finite_levels(np.array([[3.0, -INF]])) == (2.5, 3.5)
    assert finite_levels(np.full((2, 2), NAN)) == (0.0, 1.0)


def test_the_note_names_each_kind_and_where_it_is():
    assert nonfinite_note("value", np.array([-INF, 0.0, 1.0])) == "value: -inf at [0]"
    grid = np.array([[NAN, INF], [NAN, NAN], [NAN, NAN]])
    expected = "grad: +inf at [0, 1]; NaN at [0, 0], [1, 0], [1, 1] and 2 more"
    assert nonfinite_note("grad", grid) == expected
    assert nonfinite_note("value", np.array(NAN)) == "value: NaN"
    assert nonfinite_note("value", np.array([1.0, 2.0])) == ""
    assert nonfinite_note("grad", None) == ""


def test_index_ticks_keep_only_whole_spacings():
    assert index_ticks([(1.0, 0.0), (0.5, 0.0)]) == [(1.0, 0.0)]
    assert index_ticks([(0.5, 0.0), (0.1, 0.0)]) == [(1.0, 0.0)]  # two elements: one per index
    assert index_ticks([(200.0, 0.0), (50.0, 0.0), (10.0, 0.0)]) == [
        (200.0, 0.0),
        (50.0, 0.0),
        (10.0, 0.0),
    ]
    assert index_ticks([(2.5, 0.0), (0.5, 0.0)]) == [(1.0, 0.0)]
    assert index_ticks([]) == []
