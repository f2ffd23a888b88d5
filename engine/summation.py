"""torch's CPU floating-point sum, bit for bit (aten/src/ATen/native/cpu/SumKernel.cpp).

torch adds in its own order, not numpy's pairwise one, so the last bits of `x.sum()`,
`x.mean()` and of every gradient summed back to an input's shape depend on it. The model:

- TensorIterator orders the dims (reduced ones first, then by stride) and merges the ones
  memory lets it merge; the first two form a 2-D loop, the others are walked in order, and each
  loop adds its results into an output filled with 0.
- In that loop, one row is added up by `row_sum` (four interleaved accumulators, each a
  four-level `cascade` over blocks of 16) or, when the row is contiguous and at least a vector
  long, by `row_sum` over vectors of 8 (float32) or 4 (float64) lanes, then the leftover
  elements and the lanes one by one. When the reduced dim is not the innermost, torch sums
  four columns (or four vectors of columns) at once with a plain cascade, the rest by `row_sum`.
- Past `GRAIN` elements torch splits the work between its threads: a full sum adds one partial
  sum per thread at the end; a sum over a dim may give threads different column ranges, which
  changes which columns are summed four at a time. `THREADS` is torch.get_num_threads() of the
  reference machine (2); with 1 thread `torch.arange(100000.).sum()` would be 4999949824.0
  rather than 4999950336.0.

Levels, lanes and columns are reshapes; rows of a stack are added strictly in order.
"""

from __future__ import annotations

import math

import numpy as np

GRAIN = 32768  # at::internal::GRAIN_SIZE
THREADS = 2
_ILP = 4  # row_sum's interleaved accumulators; also the columns scalar_outer_sum sums at once
_LEVELS = 4
_LANES = {2: 8, 4: 8, 8: 4}  # Vectorized<acc_t>::size() on AVX2, by input item size
_CAST = {np.dtype(np.float16): np.dtype(np.float32)}  # float16 is added in float32


def torch_sum(x: np.ndarray, dims: tuple | None = None, keepdim: bool = False) -> np.ndarray:
    """`x` summed over `dims` (all when None) in torch's order; other dtypes through numpy."""
    if x.dtype.kind != "f":
        return np.asarray(x.sum(axis=dims, keepdims=keepdim))
    whole = dims is None and not keepdim and x.flags.c_contiguous
    if whole and x.itemsize > 2 and 0 < x.size < GRAIN:
        return _flat_sum(x.reshape(-1)).reshape(())
    reduced = range(x.ndim) if dims is None or not x.ndim else [d % x.ndim for d in dims]
    kept_shape = tuple(1 if i in reduced else n for i, n in enumerate(x.shape))
    out = _reduce(x, frozenset(reduced), kept_shape).reshape(kept_shape)
    if keepdim:
        return out
    return out.reshape(tuple(n for i, n in enumerate(x.shape) if i not in reduced))


def torch_mean(x: np.ndarray, dims: tuple | None = None, keepdim: bool = False) -> np.ndarray:
    """torch's mean on CPU: the sum divided by the count, in `x`'s dtype (float16 summed and
    divided in float32, rounded once)."""
    if x.dtype in _CAST:
        return torch_mean(_dense_copy(x, _CAST[x.dtype]), dims, keepdim).astype(x.dtype)
    total = torch_sum(x, dims, keepdim)
    count = x.size if dims is None else int(np.prod([x.shape[d] for d in dims]))
    return np.asarray(np.divide(total, count, dtype=x.dtype))


