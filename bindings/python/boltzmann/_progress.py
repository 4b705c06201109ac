"""Progress callbacks for long library calls: Python callables, tqdm, Ctrl-C."""

from ._lib import bz_progress_fn
from .errors import Cancelled


class Progress:
    """A ctypes progress callback around a Python callable ``progress(done, total)``
    and an optional ``callback(done, metric)`` (either may return False to stop). It is always installed, so Ctrl-C (KeyboardInterrupt,
    delivered while the callback runs) cancels the call cleanly, and so does any
    exception the callable raises; both are re-raised after the call returns."""

    def __init__(self, progress, unit="states", callback=None):
        if progress is True:
            progress = _tqdm_progress(unit)
        self.callable = progress
        self.callback = callback  # callback(done, metric) after each unit of work
        self.reported = 0
        self.error = None
        self.stopped = False  # a callable returned False
        self.cfunc = bz_progress_fn(self._call)

    def _call(self, user, done, total, metric):
        try:
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
            self.error = e
            return 1

    def run(self, fn, *args):
        try:
            fn(*args, self.cfunc, None)
        except Cancelled:
            if self.error is not None:
                raise self.error from None
            raise
        finally:
            if hasattr(self.callable, "close"):
                self.callable.close()


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
