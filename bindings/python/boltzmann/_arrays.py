"""numpy <-> C buffer helpers: convert once to contiguous arrays of the C type."""

import numpy as np

from ._lib import f64p, i64p
from .errors import ShapeError


def vector(values, name, dtype=np.float64):
    """A contiguous 1-D array of ``dtype`` (a copy only when needed)."""
    a = np.ascontiguousarray(values, dtype=dtype)
    if a.ndim != 1:
        raise ShapeError(f"{name} must be 1-D, got shape {a.shape}")
    return a


def same_length(a, b, name_a, name_b):
    if len(a) != len(b):
        raise ShapeError(f"{name_b} has {len(b)} entries but {name_a} has {len(a)}")


def f64(a):
    """A ``double *`` into ``a`` (float64, contiguous), or NULL for None."""
    return None if a is None else a.ctypes.data_as(f64p)


def i64(a):
    """An ``int64_t *`` into ``a`` (int64, contiguous), or NULL for None."""
    return None if a is None else a.ctypes.data_as(i64p)


def seed64(seed):
    """A seed as the library's ``uint64_t``: any Python integer, taken modulo 2^64."""
    return int(seed) & (2**64 - 1)
