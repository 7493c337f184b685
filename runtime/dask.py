"""Tengo closures over Dask collections (the optional ``[dask]`` extra).

    compiled = Script(src).compile(); compiled.run()
    score = compiled.get("score")                     # a Closure
    tengojit.dask.map_bag(records_bag, score)          # dask.bag.Bag of results
    tengojit.dask.map_column(df["amount"], score)      # dask Series, natively per block
    tengojit.dask.apply_rows(df, score, meta=("score", "f8"))
    tengojit.dask.map_blocks(amounts_array, score, dtype="f8")

Contracts:

- The closure travels as data (``payload``: source, options, the values of the globals); each
  worker process compiles the program once and reuses it for every task (``payload.cache_info``
  on a worker shows it). Plain ``bag.map(closure)`` works too; these helpers run a whole
  partition in one context, so the per-record cost is a host call, not a task.
- Shared nothing: by default every task starts from the globals as they were when the closure
  was handed to the helper (``isolated=True``); what a task writes to globals is never seen by
  another task, another worker or the client. With ``isolated=False`` the tasks of one worker
  process share one context, so globals persist across the tasks that happen to land there —
  use it only for caches whose contents do not change results.
- Errors: a Tengo error inside a task reaches the client as the same ``TengoError`` subclass
  with its message and script position.
- Workers import nothing heavy for these tasks (this module needs numpy alone; pandas and dask
  are already loaded wherever a partition of theirs arrives).
- Numbers: ``map_column`` and ``map_blocks`` pass int64/float64 blocks to the closure through
  ``ExecutionContext.map``, which runs natively (no boxing) once the JIT has compiled the
  closure for that element type; anything else goes record by record.
"""
from __future__ import annotations

import hashlib
import sys
import threading
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:             # annotations only: the helpers call methods of what they are given
    import dask.array
    import dask.bag
    import dask.dataframe
    import pandas as pd

from .context import Closure
from .errors import PayloadError
from .script import dumps, loads

__all__ = ["map_bag", "map_column", "apply_rows", "map_blocks"]

_shared: dict = {}
_shared_lock = threading.Lock()


def _payload_of(fn: Any) -> bytes:
    if type(fn) is not Closure:
        raise PayloadError(f"tengojit.dask needs a Closure (compiled.get(name)), not {type(fn).__name__}")
    return dumps(fn)


class _Task:
    """The per-partition function Dask ships to workers: a closure payload and how to run it.

    It pickles as its payload bytes (data only); ``closure()`` rebuilds the closure on the
    worker — a fresh copy of the globals per task, or one per process when not isolated."""

    def __init__(self, blob: bytes, isolated: bool) -> None:
        self.blob = blob
        self.isolated = isolated

    def closure(self) -> Closure:
        if self.isolated:
            return loads(self.blob)
        key = hashlib.sha256(self.blob).digest()
        with _shared_lock:
            fn = _shared.get(key)
            if fn is None:
                fn = _shared[key] = loads(self.blob)
            return fn

    def records(self, records) -> list:
        fn = self.closure()
        return fn.ctx.map(fn, list(records))

    def values(self, values: np.ndarray):
        """Results of a 1-D block: a numpy array when the values are int64/float64."""
        fn = self.closure()
        if values.dtype in (np.int64, np.float64):
            return fn.ctx.map(fn, values)
        return np.asarray(fn.ctx.map(fn, values.tolist()), dtype=object)

    def series(self, s: pd.Series) -> pd.Series:
        pd = sys.modules["pandas"]           # loaded: ``s`` is one of its Series
        return pd.Series(self.values(s.to_numpy()), index=s.index, name=s.name)

    def rows(self, df: pd.DataFrame, columns) -> pd.Series | pd.DataFrame:
        pd = sys.modules["pandas"]           # loaded: ``df`` is one of its DataFrames
        out = self.records(df.to_dict("records"))
        if columns is None:
            return pd.Series(out, index=df.index)
        return pd.DataFrame(out, index=df.index, columns=columns)

    def block(self, block: np.ndarray, dtype) -> np.ndarray:
        out = self.values(np.ascontiguousarray(block).reshape(-1))
        return np.asarray(out).astype(dtype, copy=False).reshape(block.shape)


def map_bag(bag: dask.bag.Bag, fn: Closure, *, isolated: bool = True) -> dask.bag.Bag:
    """A bag of ``fn(record)`` for every record (dicts arrive as Tengo maps)."""
    return bag.map_partitions(_Task(_payload_of(fn), isolated).records)


def map_column(series: dask.dataframe.Series, fn: Closure, *, meta: Any = None,
               isolated: bool = True) -> dask.dataframe.Series:
    """A Series of ``fn(value)``; ``meta`` as Dask's (default: the input's name and dtype)."""
    meta = (series.name, series.dtype) if meta is None else meta
    return series.map_partitions(_Task(_payload_of(fn), isolated).series, meta=meta)


def apply_rows(df: dask.dataframe.DataFrame, fn: Closure, *, meta: Any,
               isolated: bool = True) -> dask.dataframe.Series | dask.dataframe.DataFrame:
    """``fn(row)`` for every row, the row as a map of column name to value. ``meta`` says what
    comes back: ``(name, dtype)`` for a Series of results, or a dict / DataFrame of columns when
    ``fn`` returns maps (one column per key)."""
    if isinstance(meta, dict):
        columns = list(meta)
    elif hasattr(meta, "columns"):           # a pandas DataFrame
        columns = list(meta.columns)
    else:
        columns = None
    return df.map_partitions(_Task(_payload_of(fn), isolated).rows, columns, meta=meta)


def map_blocks(array: dask.array.Array, fn: Closure, *, dtype: Any = None,
               isolated: bool = True) -> dask.array.Array:
    """An array of ``fn(x)`` for every element (same shape and chunks), ``dtype`` as given
    (default: the input's)."""
    dtype = np.dtype(array.dtype if dtype is None else dtype)
    return array.map_blocks(_Task(_payload_of(fn), isolated).block, dtype, dtype=dtype)
