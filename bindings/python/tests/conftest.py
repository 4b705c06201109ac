import sys
from pathlib import Path

import pytest

BINDING = Path(__file__).resolve().parents[1]
REPO = BINDING.parents[1]
if str(BINDING) not in sys.path:
    sys.path.insert(0, str(BINDING))


@pytest.fixture(scope="session")
def repo():
    return REPO


@pytest.fixture(scope="session")
def header(repo):
    return repo / "include" / "boltzmann.h"
