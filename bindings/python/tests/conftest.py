import os
import sys
from pathlib import Path

import pytest

BINDING = Path(__file__).resolve().parents[1]
REPO = BINDING.parents[1]
if str(BINDING) not in sys.path:
    sys.path.insert(0, str(BINDING))


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
