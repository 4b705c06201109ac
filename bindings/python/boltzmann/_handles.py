"""The lifetime of a library handle held by a Python object, and persistence through
the library's own formats."""

import ctypes
import os
import weakref

from . import _display
from ._arrays import outputs
from .errors import InvalidHandle


class HandleOwner:
    """Owns one ``bz_<prefix> *``: released by :meth:`close`, by ``with``, or when collected.

    Subclasses set ``_prefix``, the header's object name (``"ising"`` for ``bz_ising``):
    the pointer type (``_lib.<prefix>_p``), ``bz_<prefix>_free`` and persistence's
    ``bz_<prefix>_load`` and the rest follow from it. Every library function that makes
    a handle takes ``bz_X **out`` first; :meth:`_new` and :meth:`_create` are the one
    way the binding calls them."""

    _prefix = None

    @classmethod
    def _new(cls, create, *args):
        """An instance (``__init__`` not run) owning the handle ``create(&out, *args)`` makes."""
        instance = cls.__new__(cls)
        instance._create(create, *args)
        return instance

    def _create(self, create, *args):
        """Own the handle ``create(&out, *args)`` makes."""
        from . import _lib
        handle = getattr(_lib, f"{self._prefix}_p")()
        create(ctypes.byref(handle), *args)
        self._own(handle)
        return self

    def _own(self, handle):
        from ._lib import lib
        self._handle = handle
        self._finalizer = weakref.finalize(self, getattr(lib, f"bz_{self._prefix}_free"), handle)

    def interrupt(self):
        """Stop the long calls running on this object, from another thread (they raise
        :class:`Cancelled`; Ctrl-C on the calling thread raises ``KeyboardInterrupt``)."""
        from ._lib import lib
        lib.bz_interrupt(ctypes.cast(self._h, ctypes.c_void_p))

    @property
    def _h(self):
        if not self._finalizer.alive:
            raise InvalidHandle(f"this {type(self).__name__} has been closed")
        return self._handle

    def close(self):
        """Release the library handle now. Further use raises :class:`InvalidHandle`."""
        self._finalizer()

    def _summary(self):
        """(name, value) pairs that describe the object, for ``repr`` and Jupyter."""
        return []

    def __repr__(self):
        if not self._finalizer.alive:
            return f"{type(self).__name__}(<closed>)"
        return _display.key_value_text(type(self).__name__, self._summary())

    def _repr_html_(self):
        if not self._finalizer.alive:
            return _display.key_value_html(type(self).__name__, [("state", "closed")])
        return _display.key_value_html(type(self).__name__, self._summary())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Persistent:
    """``save`` / ``load`` / ``to_bytes`` / ``from_bytes`` and pickling of a handle owner
    through the library's own file format (written atomically, checked on load), with
    ``bz_<prefix>_save``, ``_load``, ``_serialized_size``, ``_serialize`` and
    ``_deserialize``. Subclasses may implement ``_loaded(self)`` to set up what a loaded
    instance needs beside its handle."""

    @classmethod
    def _function(cls, verb):
        from ._lib import lib
        return getattr(lib, f"bz_{cls._prefix}_{verb}")

    def _loaded(self):
        return self

    def save(self, path):
        """Write to ``path`` atomically (a temporary file, flushed, then renamed): a failed
        save leaves any existing file as it was."""
        self._function("save")(self._h, os.fsencode(path))

    @classmethod
    def load(cls, path):
        """Read a file written by :meth:`save` (:class:`FormatError` if it is not one, is
        truncated or damaged)."""
        return cls._new(cls._function("load"), os.fsencode(path))._loaded()

    def to_bytes(self):
        """The file format's bytes."""
        size = outputs(self._function("serialized_size"), self._h)
        out = (ctypes.c_uint8 * size)()
        self._function("serialize")(self._h, out, size)
        return bytes(out)

    @classmethod
    def from_bytes(cls, data):
        """An object from :meth:`to_bytes` output."""
        data = bytes(data)
        buffer = (ctypes.c_uint8 * max(len(data), 1)).from_buffer_copy(data or b"\0")
        return cls._new(cls._function("deserialize"), ctypes.cast(buffer, ctypes.POINTER(ctypes.c_uint8)), len(data))._loaded()

    def __reduce__(self):
        return (type(self).from_bytes, (self.to_bytes(),))
