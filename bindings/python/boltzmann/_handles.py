"""The lifetime of a library handle held by a Python object, and persistence through
the library's own formats."""

import ctypes
import os
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


class Persistent:
    """``save`` / ``load`` / ``to_bytes`` / ``from_bytes`` and pickling of a handle owner
    through the library's own file format (written atomically, checked on load).

    Subclasses set ``_persistence = (prefix, pointer type)``, naming the library's
    ``bz_<prefix>_save``, ``_load``, ``_serialized_size``, ``_serialize`` and
    ``_deserialize``, and implement ``_from_handle(handle)``."""

    _persistence = None

    @classmethod
    def _call(cls, verb, *args):
        from ._lib import lib
        return getattr(lib, f"bz_{cls._persistence[0]}_{verb}")(*args)

    def save(self, path):
        """Write to ``path`` atomically (a temporary file, flushed, then renamed): a failed
        save leaves any existing file as it was."""
        self._call("save", self._h, os.fsencode(path))

    @classmethod
    def load(cls, path):
        """Read a file written by :meth:`save` (:class:`FormatError` if it is not one, is
        truncated or damaged)."""
        handle = cls._persistence[1]()
        cls._call("load", os.fsencode(path), ctypes.byref(handle))
        return cls._from_handle(handle)

    def to_bytes(self):
        """The file format's bytes."""
        size = ctypes.c_int64()
        self._call("serialized_size", self._h, ctypes.byref(size))
        out = (ctypes.c_uint8 * size.value)()
        self._call("serialize", self._h, out, size.value)
        return bytes(out)

    @classmethod
    def from_bytes(cls, data):
        """An object from :meth:`to_bytes` output."""
        data = bytes(data)
        buffer = (ctypes.c_uint8 * max(len(data), 1)).from_buffer_copy(data or b"\0")
        handle = cls._persistence[1]()
        cls._call("deserialize", ctypes.cast(buffer, ctypes.POINTER(ctypes.c_uint8)), len(data), ctypes.byref(handle))
        return cls._from_handle(handle)

    def __reduce__(self):
        return (type(self).from_bytes, (self.to_bytes(),))
