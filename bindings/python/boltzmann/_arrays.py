"""numpy <-> C buffer helpers: convert once to contiguous arrays of the C type."""

import ctypes
import operator

import numpy as np

from ._lib import f64p, i64p
from .errors import InvalidArgument, ShapeError


def vector(values, name, dtype=np.float64):
    """A contiguous 1-D array of ``dtype`` (a copy only when needed)."""
    a = np.ascontiguousarray(values, dtype=dtype)
    if a.ndim != 1:
        raise ShapeError(f"{name} must be 1-D, got shape {a.shape}")
    return a


def rows(x, width, name, dtype=np.float32, spins=False):
    """``x`` as a C-contiguous (n, width) array of ``dtype`` (a copy only when needed) and
    whether it was one row (1-D). ``spins``: +-1 values as int8 (booleans map True to +1;
    floats must be exactly +-1; other values are the library's to refuse)."""
    a = np.asarray(x)
    if spins:
        if a.dtype.kind == "f" and not np.all(np.isin(a, (-1.0, 1.0))):
            raise InvalidArgument(f"{name} must be -1 or +1")
        a, dtype = (np.where(a, 1, -1) if a.dtype.kind == "b" else a), np.int8
    single = a.ndim == 1
    a = np.ascontiguousarray(a.reshape(1, -1) if single else a, dtype=dtype)
    if a.ndim != 2 or a.shape[1] != width:
        raise ShapeError(f"{name} must have shape ({width},) or (n, {width}), got {np.shape(x)}")
    return a, single


def outputs(fn, *args):
    """``fn(*args, &out_1, ..., &out_k)`` for a C function whose last k parameters are
    pointers to scalars it fills: their values (one value when k = 1)."""
    outs = [pointer._type_() for pointer in fn.argtypes[len(args):]]
    fn(*args, *(ctypes.byref(out) for out in outs))
    values = tuple(out.value for out in outs)
    return values if len(values) > 1 else values[0]


def code(table, value, name):
    """The library code of ``value`` in ``table`` ({name: code}), or InvalidArgument
    listing the names: the one rule for every named choice the binding takes."""
    try:
        return table[value]
    except (KeyError, TypeError):
        raise InvalidArgument(f"{name} must be one of {', '.join(map(repr, table))}, got {value!r}") from None


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


def options(init, **given):
    """A versioned option struct filled by the library's defaults (``init``, one of the
    ``bz_*_options_init`` functions, the only copy of them), then by every given field
    that is not None. Integer fields take integers only; the library checks ranges."""
    struct = init.argtypes[0]._type_()
    init(ctypes.byref(struct))
    fields = dict(struct._fields_)
    for name, value in given.items():
        if value is None:
            continue
        if name not in fields or name == "version":
            raise InvalidArgument(f"unknown option {name!r}; the options are {', '.join(list(fields)[1:])}")
        try:
            value = float(value) if fields[name] is ctypes.c_double else operator.index(value)
        except TypeError:
            raise InvalidArgument(f"{name} must be a{' number' if fields[name] is ctypes.c_double else 'n integer'}, "
                                  f"got {value!r}") from None
        low, high = {ctypes.c_int32: (-2**31, 2**31), ctypes.c_uint64: (0, 2**64)}.get(fields[name], (-2**63, 2**63))
        if fields[name] is not ctypes.c_double and not low <= value < high:
            raise InvalidArgument(f"{name} = {value} does not fit the library's integers")
        setattr(struct, name, value)
    return struct


def fields(struct):
    """A struct's fields (without ``version``) as a dict."""
    return {name: getattr(struct, name) for name, _ in struct._fields_ if name != "version"}
