"""Long library calls from Python: Ctrl-C, progress callables and progress bars.

Python delivers KeyboardInterrupt (Ctrl-C, Jupyter's "interrupt kernel") only to the
main thread, and only between bytecodes: while the main thread sits inside a C call
nothing happens until the call returns. So a long call made from the main thread runs
on a helper thread while the main thread waits in Python, where the KeyboardInterrupt
arrives at once. The main thread then asks the library to stop the call
(``bz_interrupt_thread`` on the helper, repeated until it returns, so a call that had
not yet started is stopped too), waits for it (every long call checks within
milliseconds), and raises KeyboardInterrupt; objects are left usable. Calls made from
other threads run where they are (KeyboardInterrupt never reaches those threads).
"""

import contextlib
import functools
import importlib.util
import itertools
import math
import os
import queue
import sys
import threading
import time

from ._lib import bz_energy_fn, bz_progress_fn, bz_score_fn, lib
from .errors import Cancelled

#: Seconds between repeated stop requests while a stopped call finishes.
_RESEND = 0.02

# Python callables behind the library's callbacks. Each callback type has one C
# trampoline, made here at import; a call passes a key as the callback's `user`
# pointer and the trampoline finds the callable by it. So a long call allocates no
# libffi closure and leaves no closure in a reference cycle for a forked child's
# garbage collector to free through libffi's allocator, whose state a fork may copy
# mid-update (threadpoolctl#225 shows children aborting there).
_targets = {}
_keys = itertools.count(1)


@contextlib.contextmanager
def registered(target):
    """A key (for ``user``) under which the trampolines find ``target`` while the block runs."""
    key = next(_keys)
    _targets[key] = target
    try:
        yield key
    finally:
        del _targets[key]


progress_trampoline = bz_progress_fn(lambda user, done, total, metric: _targets[user](done, total, metric))
energy_trampoline = bz_energy_fn(lambda user, point, dim, gradient: _targets[user](point, dim, gradient))
score_trampoline = bz_score_fn(lambda user, x, n, dim, t, out: _targets[user](x, n, dim, t, out))


class _Call:
    """One call handed to the helper thread."""

    def __init__(self, fn, args):
        self.fn, self.args = fn, args
        self.result = self.error = None
        self.stop = False  # set by the main thread on Ctrl-C
        self.done = threading.Event()

    def run(self):
        try:
            if not self.stop:
                self.result = self.fn(*self.args)
        except BaseException as e:  # noqa: BLE001 - handed to the waiting thread
            self.error = e
        finally:
            self.done.set()


class _Helper:
    """The thread that runs the main thread's long calls (one per process)."""

    def __init__(self):
        self.calls = queue.SimpleQueue()
        started = threading.Event()

        def serve():
            self.thread_id = threading.get_native_id()
            started.set()
            while True:
                self.calls.get()()

        threading.Thread(target=serve, name="boltzmann-call", daemon=True).start()
        started.wait()


_helper = None
_current = threading.local()


def _forget_helper():
    global _helper
    _helper = None  # a forked child has no helper thread


os.register_at_fork(after_in_child=_forget_helper)


def stop_requested():
    """True on the helper thread once Ctrl-C asked its call to stop (progress callbacks
    then return non-zero)."""
    call = getattr(_current, "call", None)
    return call is not None and call.stop


def interruptible(fn, *args):
    """``fn(*args)``: from the main thread, on the helper thread so that Ctrl-C stops it
    (KeyboardInterrupt); from any other thread, directly."""
    global _helper
    if threading.current_thread() is not threading.main_thread():
        return fn(*args)
    if _helper is None:
        _helper = _Helper()
    call = _Call(fn, args)

    def run():
        _current.call = call
        try:
            call.run()
        finally:
            _current.call = None

    _helper.calls.put(run)
    interrupted = False
    while True:
        try:
            if call.done.wait(_RESEND if interrupted else None):
                break
        except KeyboardInterrupt:
            interrupted = True
            call.stop = True
        if interrupted:
            lib.bz_interrupt_thread(_helper.thread_id)
    if interrupted:
        raise KeyboardInterrupt
    if call.error is not None:
        raise call.error
    return call.result


