"""Exceptions raised by the binding, one per ``bz_status`` code.

Each class also derives from the built-in exception a Python user would expect
(``ValueError`` for bad arguments, ``FloatingPointError`` for NaN/inf, ...), so
``except ValueError`` keeps working. The message is the library's own
``bz_last_error()`` text, which names the offending argument.
"""

__all__ = [
    "BoltzmannError", "NullPointerError", "InvalidArgument", "ShapeError", "NumericError",
    "OutOfMemory", "BoltzmannIOError", "FormatError", "Cancelled", "WrongState",
    "NotFittedError", "Unsupported", "InvalidHandle", "LimitExceeded", "NotConverged", "Busy", "InternalError",
]


class BoltzmannError(Exception):
    """Base class of every error the library reports.

    Parameters
    ----------
    message : str
        The library's ``bz_last_error()`` text, naming the offending argument.
    status : int, optional
        The ``bz_status`` code (each subclass sets its own).

    Attributes
    ----------
    status : int or None
        The ``bz_status`` code.

    Examples
    --------
    >>> import boltzmann as bz
    >>> try:
    ...     bz.Spectrum([])
    ... except bz.BoltzmannError as e:
    ...     print(type(e).__name__, e.status)
    InvalidArgument 2
    """

    status = None

    def __init__(self, message, status=None):
        super().__init__(message)
        if status is not None:
            self.status = status


class NullPointerError(BoltzmannError, ValueError):
    """A required array or output was missing (``BZ_ERR_NULL_POINTER``).

    Attributes
    ----------
    status : int
        ``BZ_ERR_NULL_POINTER``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> issubclass(bz.NullPointerError, ValueError) and issubclass(bz.NullPointerError, bz.BoltzmannError)
    True
    """
    status = 1


class InvalidArgument(BoltzmannError, ValueError):
    """A value is outside its documented domain (``BZ_ERR_INVALID_ARGUMENT``).

    Attributes
    ----------
    status : int
        ``BZ_ERR_INVALID_ARGUMENT``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> try:
    ...     bz.Spectrum([0.0, 1.0], degeneracies=[1.0, -2.0])
    ... except ValueError as e:
    ...     print(type(e).__name__, e)
    InvalidArgument degeneracies[1] must be > 0, got -2.0
    """
    status = 2


class ShapeError(BoltzmannError, ValueError):
    """Array lengths disagree (``BZ_ERR_SHAPE_MISMATCH``).

    Attributes
    ----------
    status : int
        ``BZ_ERR_SHAPE_MISMATCH``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> try:
    ...     bz.Spectrum([0.0, 1.0], degeneracies=[1.0])
    ... except bz.ShapeError as e:
    ...     print(e.status)
    3
    """
    status = 3


class NumericError(BoltzmannError, FloatingPointError):
    """A NaN or infinity where a finite number is required (``BZ_ERR_NON_FINITE``).

    Attributes
    ----------
    status : int
        ``BZ_ERR_NON_FINITE``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> try:
    ...     bz.Spectrum([0.0, float("nan")])
    ... except FloatingPointError as e:
    ...     print(type(e).__name__)
    NumericError
    """
    status = 4


class OutOfMemory(BoltzmannError, MemoryError):
    """An allocation failed (``BZ_ERR_OUT_OF_MEMORY``).

    Attributes
    ----------
    status : int
        ``BZ_ERR_OUT_OF_MEMORY``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> issubclass(bz.OutOfMemory, MemoryError) and issubclass(bz.OutOfMemory, bz.BoltzmannError)
    True
    """
    status = 5


class BoltzmannIOError(BoltzmannError, OSError):
    """Reading or writing a file failed (``BZ_ERR_IO``).

    Attributes
    ----------
    status : int
        ``BZ_ERR_IO``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> try:
    ...     bz.RBM.load("/nonexistent/machine.rbm")
    ... except OSError as e:
    ...     print(type(e).__name__)
    BoltzmannIOError
    """
    status = 6


class FormatError(BoltzmannError, ValueError):
    """A file or byte buffer is not in the expected format (``BZ_ERR_BAD_FORMAT``).

    Attributes
    ----------
    status : int
        ``BZ_ERR_BAD_FORMAT``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> try:
    ...     bz.RBM.from_bytes(b"not a machine")
    ... except bz.FormatError as e:
    ...     print(e.status)
    7
    """
    status = 7


