"""The lifetime of a library handle held by a Python object."""

import weakref

from .errors import InvalidHandle


class HandleOwner:
    """Owns one ``bz_X *``: released by :meth:`close`, by ``with``, or when collected.

    Subclasses set ``_free_handle`` to the library's ``bz_X_free``."""

    _free_handle = None

    def _own(self, handle):
        self._handle = handle
        self._finalizer = weakref.finalize(self, type(self)._free_handle, handle)

    @property
    def _h(self):
        if not self._finalizer.alive:
            raise InvalidHandle(f"this {type(self).__name__} has been closed")
        return self._handle

    def close(self):
        """Release the library handle now. Further use raises :class:`InvalidHandle`."""
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
