"""Exceptions raised by the binding, one per ``bz_status`` code.

Each class also derives from the built-in exception a Python user would expect
(``ValueError`` for bad arguments, ``FloatingPointError`` for NaN/inf, ...), so
``except ValueError`` keeps working. The message is the library's own
``bz_last_error()`` text, which names the offending argument.
"""

__all__ = [
    "BoltzmannError", "NullPointerError", "InvalidArgument", "ShapeError", "NumericError",
    "OutOfMemory", "BoltzmannIOError", "FormatError", "Cancelled", "WrongState",
    "Unsupported", "InvalidHandle", "LimitExceeded", "NotConverged", "Busy", "InternalError",
]


class BoltzmannError(Exception):
    """Base class of every error the library reports. ``status`` is the ``bz_status`` code."""

    status = None

    def __init__(self, message, status=None):
        super().__init__(message)
        if status is not None:
            self.status = status


class NullPointerError(BoltzmannError, ValueError):
    """A required array or output was missing (``BZ_ERR_NULL_POINTER``)."""
    status = 1


class InvalidArgument(BoltzmannError, ValueError):
    """A value is outside its documented domain (``BZ_ERR_INVALID_ARGUMENT``)."""
    status = 2


class ShapeError(BoltzmannError, ValueError):
    """Array lengths disagree (``BZ_ERR_SHAPE_MISMATCH``)."""
    status = 3


class NumericError(BoltzmannError, FloatingPointError):
    """A NaN or infinity where a finite number is required (``BZ_ERR_NON_FINITE``)."""
    status = 4


class OutOfMemory(BoltzmannError, MemoryError):
    """An allocation failed (``BZ_ERR_OUT_OF_MEMORY``)."""
    status = 5


class BoltzmannIOError(BoltzmannError, OSError):
    """Reading or writing a file failed (``BZ_ERR_IO``)."""
    status = 6


class FormatError(BoltzmannError, ValueError):
    """A file or byte buffer is not in the expected format (``BZ_ERR_BAD_FORMAT``)."""
    status = 7


class Cancelled(BoltzmannError):
    """A progress callback or an interrupt stopped the call (``BZ_ERR_CANCELLED``)."""
    status = 8


class WrongState(BoltzmannError, RuntimeError):
    """The object is not in a state that allows the call (``BZ_ERR_WRONG_STATE``)."""
    status = 9


class Unsupported(BoltzmannError, NotImplementedError):
    """The combination of options is not supported (``BZ_ERR_UNSUPPORTED``)."""
    status = 10


class InvalidHandle(BoltzmannError, ValueError):
    """A handle was freed, never created, or of another type (``BZ_ERR_INVALID_HANDLE``)."""
    status = 11


class LimitExceeded(BoltzmannError, ValueError):
    """The work exceeds a size limit the caller may raise (``BZ_ERR_LIMIT_EXCEEDED``)."""
    status = 12


class NotConverged(BoltzmannError, ArithmeticError):
    """An iteration stopped before meeting its tolerance (``BZ_ERR_NOT_CONVERGED``).

    ``result`` holds the last iterate when the function has one to offer.
    """
    status = 13
    result = None


class Busy(BoltzmannError, RuntimeError):
    """The object is in use by another call (``BZ_ERR_BUSY``)."""
    status = 14


class InternalError(BoltzmannError, RuntimeError):
    """A defect in the library (``BZ_ERR_INTERNAL``): please report it."""
    status = 15


#: bz_status code -> exception class. tests/test_header.py checks the codes against
#: the BZ_ERR_* macros of include/boltzmann.h.
BY_STATUS = {cls.status: cls for cls in (
    NullPointerError, InvalidArgument, ShapeError, NumericError, OutOfMemory, BoltzmannIOError,
    FormatError, Cancelled, WrongState, Unsupported, InvalidHandle, LimitExceeded, NotConverged,
    Busy, InternalError,
)}


def error_for(status, message):
    """The exception for a non-OK ``status`` with the library's ``message``."""
    cls = BY_STATUS.get(status, BoltzmannError)
    return cls(message, status)
