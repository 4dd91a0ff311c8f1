"""Edges of the binding's `unsafe` blocks that the other test files do not reach.

`input.rs` reads a NumPy `U` array's UCS4 units in place with `align_to::<u32>()`, and copies
them first when the buffer is not 4-byte aligned (a view made by `numpy.frombuffer` at an odd
offset: `numpy.ascontiguousarray` returns such an array as it is). That copy path, with the last
unit of the last item at the buffer's last byte, is what these tests exercise.
"""

from __future__ import annotations

import ferrule
import numpy as np


def _unaligned_unicode(values: list[str], width: int) -> np.ndarray:
    """`values` as a `U{width}` array whose data starts one byte into a `bytes` object."""
    raw = b"\x00" + np.array(values, dtype=f"U{width}").tobytes()
    view = np.frombuffer(raw, dtype=f"U{width}", offset=1)
    assert not view.flags.aligned, "the view must be misaligned to reach the copy path"
    return view


def test_misaligned_unicode_arrays_are_copied_and_read_whole() -> None:
    values = ["ab", "", "héllo", "🦀", "a\x00b", "last!"]  # the last item fills its 5 units
    view = _unaligned_unicode(values, 5)
    pool = ferrule.StringPool()
    assert pool.intern_many(view).tolist() == [0, 1, 2, 3, 4, 5]
    assert list(pool) == values
    # The same ids as from an aligned copy of the same data.
    assert pool.intern_many(np.ascontiguousarray(view).copy()).tolist() == [0, 1, 2, 3, 4, 5]


def test_misaligned_unicode_arrays_of_one_item_and_none() -> None:
    assert ferrule.StringPool().intern_many(_unaligned_unicode(["z"], 1)).tolist() == [0]
    empty = np.frombuffer(b"\x00", dtype="U3", offset=1, count=0)
    assert ferrule.StringPool().intern_many(empty).tolist() == []
