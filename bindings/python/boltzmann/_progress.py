"""Long library calls from Python: Ctrl-C, progress callables and tqdm.

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
import itertools
import os
import queue
import threading

from ._lib import bz_energy_fn, bz_progress_fn, lib
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
    """A ctypes progress callback around a Python callable ``progress(done, total)``
    and an optional ``callback(done, metric)``. It is always installed: Ctrl-C makes it
    return non-zero (besides ``bz_interrupt_thread``), and an exception the callables
    raise stops the call and is re-raised after it returns -- also one raised on the
    final report (done == total), which cannot stop the call any more.

    The one early-stop rule of the binding: a callable returning False stops the call.
    A call that trains a model in place (``run(..., early_stop=True)``: ``RBM.fit``,
    ``MLPScore.fit``) then returns normally with the model as trained so far; every
    other call raises :class:`Cancelled`, having no result. Ctrl-C raises
    ``KeyboardInterrupt`` and ``obj.interrupt()`` :class:`Cancelled`, always."""

    def __init__(self, progress, unit="states", callback=None):
        if progress is True:
            progress = _tqdm_progress(unit)
        self.callable = progress
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
            if hasattr(self.callable, "close"):
                self.callable.close()
        if self.error is not None:
            raise self.error


def _tqdm_progress(unit):
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    bar = tqdm(unit=unit, unit_scale=True)

    class Bar:
        def __call__(self, done, total):
            bar.total = total
            bar.update(done - bar.n)

        def close(self):
            bar.close()

    return Bar()