def thread_ranges(n: int) -> list[tuple[int, int]]:
    """How at::parallel_for (and parallel_reduce) split n elements between torch's threads:
    one range below the grain, else equal ranges (the last shorter) for at most THREADS."""
    if n < GRAIN or THREADS < 2:
        return [(0, n)]
    chunk = -(-n // min(THREADS, -(-n // GRAIN)))
    return [(begin, min(begin + chunk, n)) for begin in range(0, n, chunk)]


def _reduce(x: np.ndarray, reduced: frozenset, kept_shape: tuple) -> np.ndarray:
    """The sum as an array of the output's elements in C order."""
    if not x.size:
        return np.zeros(kept_shape, x.dtype)
    if x.flags.c_contiguous and x.dtype.itemsize > 2 and x.size < GRAIN:
        sums = _contiguous(x, reduced)
        if sums is not None:
            return sums
    if any(s < 0 for s in x.strides):
        x = np.ascontiguousarray(x)
    dims = _iteration_dims(x, reduced, kept_shape)
    acc = _CAST.get(x.dtype, x.dtype)
    n_reduced = sum(1 for d in dims if d[2])
    if x.dtype in _CAST and n_reduced >= 2:
        return _reduce(_dense_copy(x, _CAST[x.dtype]), reduced, kept_shape).astype(x.dtype)
    if n_reduced == 0:
        return np.add(x.astype(acc), 0).astype(x.dtype)
    sizes = tuple(d[0] for d in reversed(dims))
    strides = tuple(d[1] for d in reversed(dims))
    view = np.lib.stride_tricks.as_strided(x, sizes, strides, writeable=False).astype(acc)
    loop = _Loop(dims, x.dtype)
    if x.size < GRAIN or THREADS < 2:
        return loop.serial(view, n_reduced, split=False)
    if n_reduced < len(dims):
        return loop.serial(view, n_reduced, split=len(dims) == 2)
    return loop.two_pass(view)


def _contiguous(x: np.ndarray, reduced: frozenset) -> np.ndarray | None:
    """The common cases without the general machinery: a C-contiguous float32/float64 input
    below the grain whose reduced dims (size 1 aside) lead or trail; None otherwise."""
    flags = [i in reduced for i, n in enumerate(x.shape) if n != 1]
    count = sum(flags)
    if not count:
        return None
    if count == len(flags):
        return _flat_sum(x.reshape(-1))
    lanes, zero = _LANES[x.itemsize], x.dtype.type(0)
    kept = math.prod(n for i, n in enumerate(x.shape) if i not in reduced)
    if all(flags[:count]):  # leading: a contiguous outer reduction
        group = _ILP * lanes if kept >= lanes else _ILP
        return _mixed_columns(x.reshape(-1, 1, kept), group)[0] + zero
    if all(flags[-count:]):  # trailing: a contiguous inner reduction
        cols = np.ascontiguousarray(x.reshape(kept, -1).T)
        if len(cols) >= lanes:
            return _vector_row_sum(cols, lanes, 1) + zero
        return _row_sum(cols) + zero
    return None


def _flat_sum(values: np.ndarray) -> np.ndarray:
    """One contiguous row below the grain; below a vector's length, scalar by scalar."""
    lanes, zero = _LANES[values.itemsize], values.dtype.type(0)
    n = len(values)
    if n >= lanes:
        return _vector_row_sum(values.reshape(n, 1), lanes, 1) + zero
    first, *rest = values
    if n >= _ILP:
        for value in rest[_ILP - 1 :]:
            first = first + value
        rest = rest[: _ILP - 1]
    for value in rest:
        first = first + value
    return np.asarray(first + zero)


def _dense_copy(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """`x.to(dtype)`: the same strides when `x` covers its memory densely, else C order.
    (torch's sum_out takes this float32 detour for float16 when two reduced dims lead, so
    that the partial sums are not rounded to float16 between rows: pytorch issue 83149.)"""
    order = sorted((s, n) for s, n in zip(x.strides, x.shape, strict=True) if n != 1)
    expected = x.itemsize
    for stride, n in order:
        if stride != expected:
            return np.ascontiguousarray(x, dtype)
        expected *= n
    return x.astype(dtype, order="K")


def _iteration_dims(x: np.ndarray, reduced: frozenset, kept_shape: tuple) -> list[tuple]:
    """TensorIterator's dims, fastest first: (size, input byte stride, reduced), size-1 dims
    dropped, ordered by reorder_dimensions and merged by coalesce_dimensions."""
    out_strides = np.cumprod((1,) + kept_shape[:0:-1])[::-1]
    dims = [
        (n, x.strides[i], i in reduced, 0 if i in reduced else int(out_strides[i]))
        for i, n in enumerate(x.shape)
        if n != 1
    ][::-1]
    _reorder(dims)
    return _coalesce(dims)


def _should_swap(a: tuple, b: tuple) -> int:
    """TensorIterator's comparison of two dims: output strides first (reduced dims go first),
    then the input's; equal strides put the smaller dim first; 0 when undecided."""
    if (a[3] == 0) != (b[3] == 0):
        return 1 if b[3] == 0 else -1
    for s0, s1 in ((a[3], b[3]), (a[1], b[1])):
        if s0 == 0 or s1 == 0:
            continue
        if s0 != s1:
            return 1 if s0 > s1 else -1
        if a[0] > b[0]:
            return 1
    return 0


def _reorder(dims: list) -> None:
    """reorder_dimensions' insertion sort, which goes on past undecided comparisons."""
    for i in range(1, len(dims)):
        moving = i
        for j in range(i - 1, -1, -1):
            order = _should_swap(dims[j], dims[moving])
            if order > 0:
                dims[j], dims[moving] = dims[moving], dims[j]
                moving = j
            elif order < 0:
                break


def _coalesce(dims: list) -> list[tuple]:
    """Merge neighbours whose strides continue each other (input and output alike)."""
    merged = [dims[0][:3] + (dims[0][3],)] if dims else []
    for n, s, red, o in dims[1:]:
        m, ms, mred, mo = merged[-1]
        if m * ms == s and m * mo == o:
            merged[-1] = (m * n, ms, mred, mo)
        else:
            merged.append((n, s, red, o))
    return [d[:3] for d in merged]


def _seq(rows: np.ndarray) -> np.ndarray:
    """The rows of a (k, m) stack added strictly in order (zeros when k is 0; accumulate is
    sequential by definition, where numpy's reduce may add pairwise)."""
    if len(rows) > 3:
        return np.add.accumulate(rows, axis=0)[-1]
    total = np.zeros(rows.shape[1:], rows.dtype)
    for row in rows:
        total = total + row
    return total


def _group_sums(rows: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Sums of complete groups of `step` rows, and of the rows left over."""
    full = len(rows) // step * step
    groups = rows[:full].reshape(-1, step, rows.shape[1])
    return np.add.accumulate(groups, axis=1)[:, -1], _seq(rows[full:])


def _cascade(cols: np.ndarray) -> np.ndarray:
    """multi_row_sum of each column of (n, m): blocks of 2**p rows added in order, then block
    sums in groups of 2**p and those again (four levels), the leftovers of each level last."""
    n = len(cols)
    power = max(4, (int(n - 1).bit_length() if n > 2 else 1) // _LEVELS)
    step = 1 << power
    blocks = n // step * step
    acc0 = _seq(cols[blocks:])
    if not blocks:
        return acc0
    block_sums = _group_sums(cols[:blocks], step)[0]
    groups, acc1 = _group_sums(block_sums, step)
    groups, acc2 = _group_sums(groups, step)
    return ((acc0 + acc1) + acc2) + _seq(groups)


def _row_sum(cols: np.ndarray) -> np.ndarray:
    """row_sum of each column of (n, m): four interleaved cascades, the leftovers, then the
    four accumulators added in order."""
    n, m = cols.shape
    quads = n // _ILP
    if not quads:
        return _seq(cols)
    parts = _cascade(cols[: quads * _ILP].reshape(quads, _ILP * m)).reshape(_ILP, m)
    first = parts[0]
    for row in cols[quads * _ILP :]:
        first = first + row
    return ((first + parts[1]) + parts[2]) + parts[3]


def _vector_row_sum(cols: np.ndarray, lanes: int, per_lane: int) -> np.ndarray:
    """vectorized_inner_sum of each column: row_sum over vectors (a float16 load of 16 adds
    its two halves into 8 float32 lanes), then from 0 the elements left over and the lanes."""
    n, m = cols.shape
    vectors = n // (lanes * per_lane)
    body = cols[: vectors * lanes * per_lane].reshape(vectors, per_lane, lanes * m)
    loaded = body[:, 0] if per_lane == 1 else body[:, 0] + body[:, 1]
    by_lane = _row_sum(loaded).reshape(lanes, m)
    return _seq(np.concatenate((cols[vectors * lanes * per_lane :], by_lane)))


def _mixed_columns(cols: np.ndarray, group: int) -> np.ndarray:
    """Sums of the columns of (size0, batch, size1): the first ones `group` at a time by
    multi_row_sum (a plain cascade), the rest by row_sum."""
    size0, batch, size1 = cols.shape
    first = size1 // group * group if group else 0
    out = np.empty((batch, size1), cols.dtype)
    if first:
        out[:, :first] = _cascade(cols[:, :, :first].reshape(size0, -1)).reshape(batch, first)
    if first < size1:
        rest = cols[:, :, first:].reshape(size0, -1)
        out[:, first:] = _row_sum(rest).reshape(batch, size1 - first)
    return out


class _Loop:
    """The 2-D loops of one reduction: dims (size, byte stride, reduced), fastest first."""

    def __init__(self, dims: list[tuple], dtype: np.dtype) -> None:
        self.dims, self.dtype, self.item = dims, dtype, dtype.itemsize
        self.size0, self.stride0 = dims[0][:2]
        self.size1, self.stride1 = dims[1][:2] if len(dims) > 1 else (1, 0)

    def kernel(self, block: np.ndarray, stride1: int) -> np.ndarray:
        """The sums of the rows of `block` (batch, size1, size0) by the kernel torch picks."""
        batch, size1, size0 = block.shape
        cols = np.ascontiguousarray(block.reshape(-1, size0).T)
        lanes, item = _LANES[self.item], self.item
        per_lane = 2 if item == 2 else 1
        if self.stride0 == item and size0 >= lanes * per_lane:
            return _vector_row_sum(cols, lanes, per_lane).reshape(batch, size1)
        if stride1 == item and size1 >= lanes:
            group = _ILP * lanes
        elif self.stride0 < stride1:
            group = 0
        else:
            group = _ILP
        return _mixed_columns(cols.reshape(size0, batch, size1), group)

    def serial(self, view: np.ndarray, n_reduced: int, split: bool) -> np.ndarray:
        """One pass over everything; `split`: torch's threads take column ranges of dim 1."""
        block = view.reshape(-1, self.size1, self.size0)
        if split:
            sums = np.concatenate(
                [self.kernel(block[:, b:e], self.stride1) for b, e in self._column_ranges()],
                axis=1,
            )
        else:
            sums = self.kernel(block, self.stride1)
        if n_reduced == 1:
            return self.stored(np.zeros(1, sums.dtype), sums)
        kept = int(np.prod([d[0] for d in self.dims[n_reduced:]]))
        return self.accumulated(sums.reshape(kept, -1).T)

    def _column_ranges(self) -> list[tuple[int, int]]:
        """parallel_dim_reduction's column range per thread, rounded to 128 bytes when the
        columns are adjacent in memory."""
        size1 = self.size1
        chunk = -(-size1 // min(THREADS, size1))
        multiple = 128 // self.item if self.stride1 == self.item else 1
        ranges = []
        for begin in range(0, size1, chunk):
            end = min(begin + chunk, size1)
            begin -= begin % multiple
            end = end if end == size1 else end - end % multiple
            if begin < end:
                ranges.append((begin, end))
        return ranges

    def stored(self, out: np.ndarray, sums: np.ndarray) -> np.ndarray:
        """CastStoreAccumulate: `out += sums` in the output's dtype."""
        return (out + sums).astype(self.dtype, copy=False)

    def accumulated(self, rows: np.ndarray) -> np.ndarray:
        """Rows of loop results added one by one into an output that starts at 0."""
        if self.dtype in _CAST:
            out = np.zeros(rows.shape[1:], self.dtype)
            for row in rows:
                out = self.stored(out.astype(rows.dtype), row)
            return out
        return self.stored(np.zeros(1, rows.dtype), _seq(rows))

    def two_pass(self, view: np.ndarray) -> np.ndarray:
        """A full sum past GRAIN: one partial sum per thread over its range of the elements
        (in iteration order), then those partials summed by the same kernel."""
        rows = view.reshape(-1, self.size0)
        partials = np.zeros(THREADS, self.dtype)
        for thread, (begin, end) in enumerate(thread_ranges(view.size)):
            partials[thread] = self._range_sum(rows, begin, end)[0]
        final = _Loop([(THREADS, self.item, True)], self.dtype)
        buffer = partials.astype(_CAST.get(self.dtype, self.dtype)).reshape(1, 1, THREADS)
        return final.stored(np.zeros(1, buffer.dtype), final.kernel(buffer, 0)[0])

    def _range_sum(self, rows: np.ndarray, begin: int, end: int) -> np.ndarray:
        """serial_for_each over elements begin..end: a partial row, whole rows, a partial row,
        each 2-D loop's results added in order into one output."""
        size0, out = self.size0, np.zeros(1, self.dtype)
        stride1 = self.stride1
        while begin < end:
            row, first = divmod(begin, size0)
            step0 = min(size0 - first, end - begin)
            step1 = 1
            if step0 == size0 and len(self.dims) > 1:
                step1 = min(self.size1 - row % self.size1, (end - begin) // size0)
            sums = self.kernel(rows[None, row : row + step1, first : first + step0], stride1)
            for value in sums[0]:
                out = self.stored(out.astype(sums.dtype), value)
            begin += step0 * step1
        return out