class Cancelled(BoltzmannError):
    """A progress callback or an interrupt stopped the call (``BZ_ERR_CANCELLED``).

    Attributes
    ----------
    status : int
        ``BZ_ERR_CANCELLED``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> try:
    ...     bz.IsingModel.square(4, 4).exact(0.5, progress=lambda done, total: False)
    ... except bz.Cancelled as e:
    ...     print(e)
    cancelled by the progress callback
    """
    status = 8


class WrongState(BoltzmannError, RuntimeError):
    """The object is not in a state that allows the call (``BZ_ERR_WRONG_STATE``).

    Attributes
    ----------
    status : int
        ``BZ_ERR_WRONG_STATE``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> issubclass(bz.WrongState, RuntimeError) and issubclass(bz.WrongState, bz.BoltzmannError)
    True
    """
    status = 9


class NotFittedError(WrongState, ValueError, AttributeError):
    """An estimator was used before ``fit`` (``BZ_ERR_WRONG_STATE``): also a ``ValueError``
    and an ``AttributeError``, as scikit-learn's ``NotFittedError`` is.

    Attributes
    ----------
    status : int
        ``BZ_ERR_WRONG_STATE``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> try:
    ...     bz.RBM(4).transform([[0, 1]])
    ... except bz.NotFittedError as e:
    ...     print(type(e).__name__, isinstance(e, ValueError))
    NotFittedError True
    """


class Unsupported(BoltzmannError, NotImplementedError):
    """The combination of options is not supported (``BZ_ERR_UNSUPPORTED``).

    Attributes
    ----------
    status : int
        ``BZ_ERR_UNSUPPORTED``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> issubclass(bz.Unsupported, NotImplementedError) and issubclass(bz.Unsupported, bz.BoltzmannError)
    True
    """
    status = 10


class InvalidHandle(BoltzmannError, ValueError):
    """A handle was freed, never created, or of another type (``BZ_ERR_INVALID_HANDLE``).

    Attributes
    ----------
    status : int
        ``BZ_ERR_INVALID_HANDLE``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> s = bz.Spectrum([0.0, 1.0])
    >>> s.close()
    >>> try:
    ...     s.thermo(1.0)
    ... except bz.InvalidHandle as e:
    ...     print(e)
    this Spectrum has been closed
    """
    status = 11


class LimitExceeded(BoltzmannError, ValueError):
    """The work exceeds a size limit the caller may raise (``BZ_ERR_LIMIT_EXCEEDED``).

    Attributes
    ----------
    status : int
        ``BZ_ERR_LIMIT_EXCEEDED``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> try:
    ...     bz.IsingModel.sk(32, seed=1).ground_state()
    ... except bz.LimitExceeded as e:
    ...     print(e.status)
    12
    """
    status = 12


class NotConverged(BoltzmannError, ArithmeticError):
    """An iteration stopped before meeting its tolerance (``BZ_ERR_NOT_CONVERGED``).

    Attributes
    ----------
    status : int
        ``BZ_ERR_NOT_CONVERGED``.
    result : object or None
        The last iterate, when the function has one to offer.

    Examples
    --------
    >>> import boltzmann as bz
    >>> issubclass(bz.NotConverged, ArithmeticError)
    True
    """
    status = 13
    result = None


class Busy(BoltzmannError, RuntimeError):
    """The object is in use by another call (``BZ_ERR_BUSY``).

    Attributes
    ----------
    status : int
        ``BZ_ERR_BUSY``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> issubclass(bz.Busy, RuntimeError) and issubclass(bz.Busy, bz.BoltzmannError)
    True
    """
    status = 14


class InternalError(BoltzmannError, RuntimeError):
    """A defect in the library (``BZ_ERR_INTERNAL``): please report it.

    Attributes
    ----------
    status : int
        ``BZ_ERR_INTERNAL``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.InternalError.status
    15
    """
    status = 15


#: bz_status code -> exception class. tests/test_header.py checks the codes against
#: the BZ_ERR_* macros of include/boltzmann.h.
BY_STATUS = {cls.status: cls for cls in (
    NullPointerError, InvalidArgument, ShapeError, NumericError, OutOfMemory, BoltzmannIOError,
    FormatError, Cancelled, WrongState, Unsupported, InvalidHandle, LimitExceeded, NotConverged,
    Busy, InternalError,
)}


def _error_for(status, message):
    """The exception for a non-OK ``status`` with the library's ``message``."""
    cls = BY_STATUS.get(status, BoltzmannError)
    return cls(message, status)
