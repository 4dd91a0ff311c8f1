"""ferrule.StringPool and FrozenStringPool: ids, every input kind, errors, Arrow, persistence."""

from __future__ import annotations

import array
import gc
import pickle
import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ferrule
import numpy as np
import pytest

CLASSES: list[type[ferrule.StringPool] | type[ferrule.FrozenStringPool]] = [
    ferrule.StringPool,
    ferrule.FrozenStringPool,
]
WORDS = ["GET", "POST", "", "GET", "héllo wörld", "🦀 crab", "POST", "x" * 70, ""]


def loop_ids(values: list[str]) -> list[int]:
    """The ids a plain dict assigns: first-seen order from 0 (the model every pool must match)."""
    seen: dict[str, int] = {}
    return [seen.setdefault(v, len(seen)) for v in values]


def random_words(n: int, distinct: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyzé/._-🦀"
    pool = ["".join(rng.choices(alphabet, k=rng.randint(0, 40))) for _ in range(distinct)]
    return [rng.choice(pool) for _ in range(n)]


# ------------------------------------------------------------------------------ the basics


def test_ids_are_dense_in_first_seen_order() -> None:
    pool = ferrule.StringPool()
    ids = [pool.intern(w) for w in WORDS]
    assert ids == loop_ids(WORDS)
    assert len(pool) == len(set(WORDS))
    assert list(pool) == list(dict.fromkeys(WORDS))
    for word, id in zip(WORDS, ids, strict=True):
        assert pool[id] == word
        assert pool.get(word) == id
        assert word in pool
    assert pool.get("nope") is None and "nope" not in pool
    assert 3 not in pool and None not in pool


def test_bytes_values() -> None:
    pool = ferrule.StringPool()
    text = pool.intern("héllo")
    assert pool.intern("héllo".encode()) == text, "str and its UTF-8 bytes are one value"
    assert pool.get(b"h\xc3\xa9llo") == text
    raw = pool.intern(b"\xff\xfe\x00bytes")
    assert raw == text + 1
    assert pool.resolve_bytes(raw) == b"\xff\xfe\x00bytes"
    assert pool.resolve_bytes(text) == "héllo".encode()
    with pytest.raises(ferrule.InvalidUtf8Error) as info:
        pool[raw]
    assert isinstance(info.value, UnicodeError) and info.value.code == "FERRULE_INVALID_UTF8"
    assert b"\xff\xfe\x00bytes" in pool


def test_long_and_odd_strings() -> None:
    pool = ferrule.StringPool()
    long = "ab" * 500_000
    values = [long, "\x00", "a\x00b", "\U0010ffff", long + "!", long]
    assert pool.intern_many(values).tolist() == [0, 1, 2, 3, 4, 0]
    assert pool[0] == long and pool[4] == long + "!" and pool[2] == "a\x00b"


def test_lone_surrogates_are_not_text() -> None:
    pool = ferrule.StringPool()
    with pytest.raises(ferrule.InvalidUtf8Error):
        pool.intern("a\ud800")
    with pytest.raises(ferrule.InvalidUtf8Error, match=r"values\[1\]"):
        pool.intern_many(["ok", "a\ud800"])
    assert pool.get("a\ud800") is None and "a\ud800" not in pool
    assert len(pool) == 0, "a failed batch interns nothing"


def test_repr_shows_size_and_first_values() -> None:
    pool = ferrule.StringPool()
    assert repr(pool) == "StringPool(len=0, values=[])"
    pool.intern_many(["a", "b'", "c"])
    pool.intern(b"\xff")
    assert repr(pool) == "StringPool(len=4, values=['a', \"b'\", 'c', b'\\xff'])"
    pool.intern_many([str(i) for i in range(10)])
    assert repr(pool).startswith("StringPool(len=14, values=['a', ")
    assert repr(pool).endswith(", ...])")
    assert repr(pool.freeze()).startswith("FrozenStringPool(len=14, ")


def test_iteration_is_a_snapshot_in_id_order() -> None:
    pool = ferrule.StringPool()
    pool.intern_many(["a", "b", "c"])
    seen = []
    for value in pool:
        seen.append(value)
        pool.intern(value + "!")  # grows the pool; the iteration keeps to the first 3
    assert seen == ["a", "b", "c"]
    assert list(pool) == ["a", "b", "c", "a!", "b!", "c!"]


def test_nbytes_grows() -> None:
    pool = ferrule.StringPool()
    empty = pool.nbytes
    assert empty > 0
    pool.intern_many([f"value-{i}" * 4 for i in range(10_000)])
    assert pool.nbytes > empty + 10_000 * 30
    assert pool.freeze().nbytes > 10_000 * 30


# ------------------------------------------------------------------------------ intern_many inputs


def test_intern_many_returns_uint32_ids_like_a_loop() -> None:
    values = random_words(50_000, 3_000)
    ids = ferrule.StringPool().intern_many(values)
    assert isinstance(ids, np.ndarray) and ids.dtype == np.uint32 and ids.shape == (50_000,)
    assert ids.tolist() == loop_ids(values)
    assert ferrule.StringPool().intern_many([]).shape == (0,)


def test_intern_many_then_intern_agree() -> None:
    pool = ferrule.StringPool()
    first = pool.intern_many(WORDS[:4])
    assert pool.intern_many(WORDS).tolist() == [pool.intern(w) for w in WORDS]
    assert first.tolist() == [pool.intern(w) for w in WORDS[:4]]


class StrSubclass(str):
    pass


@pytest.mark.parametrize(
    "convert",
    [
        list,
        tuple,
        iter,
        lambda words: (w for w in words),
        lambda words: np.array(words),
        lambda words: np.array(words, dtype=object),
        lambda words: np.repeat(np.array(words), 2)[::2],  # a strided view
        lambda words: np.repeat(np.array(words, dtype=object), 2)[::2],
        lambda words: np.array(words).astype(np.dtype("U").newbyteorder(">")),
        lambda words: [StrSubclass(w) for w in words],
    ],
    ids=["list", "tuple", "iterator", "generator", "numpy-U", "numpy-object", "numpy-U-strided",
         "numpy-object-strided",
         "numpy-U-big-endian", "str-subclass"],
)  # fmt: skip
def test_every_python_input_gives_the_same_ids(convert: Callable[[list[str]], Any]) -> None:
    values = random_words(2_000, 300) + WORDS
    assert ferrule.StringPool().intern_many(convert(values)).tolist() == loop_ids(values)


def test_numpy_string_dtype() -> None:
    string_dtype = getattr(np.dtypes, "StringDType", None)
    if string_dtype is None:
        pytest.skip("NumPy < 2 has no StringDType")
    values = np.array(WORDS, dtype=string_dtype())
    assert ferrule.StringPool().intern_many(values).tolist() == loop_ids(WORDS)


def test_numpy_unicode_keeps_inner_nuls_and_strips_padding() -> None:
    values = np.array(["a\x00b", "a", "abc"])  # dtype <U3: "a" is stored padded with NULs
    pool = ferrule.StringPool()
    assert pool.intern_many(values).tolist() == [0, 1, 2]
    assert list(pool) == ["a\x00b", "a", "abc"]
    assert pool.intern_many(np.array([], dtype="U0")).shape == (0,)
    assert pool.intern_many(np.array(["", ""], dtype="U0")).tolist() == [3, 3]


@pytest.mark.parametrize("type_name", ["string", "large_string", "string_view"])
def test_pyarrow_arrays_are_read_in_place(type_name: str) -> None:
    pa = pytest.importorskip("pyarrow")
    values = random_words(5_000, 500) + WORDS
    arrow = pa.array(values, type=getattr(pa, type_name)())
    assert ferrule.StringPool().intern_many(arrow).tolist() == loop_ids(values)
    # A slice has a non-zero offset into the same buffers.
    sliced = arrow.slice(1_000, 2_000)
    assert ferrule.StringPool().intern_many(sliced).tolist() == loop_ids(values[1_000:3_000])
    chunked = pa.chunked_array([arrow.slice(0, 10), arrow.slice(10)])
    assert ferrule.StringPool().intern_many(chunked).tolist() == loop_ids(values)
    assert ferrule.StringPool().intern_many(arrow.slice(0, 0)).shape == (0,)


def test_imported_arrow_data_is_released() -> None:
    pa = pytest.importorskip("pyarrow")
    before = pa.total_allocated_bytes()
    values = random_words(20_000, 2_000)
    arrays = [pa.array(values), pa.array(values, type=pa.string_view())]
    arrays.append(pa.chunked_array([arrays[0].slice(0, 5), arrays[0].slice(5)]))
    assert pa.total_allocated_bytes() > before
    pool = ferrule.StringPool()
    for arrow in arrays:
        for _ in range(3):
            pool.intern_many(arrow)
        with pytest.raises(TypeError):
            pool.intern_many(pa.array([None, 1]))
    del arrays, arrow
    gc.collect()
    # Each import released what it took: nothing keeps pyarrow's buffers alive.
    assert pa.total_allocated_bytes() == before


def test_pyarrow_nulls_are_bad_elements() -> None:
    pa = pytest.importorskip("pyarrow")
    pool = ferrule.StringPool()
    with pytest.raises(ferrule.ArgumentTypeError, match=r"values\[2\] is null"):
        pool.intern_many(pa.array(["a", "b", None, "c"]))
    with pytest.raises(ferrule.ArgumentTypeError, match=r"values\[4\] is null"):
        pool.intern_many(pa.chunked_array([["a", "b", "c"], ["d", None]]))
    with pytest.raises(TypeError, match=r"values\[1\] is null"):
        pool.intern_many(pa.array(["a", "b", None, "c"]).slice(1))  # offset applies to the bitmap too
    assert len(pool) == 0
    # A validity bitmap without nulls (a slice past the null) is fine.
    assert pool.intern_many(pa.array([None, "a", "b"]).slice(1)).tolist() == [0, 1]


def test_pyarrow_non_strings_are_refused() -> None:
    pa = pytest.importorskip("pyarrow")
    with pytest.raises(ferrule.ArgumentTypeError, match="format 'l'"):
        ferrule.StringPool().intern_many(pa.array([1, 2]))
    with pytest.raises(ferrule.ArgumentTypeError, match="format 'z'"):
        ferrule.StringPool().intern_many(pa.array([b"a"]))
    with pytest.raises(TypeError):
        ferrule.StringPool().intern_many(pa.array(["a", "b"]).dictionary_encode())


def test_polars_series() -> None:
    pl = pytest.importorskip("polars")
    values = random_words(3_000, 200)
    assert ferrule.StringPool().intern_many(pl.Series(values)).tolist() == loop_ids(values)


def test_pandas_series() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    values = random_words(3_000, 200)
    assert ferrule.StringPool().intern_many(pd.Series(values)).tolist() == loop_ids(values)
    assert ferrule.StringPool().intern_many(pd.Series(values, dtype=object)).tolist() == loop_ids(values)


# ------------------------------------------------------------------------------ bad input


def test_non_string_elements_name_their_index() -> None:
    pool = ferrule.StringPool()
    cases: list[tuple[Any, int, str]] = [
        (["a", "b", 3], 2, "int"),
        (["a", None], 1, "NoneType"),
        (("a", b"bytes"), 1, "bytes"),
        (np.array(["a", 1.5], dtype=object), 1, "float"),
        (np.array([1, 2]), 0, "int"),
    ]
    for values, index, kind in cases:
        with pytest.raises(ferrule.ArgumentTypeError) as info:
            pool.intern_many(values)
        err = info.value
        assert str(err) == f"values[{index}] is {kind}, not str"
        assert isinstance(err, TypeError) and isinstance(err, ferrule.InvalidArgumentError)
        assert isinstance(err, ferrule.FerruleError) and err.code == "FERRULE_INVALID_ARGUMENT"
    assert len(pool) == 0, "nothing is interned from a batch with a bad element"


def test_bad_arguments() -> None:
    pool = ferrule.StringPool()
    singles: list[Any] = ["abc", b"abc"]
    for bad in singles:
        with pytest.raises(ferrule.ArgumentTypeError, match="not a single"):
            pool.intern_many(bad)
    with pytest.raises(ferrule.ArgumentTypeError, match="not int"):
        pool.intern_many(42)  # type: ignore[arg-type]
    with pytest.raises(ferrule.InvalidArgumentError, match="one-dimensional"):
        pool.intern_many(np.array([["a"], ["b"]]))
    for value in [1, None, ["a"], bytearray(b"a")]:
        with pytest.raises(ferrule.ArgumentTypeError, match="str or bytes"):
            pool.intern(value)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            pool.get(value)  # type: ignore[arg-type]


def test_unknown_ids_are_index_errors() -> None:
    pool = ferrule.StringPool()
    pool.intern_many(["a", "b"])
    unknown: list[Any] = [2, -1, 2**32, 2**70, np.uint32(7), np.int64(-5)]
    for id in unknown:
        with pytest.raises(ferrule.OutOfRangeError) as info:
            pool[id]
        assert isinstance(info.value, IndexError) and info.value.code == "FERRULE_OUT_OF_RANGE"
        with pytest.raises(IndexError):
            pool.resolve_bytes(id)
    assert pool[np.uint32(1)] == "b" and pool[True] == "b"
    for bad in ["0", 1.0, None]:
        with pytest.raises(ferrule.ArgumentTypeError, match="ids are int"):
            pool[bad]  # type: ignore[index]


# ------------------------------------------------------------------------------ resolve_many


def test_resolve_many_every_kind_of_ids() -> None:
    values = random_words(10_000, 700)
    pool = ferrule.StringPool()
    ids = pool.intern_many(values)
    assert pool.resolve_many(ids) == values  # uint32, read in place
    assert pool.resolve_many(ids.astype(np.int64)) == values
    assert pool.resolve_many(ids.tolist()) == values
    assert pool.resolve_many(ids[::3]) == values[::3]  # strided
    assert pool.resolve_many(array.array("I", ids.tolist())) == values
    assert pool.resolve_many(ids.astype(np.int32)) == values  # through iteration
    assert pool.resolve_many([]) == []
    few = pool.resolve_many(ids[:5])  # below the size where equal ids share an object
    assert few == values[:5]


def test_resolve_many_errors() -> None:
    pool = ferrule.StringPool()
    pool.intern_many(["a", "b"])
    unknown: list[Any] = [
        [0, 2], np.array([0, 5], dtype=np.uint32), np.array([-1], dtype=np.int64), [2**40]
    ]
    for ids in unknown:
        with pytest.raises(ferrule.OutOfRangeError):
            pool.resolve_many(ids)
    with pytest.raises(ferrule.ArgumentTypeError, match=r"ids\[1\] is str"):
        pool.resolve_many([0, "1"])  # type: ignore[list-item]
    with pytest.raises(ferrule.ArgumentTypeError):
        pool.resolve_many(3)  # type: ignore[arg-type]
    pool.intern(b"\xff")
    with pytest.raises(ferrule.InvalidUtf8Error):
        pool.resolve_many([0, 2])


# ------------------------------------------------------------------------------ freeze, Arrow


def test_freeze_keeps_ids_and_the_read_api() -> None:
    pool = ferrule.StringPool()
    ids = pool.intern_many(WORDS)
    frozen = pool.freeze()
    pool.intern("later")
    assert len(frozen) == len(set(WORDS)) and "later" not in frozen and "later" in pool
    assert list(frozen) == list(dict.fromkeys(WORDS))
    assert frozen.resolve_many(ids) == WORDS
    for word, id in zip(WORDS, ids.tolist(), strict=True):
        assert frozen[id] == word and frozen.get(word) == id and word in frozen
        assert frozen.resolve_bytes(id) == word.encode()
    assert frozen.get("later") is None
    with pytest.raises(ferrule.OutOfRangeError):
        frozen[len(frozen)]
    assert not hasattr(frozen, "intern")


def test_to_arrow() -> None:
    pa = pytest.importorskip("pyarrow")
    pool = ferrule.StringPool()
    pool.intern_many(WORDS)
    sources: list[ferrule.StringPool | ferrule.FrozenStringPool] = [pool, pool.freeze()]
    for source in sources:
        dictionary = source.to_arrow()
        assert dictionary.type == pa.string()
        assert dictionary.to_pylist() == list(dict.fromkeys(WORDS))
    pool.intern(b"\xff")
    binary = pool.to_arrow()
    assert binary.type == pa.binary() and binary[len(binary) - 1].as_py() == b"\xff"
    assert ferrule.StringPool().to_arrow().to_pylist() == []


def test_frozen_to_arrow_is_zero_copy_and_keeps_the_buffers_alive() -> None:
    pa = pytest.importorskip("pyarrow")
    pool = ferrule.StringPool()
    values = random_words(20_000, 5_000)
    pool.intern_many(values)
    frozen = pool.freeze()
    allocated = pa.total_allocated_bytes()
    first, second = frozen.to_arrow(), pa.array(frozen)
    assert pa.total_allocated_bytes() == allocated, "pyarrow allocated nothing"
    assert first.buffers()[2].address == second.buffers()[2].address
    assert first.buffers()[1].address == second.buffers()[1].address
    expected = list(dict.fromkeys(values))
    del frozen, pool, second
    gc.collect()
    assert first.to_pylist() == expected, "the array holds the pool's buffers"
    # The dictionary and ids make a pyarrow DictionaryArray without copying the strings.
    pool = ferrule.StringPool()
    ids = pool.intern_many(values)
    encoded = pa.DictionaryArray.from_arrays(pa.array(ids), pool.freeze().to_arrow())
    assert encoded.to_pylist() == values


def test_arrow_capsules_are_released_when_unused() -> None:
    pa = pytest.importorskip("pyarrow")
    frozen = ferrule.StringPool().freeze()
    for _ in range(1_000):
        schema, array_capsule = frozen.__arrow_c_array__()
        del schema, array_capsule  # never consumed: the capsule destructors release them
    schema, array_capsule = frozen.__arrow_c_array__(requested_schema=None)
    imported = pa.Array._import_from_c_capsule(schema, array_capsule)
    assert imported.to_pylist() == []
    with pytest.raises(ferrule.ArgumentTypeError, match="already consumed"):
        ferrule.StringPool().intern_many(_Exporter(schema, array_capsule))


class _Exporter:
    """Hands out the same capsules again (a misbehaving producer)."""

    def __init__(self, schema: object, array: object) -> None:
        self.capsules = (schema, array)

    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]:
        return self.capsules


