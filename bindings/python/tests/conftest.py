import os
import sys
from pathlib import Path

import pytest

BINDING = Path(__file__).resolve().parents[1]
REPO = BINDING.parents[1]

#: Set by scripts/test-wheel: the suite tests the package installed from the wheel, so
#: the checkout's binding must not be importable (and is checked not to be imported).
INSTALLED = os.environ.get("BOLTZMANN_TEST_INSTALLED", "") != ""
if not INSTALLED and str(BINDING) not in sys.path:
    sys.path.insert(0, str(BINDING))


def child_env(**extra):
    """The environment for a Python child process that imports boltzmann: the same
    package this suite tests (the checkout's binding, or the installed wheel)."""
    env = dict(os.environ, **extra)
    if INSTALLED:
        env.pop("PYTHONPATH", None)
    else:
        env["PYTHONPATH"] = str(BINDING)
    return env


def pytest_sessionstart(session):
    if INSTALLED:
        import boltzmann
        for path in (boltzmann.__file__, boltzmann.library_path()):
            assert REPO not in Path(path).resolve().parents, f"{path} is in the checkout, not installed"


#: Set by scripts/check-sanitizers: the library is an AddressSanitizer build, whose
#: shadow memory defeats address-space limits, whose quarantine holds freed memory,
#: which links the Swift runtime dynamically and runs several times slower.
UNDER_SANITIZER = os.environ.get("BOLTZMANN_SANITIZER", "") != ""
not_under_sanitizer = pytest.mark.skipif(UNDER_SANITIZER, reason="meaningless under AddressSanitizer (see conftest)")


@pytest.fixture(scope="session")
def repo():
    return REPO


@pytest.fixture(scope="session")
def header(repo):
    return repo / "include" / "boltzmann.h"