class Progress:
    """A ctypes progress callback for one call: the progress display (a bar, see
    :func:`set_progress`), a Python callable ``progress(done, total)`` and an optional
    ``callback(done, metric)``. It is always installed: Ctrl-C makes it return non-zero
    (besides ``bz_interrupt_thread``), and an exception the callables raise stops the
    call and is re-raised after it returns -- also one raised on the final report
    (done == total), which cannot stop the call any more.

    The one early-stop rule of the binding: a callable returning False stops the call.
    A call that trains a model in place (``run(..., early_stop=True)``: ``RBM.fit``,
    ``MLPScore.fit``) then returns normally with the model as trained so far; every
    other call raises :class:`Cancelled`, having no result. Ctrl-C raises
    ``KeyboardInterrupt`` and ``obj.interrupt()`` :class:`Cancelled`, always.

    ``progress``: None (the global setting, :func:`set_progress`), True (a bar), False
    (none) or a callable. ``unit`` names the engine's units of work and ``what`` the
    call, on the bar; ``metric`` names the metric the engine reports with each unit
    (shown on the bar), None if it reports none."""

    def __init__(self, progress, unit="states", callback=None, what=None, metric=None):
        mode = _mode if progress is None else progress
        if mode == "auto" and threading.current_thread() is not threading.main_thread():
            mode = False  # worker threads (thread pools, Dask, joblib) would interleave their bars
        self.bar = _Bar(what, unit, metric, delayed=mode == "auto") if mode is True or mode == "auto" else None
        self.callable = progress if callable(progress) else None
        self.callback = callback  # callback(done, metric) after each unit of work
        self.reported = 0
        self.error = None
        self.stopped = False  # a callable returned False
        self.done = 0  # the last count reported
        self.metrics = []  # the metric of each unit of work, as reported

    def _call(self, done, total, metric):
        try:
            if done > self.done:
                self.metrics.append(metric)
            self.done = int(done)
            if stop_requested():
                return 1
            if self.bar is not None:
                self.bar.show(done, total, metric)
            if self.callable is not None and self.callable(done, total) is False:
                self.stopped = True
                return 1
            if self.callback is not None and done > self.reported:  # once per unit, not again at the end
                self.reported = done
                if self.callback(int(done), metric) is False:
                    self.stopped = True
                    return 1
            return 0
        except BaseException as e:  # noqa: BLE001 - re-raised after the call
            if self.error is None:
                self.error = e
            return 1

    def run(self, fn, *args, early_stop=False):
        """``fn(*args, callback, NULL)``; with ``early_stop``, a stop asked by a callable
        returning False ends it normally (see the class)."""
        try:
            with registered(self._call) as key:
                interruptible(fn, *args, progress_trampoline, key)
        except Cancelled:
            if self.error is not None:
                raise self.error from None
            if not (early_stop and self.stopped):
                raise
        finally:
            if self.bar is not None:
                self.bar.close()
        if self.error is not None:
            raise self.error


# --- the progress display ---------------------------------------------------------

_MODES = {"auto": "auto", "1": True, "true": True, "on": True, "yes": True,
          "0": False, "false": False, "off": False, "no": False}


def _mode_from_environment():
    text = os.environ.get("BOLTZMANN_PROGRESS", "auto").strip().lower()
    if text not in _MODES:
        import warnings
        warnings.warn(f"BOLTZMANN_PROGRESS={text!r} is not one of auto, 1, 0 (true/false, on/off): using auto",
                      stacklevel=2)
        return "auto"
    return _MODES[text]


_mode = _mode_from_environment()

#: In "auto" mode a call shows a bar once it is projected to last at least
#: ``_WORTH_SHOWING`` seconds (elapsed time x total / done, the engine having reported
#: the total work first), judged from ``_FIRST_LOOK`` seconds on; a call that reports no
#: progress yet shows one once it has run ``_WORTH_SHOWING`` seconds.
_WORTH_SHOWING = 1.0
_FIRST_LOOK = 0.2