# ------------------------------------------------------------------------------ persistence


def test_bytes_round_trip_keeps_ids() -> None:
    pool = ferrule.StringPool()
    ids = pool.intern_many(random_words(5_000, 800))
    pool.intern(b"\xff\x00")
    data = pool.to_bytes()
    assert isinstance(data, bytes) and pool.freeze().to_bytes() == data
    buffers: list[Any] = [data, bytearray(data), memoryview(data), np.frombuffer(data, np.uint8)]
    for buffer in buffers:
        for cls in CLASSES:
            back = cls.from_bytes(buffer)
            assert len(back) == len(pool) and back.resolve_many(ids) == pool.resolve_many(ids)
            assert back.resolve_bytes(len(pool) - 1) == b"\xff\x00"


def test_every_truncation_and_bit_flip_is_corrupt_data() -> None:
    pool = ferrule.StringPool()
    pool.intern_many(["alpha", "beta", "", "gamma"])
    data = pool.to_bytes()
    for cut in range(len(data)):
        with pytest.raises(ferrule.CorruptDataError) as info:
            ferrule.StringPool.from_bytes(data[:cut])
        assert isinstance(info.value, ValueError) and info.value.code == "FERRULE_CORRUPT"
    for bit in range(len(data) * 8):
        flipped = bytearray(data)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(ferrule.CorruptDataError):
            ferrule.FrozenStringPool.from_bytes(bytes(flipped))
    with pytest.raises(ferrule.ArgumentTypeError, match="bytes-like"):
        ferrule.StringPool.from_bytes("text")  # type: ignore[arg-type]


