"""RBMs through the binding: exact quantities against numpy brute force."""

import itertools

import numpy as np
import pytest

import boltzmann as bz


def random_rbm(nv, nh, seed):
    rng = np.random.default_rng(seed)
    rbm = bz.RBM(nv, nh)
    rbm.set_parameters(rng.normal(size=(nv, nh)), rng.normal(0, 0.5, nv), rng.normal(0, 0.5, nh))
    return rbm


def test_log_likelihood_matches_brute_force():
    rbm = random_rbm(6, 5, seed=1)
    w, b, c = (x.astype(np.float64) for x in (rbm.weights_, rbm.visible_bias_, rbm.hidden_bias_))
    v = np.array(list(itertools.product([0, 1], repeat=6)), float)
    h = np.array(list(itertools.product([0, 1], repeat=5)), float)
    minus_e = (v @ b)[:, None] + (h @ c)[None, :] + v @ w @ h.T
    log_z = np.log(np.exp(minus_e - minus_e.max()).sum()) + minus_e.max()
    assert rbm.log_partition().value == pytest.approx(log_z, rel=1e-12)
    data = v[[3, 17, 40, 63]]
    free = -(data @ b) - np.logaddexp(0, c + data @ w).sum(axis=1)
    np.testing.assert_allclose(rbm.free_energy(data), free, rtol=1e-6)
    assert rbm.log_likelihood(data).value == pytest.approx(-free.mean() - log_z, rel=1e-6)
    np.testing.assert_allclose(rbm.transform(data), 1 / (1 + np.exp(-(c + data @ w))), rtol=1e-5)


def bars_and_stripes(side):
    patterns = set()
    for mask in range(2**side):
        bits = [(mask >> k) & 1 for k in range(side)]
        patterns.add(tuple(bits[i // side] for i in range(side * side)))
        patterns.add(tuple(bits[i % side] for i in range(side * side)))
    return np.array(sorted(patterns), np.float32)


def test_training_learns_bars_and_stripes():
    data = bars_and_stripes(3)
    assert len(data) == 14
    rbm = bz.RBM(9, 16, seed=1)
    before = float(rbm.log_likelihood(data))
    rbm.fit(np.tile(data, (10, 1)), epochs=1000, batch_size=14, learning_rate=0.1, k=5, seed=2)
    after = float(rbm.log_likelihood(data))
    assert abs(before + 9 * np.log(2)) < 0.01
    assert after > -np.log(14) - 0.3, after
    assert rbm.errors_.shape == (1000,) and rbm.errors_[-1] < rbm.errors_[0]
    assert rbm.reconstruct(data).shape == (14, 9)
    # AIS with its error bar agrees with the exact value.
    exact = rbm.log_partition().value
    ais = rbm.log_partition("ais", runs=100, betas=np.linspace(0, 1, 3001), seed=3)
    assert abs(ais.value - exact) < max(3 * ais.stderr, 1e-3) and abs(ais.value - exact) < 0.1, (ais, exact)
    assert 10 < ais.ess <= 100
    estimate = rbm.log_likelihood(data, "ais", runs=50, betas=np.linspace(0, 1, 2001), seed=4)
    assert abs(estimate.value - after) < 0.1 and estimate.stderr > 0


def test_stop_between_batches_keeps_a_usable_machine():
    rbm = bz.RBM(9, 8, seed=1)
    data = np.tile(bars_and_stripes(3), (10, 1))
    with pytest.raises(bz.Cancelled):
        rbm.fit(data, epochs=100, progress=lambda done, total: done < 3)
    assert np.isfinite(rbm.log_likelihood(data).value)
    assert not np.allclose(rbm.weights_, bz.RBM(9, 8, seed=1).weights_)


def test_errors_are_named_and_leave_the_machine_unchanged():
    rbm = bz.RBM(3, 2, seed=1)
    w = rbm.weights_
    with pytest.raises(bz.ShapeError, match="X"):
        rbm.fit(np.zeros((4, 2)))
    with pytest.raises(bz.InvalidArgument, match=r"data\[1, 2\]"):
        rbm.fit([[0, 1, 0], [0, 0, 2]])
    with pytest.raises(bz.NumericError, match="finite"):
        rbm.fit([[0, 1, np.nan]])
    with pytest.raises(bz.InvalidArgument, match="batch_size"):
        rbm.fit([[0, 1, 1]], batch_size=0)
    with pytest.raises(bz.InvalidArgument, match="k must"):
        rbm.fit([[0, 1, 1]], k=0)
    with pytest.raises(bz.InvalidArgument, match="epochs"):
        rbm.fit([[0, 1, 1]], epochs=0)
    np.testing.assert_array_equal(rbm.weights_, w)
    with pytest.raises(bz.LimitExceeded, match="AIS"):
        bz.RBM(40, 33).log_partition()
    with pytest.raises(bz.InvalidArgument, match="n_visible"):
        bz.RBM(0, 3)
    with pytest.raises(bz.NumericError, match="weights"):
        rbm.set_parameters(weights=np.full((3, 2), np.inf))
    with pytest.raises(bz.InvalidArgument, match="runs"):
        rbm.log_partition("ais", runs=0)
    with pytest.raises(bz.InvalidArgument, match="from 0 to 1"):
        rbm.log_partition("ais", betas=[0, 0.5])
    with pytest.raises(bz.InvalidArgument, match="method"):
        rbm.log_partition("bridge")
