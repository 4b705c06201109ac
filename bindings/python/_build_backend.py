"""PEP 517 build backend: setuptools, with the engine library inside the wheel.

The binding is pure Python but loads ``libboltzmann.so``, so a wheel of it is a
platform wheel (``py3-none-<platform>``, see ``setup.py``) carrying the library in the
package. This backend takes the library already built -- ``$BOLTZMANN_LIBRARY`` if set,
else the checkout's ``.build/release/libboltzmann.so`` (``make`` builds it) -- and never
runs the Swift build itself: when the library is missing it stops and says what to run.

It builds in a temporary copy of this folder, so ``pip install bindings/python`` and
``pip wheel`` leave nothing (``build/``, a copied library) in the checkout.
``make wheel`` runs it, then ``auditwheel repair`` vendors what the library links
beyond the manylinux baseline (OpenBLAS, gfortran) and sets the manylinux tag.
Editable installs (``pip install -e``) need no library: the loader finds the
checkout's build at import.
"""

import os
import shutil
import tempfile
from pathlib import Path

from setuptools import build_meta as _setuptools

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
LIBRARY = "libboltzmann.so"

get_requires_for_build_wheel = _setuptools.get_requires_for_build_wheel
get_requires_for_build_editable = _setuptools.get_requires_for_build_editable
prepare_metadata_for_build_editable = _setuptools.prepare_metadata_for_build_editable
build_editable = _setuptools.build_editable


def _library():
    """The built engine library to put in the wheel; if there is none, stop (no traceback)
    and say how to build it."""
    given = os.environ.get("BOLTZMANN_LIBRARY")
    path = Path(given) if given else REPO / ".build" / "release" / LIBRARY
    if path.is_file():
        return path
    raise SystemExit(
        f"error: {path} does not exist: the wheel carries the engine library, which must be built first. "
        "At the repository root run `make wheel` and install the wheel it writes "
        "(pip install dist/boltzmann-*.whl), or run `make` and then this command again, "
        "or set BOLTZMANN_LIBRARY to a built libboltzmann.so.")


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    library = _library()
    wheel_directory = os.path.abspath(wheel_directory)
    with tempfile.TemporaryDirectory(prefix="boltzmann-wheel-") as scratch:
        source = Path(scratch) / "src"
        shutil.copytree(HERE, source, ignore=shutil.ignore_patterns(
            "tests", "build", "dist", "*.egg-info", "__pycache__", LIBRARY))
        shutil.copy2(library, source / "boltzmann" / LIBRARY)
        cwd = os.getcwd()
        os.chdir(source)
        try:
            return _setuptools.build_wheel(wheel_directory, config_settings)
        finally:
            os.chdir(cwd)


def build_sdist(sdist_directory, config_settings=None):
    raise SystemExit(
        "error: Boltzmann has no source distribution of the binding alone: the engine is built from the "
        "whole repository (Swift). Run `make wheel` at the repository root for a wheel.")
