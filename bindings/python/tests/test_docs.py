"""The examples in the binding's docstrings run and print what they claim."""

import doctest

import pytest

import boltzmann as bz

MODULES = [bz, bz.thermo, bz.ising, bz.montecarlo, bz.tempering, bz.pbits, bz.rbm, bz.datasets]


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