def test_save_and_load(tmp_path: Path) -> None:
    pool = ferrule.StringPool()
    ids = pool.intern_many(WORDS)
    pool.save(tmp_path / "pool.bin")
    pool.save(str(tmp_path / "pool2.bin"))
    for cls in CLASSES:
        paths: list[str | Path] = [tmp_path / "pool.bin", str(tmp_path / "pool2.bin")]
        for path in paths:
            back = cls.load(path)
            assert back.resolve_many(ids) == WORDS
    loaded = ferrule.StringPool.load(tmp_path / "pool.bin")
    assert loaded.intern("new") == len(set(WORDS)), "a loaded pool goes on interning"
    pool.freeze().save(tmp_path / "frozen.bin")
    assert list(ferrule.StringPool.load(tmp_path / "frozen.bin")) == list(pool)
    with pytest.raises(ferrule.FerruleIOError) as info:
        ferrule.StringPool.load(tmp_path / "missing.bin")
    assert isinstance(info.value, OSError)
    (tmp_path / "junk.bin").write_bytes(b"not a pool")
    with pytest.raises(ferrule.CorruptDataError):
        ferrule.FrozenStringPool.load(tmp_path / "junk.bin")
    with pytest.raises(ferrule.ArgumentTypeError, match="os.PathLike"):
        pool.save(42)  # type: ignore[arg-type]