def set_progress(mode):
    """Whether long calls show a progress bar: ``"auto"`` (the default: calls from the
    main thread projected to take a second or more, from the work the engine counts and
    the rate it goes at), True (every call that reports progress) or False (none). A
    call's own ``progress=`` argument overrides it. The environment variable ``BOLTZMANN_PROGRESS`` (auto, 1, 0)
    sets it at import. Bars are ``tqdm.auto`` bars (widgets in Jupyter when ipywidgets
    is installed, text otherwise); without tqdm, a plain text line on stderr.

    Parameters
    ----------
    mode : {"auto", True, False}

    Returns
    -------
    previous : {"auto", True, False}
        The mode before the call, to restore it.

    Examples
    --------
    >>> import boltzmann as bz
    >>> previous = bz.set_progress(False)
    >>> bz.set_progress(previous)
    False
    """
    global _mode
    if isinstance(mode, str) and mode == "auto":
        pass
    elif mode in (True, False) and not isinstance(mode, str):
        mode = bool(mode)  # 1 and 0 too
    else:
        raise ValueError(f'progress mode must be "auto", True or False, got {mode!r}')
    previous, _mode = _mode, mode
    return previous


def get_progress():
    """The progress mode :func:`set_progress` set: ``"auto"``, True or False.

    Returns
    -------
    mode : {"auto", True, False}

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.get_progress() in ("auto", True, False)
    True
    """
    return _mode


class _Bar:
    """The bar of one call, made on the first report that calls for it."""

    def __init__(self, what, unit, metric, delayed):
        self.what, self.unit, self.metric, self.delayed = what, unit, metric, delayed
        self.started = time.monotonic()
        self.bar = None

    def _worth_showing(self, done, total):
        elapsed = time.monotonic() - self.started
        if elapsed < _FIRST_LOOK:
            return False
        if done > 0 and total > 0:
            return elapsed * total / done >= _WORTH_SHOWING
        return elapsed >= _WORTH_SHOWING

    def show(self, done, total, metric):
        if self.bar is None:
            if self.delayed and not self._worth_showing(done, total):
                return
            self.bar = _new_bar(self.what, self.unit, total)
        if total > 0:
            self.bar.total = total
        if self.metric is not None and math.isfinite(metric):
            self.bar.set_postfix({self.metric: f"{metric:.4g}"}, refresh=False)
        self.bar.update(done - self.bar.n)

    def close(self):
        if self.bar is not None:
            self.bar.close()


@functools.lru_cache(maxsize=None)
def _bar_class():
    """tqdm.auto's bar (text when ipywidgets is missing: tqdm.auto would warn in Jupyter,
    then draw text anyway) without tqdm's monitor thread, which a bar would otherwise
    start and stop: a library call should not make threads come and go in a process
    that may fork. None without tqdm."""
    try:
        if importlib.util.find_spec("ipywidgets") is None:
            from tqdm import tqdm as base
        else:
            from tqdm.auto import tqdm as base
    except ImportError:
        return None
    return type("BoltzmannBar", (base,), {"monitor_interval": 0, "__doc__": "A bar of a library call."})


def _new_bar(what, unit, total):
    bar = _bar_class()
    if bar is None:
        return _TextLine(what, unit, total)
    # Counts in thousands (k) and millions (M) only where they are large: "50/50 epochs".
    return bar(desc=what, total=total if total > 0 else None, unit=f" {unit}", unit_scale=total >= 1_000_000,
               dynamic_ncols=True)


class _TextLine:
    """A progress line on stderr when tqdm is missing, redrawn at most every 0.2 s."""

    def __init__(self, what, unit, total):
        self.what, self.unit, self.total = what or "progress", unit, total
        self.n, self.postfix, self.drawn = 0, "", 0.0

    def set_postfix(self, values, refresh=False):
        self.postfix = ", ".join(f"{k}={v}" for k, v in values.items())

    def update(self, units):
        self.n += units
        now = time.monotonic()
        if now - self.drawn >= 0.2 or self.n >= self.total > 0:
            self.drawn = now
            share = f" ({100 * self.n / self.total:.0f}%)" if self.total > 0 else ""
            sys.stderr.write(f"\r{self.what}: {self.n}/{self.total} {self.unit}{share} {self.postfix}  ")
            sys.stderr.flush()

    def close(self):
        sys.stderr.write("\n")
        sys.stderr.flush()
