"""Multiplicities and macrostates (seed 003, 10.5-10.6)."""

import math

import numpy as np
import pytest

import boltzmann as bz


def test_seed_example_10_1():
    """10 units on levels {0, 1, 2} with occupation (7, 2, 1): W = 360 and E = 4
    (the seed's Example 10.1 prints 3; 0*7 + 1*2 + 2*1 is 4)."""
    assert math.exp(bz.log_multiplicity([7, 2, 1])) == pytest.approx(360, rel=1e-14)
    assert bz.occupation_energy([7, 2, 1], [0, 1, 2]) == 4


def test_coin_flips():
    m = bz.macrostates(5, [0.0, 0.0])
    heads3 = m.multiplicities[(m.occupations[:, 0] == 3)][0]
    assert heads3 / m.multiplicities.sum() == pytest.approx(10 / 32, rel=1e-15)


def test_enumeration_and_partition_identity():
    levels = np.array([0.0, 1.0, 2.0])
    m = bz.macrostates(10, levels)
    assert len(m) == bz.macrostate_count(10, 3) == 66
    assert m.occupations[0].tolist() == [10, 0, 0] and m.occupations[-1].tolist() == [0, 0, 10]
    assert np.all(m.occupations.sum(axis=1) == 10)
    np.testing.assert_array_equal(m.energies, m.occupations @ levels)
    for beta in (0.0, 0.5, 2.0):
        z = np.exp(-beta * levels).sum()
        lhs = np.log(np.sum(np.exp(m.log_multiplicities - beta * m.energies)))
        assert lhs == pytest.approx(10 * np.log(z), rel=1e-13)


def test_microcanonical_spectrum():
    s = bz.microcanonical(10, [0, 1, 2])
    np.testing.assert_array_equal(s.energies, np.arange(21))
    assert s.degeneracies[2] == pytest.approx(55, rel=1e-13)  # C(10,2) + 10
    betas = np.array([-1.0, 0.3, 1.0])
    np.testing.assert_allclose(s.log_z(betas), 10 * np.log(1 + np.exp(-betas) + np.exp(-2 * betas)),
                               rtol=1e-13)


def test_limits():
    with pytest.raises(bz.LimitExceeded, match="max_states"):
        bz.macrostates(60, [0, 1, 2, 3], max_states=1000)
    with pytest.raises(bz.LimitExceeded):
        bz.macrostate_count(1000, 1000)
    assert len(bz.macrostates(3, [0, 1, 2, 3], max_states=20)) == 20
