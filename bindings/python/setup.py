"""The wheel's kind only (the metadata is in pyproject.toml). The wheel carries
libboltzmann.so, so it is a platform wheel installed to platlib; the binding is pure
Python (ctypes), so any Python 3 runs it: tag ``py3-none-<platform>``.
``auditwheel repair`` (``make wheel``) then sets the manylinux platform."""

from setuptools import Distribution, setup
from setuptools.command.bdist_wheel import bdist_wheel


class WithLibrary(Distribution):
    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    def get_tag(self):
        return "py3", "none", super().get_tag()[2]


setup(distclass=WithLibrary, cmdclass={"bdist_wheel": PlatformWheel})