def test_pickle() -> None:
    pool = ferrule.StringPool()
    ids = pool.intern_many(WORDS)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(pool, protocol=protocol))
        assert type(back) is ferrule.StringPool and back.resolve_many(ids) == WORDS
        frozen = pickle.loads(pickle.dumps(pool.freeze(), protocol=protocol))
        assert type(frozen) is ferrule.FrozenStringPool and list(frozen) == list(pool)


# ------------------------------------------------------------------------------ threads


def test_eight_threads_see_the_same_ids() -> None:
    shared = random_words(40_000, 4_000, seed=1)
    pool = ferrule.StringPool()
    results: list[dict[str, int]] = [{} for _ in range(8)]
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(k: int) -> None:
        try:
            rng = random.Random(k)
            start.wait()
            for round in range(6):
                # Overlapping slices, shuffled differently in each thread.
                batch = shared[(k * 3_000 + round * 5_000) % 30_000 :][:12_000]
                rng.shuffle(batch)
                ids = pool.intern_many(batch)
                for value, id in zip(batch, ids.tolist(), strict=True):
                    assert results[k].setdefault(value, id) == id
                for value in rng.sample(shared, 300):  # interleaved single interns
                    id = pool.intern(value)
                    assert results[k].setdefault(value, id) == id
        except BaseException as err:  # noqa: BLE001 - reported by the main thread
            errors.append(err)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    merged: dict[str, int] = {}
    for seen in results:
        for value, id in seen.items():
            assert merged.setdefault(value, id) == id, "two threads got different ids"
    assert len(pool) == len(merged) == len(set(merged.values()))
    assert sorted(merged.values()) == list(range(len(pool))), "ids stay dense"
    for value, id in merged.items():
        assert pool[id] == value
    assert [pool.get(value) for value in merged] == list(merged.values())


def test_a_list_changed_by_another_thread_while_interning() -> None:
    # The GIL is released while interning: another thread may empty the list meanwhile. The
    # strings read must stay alive (a crash or garbage here is a memory-safety bug).
    values = [f"value {i % 5_000} " * 3 for i in range(200_000)]
    allowed = set(values)
    pool = ferrule.StringPool()
    stop = threading.Event()

    def mutate() -> None:
        while not stop.is_set():
            values[:] = [f"new {i} " * 3 for i in range(1_000)]
            values[:] = [f"value {i % 5_000} " * 3 for i in range(200_000)]

    thread = threading.Thread(target=mutate)
    thread.start()
    try:
        for _ in range(20):
            ids = pool.intern_many(values)
            assert len(ids) in (1_000, 200_000)
    finally:
        stop.set()
        thread.join()
    assert all(value in allowed or value.startswith("new ") for value in pool)
