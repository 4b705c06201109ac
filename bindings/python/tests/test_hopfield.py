"""Hopfield networks from Python: retrieval and its collapse, energies, the Ising
export, thresholds, the 2-cycle of synchronous dynamics, and argument errors."""

import numpy as np
import pytest

import boltzmann as bz


def random_patterns(p, n, seed):
    return np.random.default_rng(seed).choice(np.array([-1, 1], np.int8), size=(p, n))


def test_capacity_curve_collapses_past_alpha_c():
    means, errors = bz.hopfield.capacity_curve(500, [0.05, 0.25], noise=0.1, trials=3, seed=1)
    assert means[0] > 0.99 and means[1] < 0.6, (means, errors)
    assert np.all(np.isfinite(errors))


def test_storkey_and_storage_modes_retrieve():
    n, p = 400, 40
    patterns = random_patterns(p, n, 2)
    flips = np.random.default_rng(3).random(patterns.shape) < 0.1
    cues = np.where(flips, -patterns, patterns).astype(np.int8)
    for kwargs in ({"storage": "matrix"}, {"storage": "patterns"}, {"rule": "storkey"}):
        net = bz.Hopfield(n, **kwargs).store(patterns)
        recalled, info = net.recall(cues, seed=4, return_info=True)
        assert np.diag(net.overlaps(recalled)).mean() > 0.99, kwargs
        assert set(info["outcome"]) == {"fixed_point"} and info["sweeps"].max() < 20
        # The same seed gives the same states; a pattern is a fixed point.
        assert np.array_equal(net.recall(cues, seed=4), recalled)
    assert net.rule == "storkey" and net.uses_matrix and net.n_patterns == p and net.load == pytest.approx(0.1)
    assert np.array_equal(net.patterns_, patterns)


def test_energies_match_the_ising_export_and_fall_under_recall():
    n = 30
    net = bz.Hopfield(n, thresholds=np.linspace(-0.2, 0.2, n)).store(random_patterns(4, n, 5))
    states = random_patterns(20, n, 6)
    ising = net.to_ising()
    assert np.allclose(net.energy(states), ising.energy(states), rtol=0, atol=1e-10)
    recalled = net.recall(states, seed=7)
    assert np.all(net.energy(recalled) <= net.energy(states) + 1e-12)
    assert isinstance(net.energy(states[0]), float)


def test_synchronous_two_cycle_and_glauber():
    net = bz.Hopfield(2).store([1, -1])
    states, info = net.recall(np.array([[1, 1], [1, -1]]), mode="sync", return_info=True)
    assert list(info["outcome"]) == ["two_cycle", "fixed_point"]
    # Glauber at high temperature decorrelates a single pattern of many neurons.
    big = bz.Hopfield(2000).store(random_patterns(1, 2000, 8))
    hot = big.recall(big.patterns_[0], mode="glauber", temperature=2.0, sweeps=20, seed=9)
    assert abs(big.overlaps(hot)[0]) < 0.1
    cold = big.recall(big.patterns_[0], mode="glauber", temperature=0.5, sweeps=20, seed=9)
    assert abs(big.overlaps(cold)[0] - 0.9575) < 0.03  # m = tanh(m / 0.5)


def test_errors_name_the_argument_and_leave_the_network_usable():
    net = bz.Hopfield(4).store([1, -1, 1, -1])
    with pytest.raises(bz.InvalidArgument, match="patterns"):
        net.store([1, 0, 1, 1])
    with pytest.raises(bz.ShapeError, match="cues"):
        net.recall(np.ones((2, 5)))
    with pytest.raises(bz.InvalidArgument, match="temperature"):
        net.recall([1, 1, 1, 1], mode="glauber")
    with pytest.raises(bz.InvalidArgument, match="mode"):
        net.recall([1, 1, 1, 1], mode="parallel")
    with pytest.raises(bz.InvalidArgument, match="n_neurons"):
        bz.Hopfield(1)
    with pytest.raises(bz.Unsupported):
        bz.Hopfield(4, rule="storkey", storage="patterns")
    assert net.n_patterns == 1
    assert list(net.recall([1, 1, 1, -1])) in ([1, -1, 1, -1], [-1, 1, -1, 1])
