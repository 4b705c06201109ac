"""Spectra against closed forms, against scipy, and as Python objects."""

import pickle
import threading

import numpy as np
import pytest
from scipy.special import logsumexp

import boltzmann as bz


def two_level(beta, eps):
    """Closed forms for levels {0, eps}: Z = 1 + e^(-beta eps). The entropy is written
    without cancellation: S = log1p(e^-|x|) + |x| / (e^|x| + 1), x = beta eps."""
    x = beta * eps
    log_z = np.logaddexp(0, -x)
    u = eps / (np.exp(x) + 1)
    s = np.log1p(np.exp(-abs(x))) + abs(x) / (np.exp(abs(x)) + 1)
    c = x * x / (4 * np.cosh(x / 2) ** 2)
    return log_z, u, s, c


def test_two_level_closed_form():
    eps = 0.75
    beta = np.array([-20, -1, 0, 0.3, 1, 4, 50.0])
    t = bz.Spectrum([0, eps]).thermo(beta)
    log_z, u, s, c = two_level(beta, eps)
    # A few ulps of the values' size: the library works in log space throughout.
    # Relative tolerances only: at beta = 50, log Z ~ 5e-17 must still be right to
    # a few ulps of itself (the library sums in log space with log1p).
    np.testing.assert_allclose(t.log_z, log_z, rtol=1e-14)
    np.testing.assert_allclose(t.energy, u, rtol=1e-14)
    np.testing.assert_allclose(t.entropy, s, rtol=1e-13)
    np.testing.assert_allclose(t.heat_capacity, c, rtol=1e-13, atol=1e-300)
    assert np.isnan(t.free_energy[2])
    np.testing.assert_allclose(t.free_energy[beta != 0], -log_z[beta != 0] / beta[beta != 0], rtol=1e-14)


def test_matches_scipy_reference():
    rng = np.random.default_rng(0)
    e, g = rng.uniform(-3, 7, 5000), rng.uniform(1, 50, 5000)
    betas = np.linspace(-1, 3, 17)
    t = bz.Spectrum(e, g).thermo(betas)
    for k, b in enumerate(betas):
        a = np.log(g) - b * e
        lz = logsumexp(a)
        p = np.exp(a - lz)
        u = p @ e
        c = b * b * (p @ (e - u) ** 2)
        assert t.log_z[k] == pytest.approx(lz, rel=1e-12)
        assert t.energy[k] == pytest.approx(u, rel=1e-12)
        assert t.entropy[k] == pytest.approx(b * u + lz, rel=1e-12)
        assert t.heat_capacity[k] == pytest.approx(c, rel=1e-11, abs=1e-15)


def test_shapes_follow_beta():
    s = bz.Spectrum([0.0, 1.0, 2.0])
    assert isinstance(s.log_z(1.0), float)
    assert s.log_z(np.ones((2, 3))).shape == (2, 3)
    t = s.thermo(0.5)
    assert t.energy.shape == () and float(t.energy) > 0
    assert "heat_capacity" in str(s.thermo([0.5, 1.0]))


def test_probabilities_softmax():
    e = np.array([0.0, 0.5, 2.0])
    g = np.array([1.0, 3.0, 2.0])
    p = bz.Spectrum(e, g).probabilities(1.3)
    w = g * np.exp(-1.3 * e)
    np.testing.assert_allclose(p, w / w.sum(), rtol=1e-14)


def test_extreme_beta_is_finite():
    t = bz.Spectrum([-1e150, 1e150]).thermo([1e150, -1e150])
    assert np.all(np.isfinite([t.log_z, t.energy, t.entropy, t.heat_capacity]))
    assert t.log_z[0] == pytest.approx(1e300, rel=1e-15)


def test_log_degeneracies_beyond_double_range():
    # g = 1e400 on a single level: log Z = 400 ln 10 exactly; g itself overflows.
    s = bz.Spectrum([0.0], log_degeneracies=[400 * np.log(10)])
    assert s.log_z(2.0) == pytest.approx(400 * np.log(10), rel=1e-15)
    assert np.isinf(s.degeneracies[0])


def test_solve_beta():
    # Two levels {0, 1}: <E> = 1/(e^beta + 1) -> beta = ln((1-m)/m).
    for m in (0.01, 0.25, 0.6):
        assert bz.solve_beta([0, 1], m) == pytest.approx(np.log((1 - m) / m), rel=1e-12)
    beta = bz.solve_beta([1, 2, 3, 4, 5, 6], 4.5)
    assert bz.Spectrum([1, 2, 3, 4, 5, 6]).thermo(beta).energy == pytest.approx(4.5, abs=1e-14)
    with pytest.raises(bz.InvalidArgument, match="target_mean"):
        bz.solve_beta([1, 2, 3], 3.0)
    with pytest.raises(ValueError):  # InvalidArgument is a ValueError
        bz.solve_beta([1, 2, 3], 0.5)


def test_compose_is_additive():
    a = bz.Spectrum([0, 1, 3], [1, 2, 1])
    b = bz.Spectrum([0, 1])
    ab = a.compose(b)
    betas = np.array([-0.5, 0, 1, 2])
    np.testing.assert_allclose(ab.log_z(betas), a.log_z(betas) + b.log_z(betas), rtol=1e-14)
    pair = b.compose(b)
    np.testing.assert_array_equal(pair.energies, [0, 1, 2])
    np.testing.assert_allclose(pair.degeneracies, [1, 2, 1])
    with pytest.raises(bz.LimitExceeded, match="max_levels"):
        a.compose(a, max_levels=8)


def test_handles_close_pickle_and_repr():
    s = bz.Spectrum([0.0, 2.0], [1.0, 3.0])
    clone = pickle.loads(pickle.dumps(s))
    assert clone.log_z(0.7) == s.log_z(0.7)
    with bz.Spectrum([1.0]) as t:
        assert len(t) == 1
    with pytest.raises(bz.InvalidHandle, match="closed"):
        t.log_z(1.0)
    t.close()  # twice is harmless
    assert "closed" in repr(t) and "n_levels=2" in repr(s)


def test_concurrent_calls_on_one_spectrum():
    rng = np.random.default_rng(4)
    s = bz.Spectrum(rng.uniform(0, 1, 50_000))
    betas = np.linspace(0, 5, 64)
    want = s.log_z(betas)
    results = [None] * 6

    def work(i):
        results[i] = s.log_z(betas)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for r in results:
        np.testing.assert_array_equal(r, want)
