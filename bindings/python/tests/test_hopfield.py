"""Hopfield networks from Python: retrieval and its collapse, energies, the Ising
export, thresholds, the 2-cycle of synchronous dynamics, spurious mixture states,
dense networks (softmax and polynomial), and argument errors."""

import numpy as np
import pytest

import boltzmann as bz


def random_patterns(p, n, seed):
    return np.random.default_rng(seed).choice(np.array([-1, 1], np.int8), size=(p, n))


def test_capacity_curve_collapses_past_alpha_c():
    means, errors = bz.hopfield.capacity_curve(500, [0.05, 0.25], noise=0.1, trials=3, seed=1)
    assert means[0] > 0.99 and means[1] < 0.6, (means, errors)
    assert np.all(np.isfinite(errors))


@pytest.mark.determinism
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
        # The same seed gives the same states, and a cue's recall does not depend on the others.
        assert np.array_equal(net.recall(cues, seed=4), recalled)
        assert np.array_equal(net.recall(cues[3:10], seed=4), recalled[3:10])
        assert np.array_equal(bz.Hopfield(n, seed=4, **kwargs).store(patterns).recall(cues), recalled)
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


def test_spurious_mixtures_sit_above_the_patterns():
    """Small load (P/N = 0.005): patterns at E/N = -1/2, symmetric 3-mixtures at -3/8
    with overlap 1/2 on each component (Amit, Gutfreund & Sompolinsky); finite-N
    fluctuations of the overlaps are O(1/sqrt(N)) ~ 0.02."""
    n = 2000
    net = bz.Hopfield(n).store(random_patterns(10, n, 11))
    report = bz.hopfield.spurious_states(net, count=30, seed=12)
    assert np.abs(report.pattern_energies + 0.5).max() < 0.01
    assert abs(report.mixture_energies.mean() + 0.375) < 0.01
    assert abs(report.mixture_overlaps.mean() - 0.5) < 0.02
    assert report.mixture_energies.min() > report.pattern_energies.max()
    assert set(report.mixture_outcomes) == {"fixed_point"}
    with pytest.raises(bz.InvalidArgument, match="components"):
        bz.hopfield.spurious_states(net, components=4)


def attention(patterns, queries, beta):
    """softmax(beta Q X^T) X and the log-sum-exp of each row, in float64."""
    x, q = patterns.astype(np.float64), queries.astype(np.float64)
    logits = beta * q @ x.T
    top = logits.max(axis=1, keepdims=True)
    w = np.exp(logits - top)
    return (w / w.sum(axis=1, keepdims=True)) @ x, (top[:, 0] + np.log(w.sum(axis=1)))


def test_dense_update_is_attention_and_lowers_the_energy():
    rng = np.random.default_rng(13)
    patterns = rng.standard_normal((3000, 24)).astype(np.float32)
    queries = rng.standard_normal((300, 24)).astype(np.float32)
    for beta in (0.2, 1.0, 4.0):
        net = bz.DenseHopfield(patterns, beta=beta)
        expected, lse = attention(patterns, queries, beta)
        np.testing.assert_allclose(net.retrieve(queries), expected, atol=2e-5)
        m2 = (patterns.astype(np.float64) ** 2).sum(axis=1).max()
        energy = -lse / beta + 0.5 * (queries.astype(np.float64) ** 2).sum(axis=1) + np.log(3000) / beta + m2 / 2
        np.testing.assert_allclose(net.energy(queries), energy, rtol=1e-5)
        states, previous = queries, net.energy(queries)
        for _ in range(5):
            states = net.retrieve(states)
            now = net.energy(states)
            assert np.all(now <= previous + 1e-5 * np.maximum(1, np.abs(previous)))
            previous = now
        np.testing.assert_array_equal(net.retrieve(queries, steps=3), net.retrieve(net.retrieve(net.retrieve(queries))))


def test_dense_one_step_retrieval_of_a_hundred_thousand_patterns():
    """10^5 random +-1 patterns in d = 64 at beta = 1, 6 of each query's 64 signs flipped:
    the self overlap (52) beats the cross overlaps (sd 8; binomial tail P(z >= 42) ~ 5e-8
    per pattern) by far more than log(10^5) ~ 11.5, so one step lands on the pattern:
    every sign right, and the leftover mixture below 1e-4 in all but the rare queries
    that meet a cross overlap of 42 or more (measured: 0.12% of queries)."""
    rng = np.random.default_rng(14)
    n, d, m = 100_000, 64, 2000
    patterns = rng.choice(np.array([-1, 1], np.float32), size=(n, d))
    targets = rng.choice(n, m, replace=False)
    queries = patterns[targets].copy()
    for row in queries:
        row[rng.choice(d, d // 10, replace=False)] *= -1
    retrieved = bz.DenseHopfield(patterns, beta=1.0).retrieve(queries)
    assert np.array_equal(np.sign(retrieved), patterns[targets])
    errors = np.abs(retrieved - patterns[targets]).max(axis=1)
    assert np.mean(errors < 1e-4) > 0.99 and np.median(errors) < 1e-5


def test_polynomial_memory_beyond_the_classical_capacity():
    rng = np.random.default_rng(15)
    d, p = 100, 200
    patterns = rng.choice(np.array([-1, 1], np.int8), size=(p, d))
    cues = np.where(rng.random((p, d)) < 0.1, -patterns, patterns)
    net = bz.DenseHopfield(patterns, separation="polynomial", degree=4)
    recalled = net.retrieve(cues, steps=20)
    assert recalled.dtype == np.int8 and np.array_equal(recalled, patterns)
    overlaps = patterns.astype(np.float64) @ cues[:3].T.astype(np.float64)
    np.testing.assert_array_equal(net.energy(cues[:3]), -(overlaps ** 4).sum(axis=0))
    assert np.all(net.energy(recalled) <= net.energy(cues))
    assert net.degree == 4 and net.beta is None and net.separation == "polynomial"
    # Hebbian capacity (alpha_c ~ 0.14) is far exceeded at P = 2 d: the classical network fails.
    classical = bz.Hopfield(d).store(patterns).recall(cues, seed=1)
    assert np.mean(np.all(classical == patterns, axis=1)) < 0.1


def test_dense_errors_name_the_argument():
    patterns = np.array([[1, -1, 1], [-1, -1, 1]], np.float32)
    net = bz.DenseHopfield(patterns, beta=2.0)
    assert (net.n_patterns, net.dim, net.beta, net.degree) == (2, 3, 2.0, None)
    with pytest.raises(bz.ShapeError, match="queries"):
        net.retrieve(np.ones((2, 4)))
    with pytest.raises(bz.NumericError, match="queries"):
        net.retrieve([1.0, np.nan, 0.0])
    with pytest.raises(bz.NumericError, match="beta"):
        net.beta = -1.0
    with pytest.raises(bz.InvalidArgument, match="beta belongs"):
        bz.DenseHopfield(patterns, beta=1.0, separation="polynomial")
    with pytest.raises(bz.InvalidArgument, match="patterns"):
        bz.DenseHopfield(patterns * 0.5, separation="polynomial")
    with pytest.raises(bz.ShapeError, match="patterns"):
        bz.DenseHopfield(np.ones(3))
    net.beta = 0.5
    assert net.beta == 0.5 and net.retrieve(patterns).shape == (2, 3)
