"""log Z through one front door (IsingModel.log_partition) and by annealed importance
sampling (IsingModel.ais), against exact values from enumeration, the transfer matrix
and Kaufman's solution.

Estimators are checked within 3 of their own standard errors and a stated absolute
tolerance; the errors' honesty by the spread of z-scores over 60 seeds.
"""

import warnings

import numpy as np
import pytest

import boltzmann as bz


def within(estimate, exact, sigmas=3.0, absolute=0.5):
    assert estimate.stderr > 0
    assert abs(estimate.value - exact) <= sigmas * estimate.stderr, (estimate, exact)
    assert abs(estimate.value - exact) <= absolute, (estimate, exact)


def test_auto_picks_the_cheapest_exact_method_and_says_why_not():
    small = bz.IsingModel.sk(12, h=0.1, seed=2)
    z = small.log_partition(1.0)
    assert (z.method, z.stderr, z.note) == ("enumerate", 0.0, "")
    assert z.value == pytest.approx(float(small.exact(1.0).log_z), rel=1e-14)
    strip = bz.IsingModel.edwards_anderson((50, 8), distribution="gaussian", periodic=False, seed=1).with_fields(0.2)
    z = strip.log_partition(0.8)
    assert z.method == "transfer" and z.value == pytest.approx(float(strip.exact(0.8, method="transfer").log_z), rel=1e-14)
    torus = bz.IsingModel.square(64, 64)
    z = torus.log_partition(0.44)
    assert z.method == "kaufman"
    assert z.value == pytest.approx(float(bz.ising.square_exact(64, 64, 0.44).log_z), rel=1e-14)
    glass = bz.IsingModel.edwards_anderson((30, 30), distribution="gaussian", seed=3)
    z = glass.log_partition(0.5)  # a zero-field square lattice: the planar Pfaffian
    assert (z.method, z.stderr, z.note) == ("planar", 0.0, "")
    glass = glass.with_fields(0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        z = glass.log_partition(0.5, runs=10, n_betas=50)
    assert z.method == "ais" and z.stderr > 0 and 0 < z.ess <= 10
    for reason in ("900 spins is above 24", "2^60 states per step (frontier 30, 30 conditioned)", "the couplings differ",
                   "the planar Pfaffian: the fields are not zero"):
        assert reason in z.note


def test_named_methods_refuse_models_they_do_not_fit():
    glass = bz.IsingModel.edwards_anderson((8, 8), distribution="bimodal", seed=1)
    with pytest.raises(bz.InvalidArgument, match="Kaufman's solution does not apply: the couplings differ"):
        glass.log_partition(0.5, method="kaufman")
    with pytest.raises(bz.InvalidArgument, match="not a periodic square lattice"):
        bz.IsingModel.sk(10).log_partition(0.5, method="kaufman")
    with pytest.raises(bz.InvalidArgument, match="the fields are not zero"):
        bz.IsingModel.square(8, 8, h=0.1).log_partition(0.5, method="kaufman")
    with pytest.raises(bz.LimitExceeded, match="frontier of 39 spins"):
        bz.IsingModel.sk(40).log_partition(0.5, method="transfer")
    with pytest.raises(bz.InvalidArgument, match="method must be one of"):
        glass.log_partition(0.5, method="pfaffian")
    with pytest.raises(bz.InvalidArgument, match="beta >= 0"):
        glass.log_partition(-0.5, method="ais")
    with pytest.raises(bz.InvalidArgument, match="runs must be >= 2"):
        glass.log_partition(0.5, method="ais", runs=1)
    with pytest.raises(bz.Unsupported, match="single-spin"):
        glass.log_partition(0.5, method="ais", algorithm="wolff")
    with pytest.raises(bz.NumericError):
        glass.log_partition(float("nan"))
    assert glass.log_partition(0.0, method="ais", runs=4).value == pytest.approx(64 * np.log(2), rel=1e-15)


def test_ais_on_the_critical_torus_an_sk_glass_and_a_glass_strip():
    torus = bz.IsingModel.square(16, 16)
    beta_c = 0.5 * np.log(1 + np.sqrt(2))
    within(torus.log_partition(beta_c, method="ais", runs=100, n_betas=4000, seed=1),
           float(bz.ising.square_exact(16, 16, beta_c).log_z), absolute=0.3)
    sk = bz.IsingModel.sk(24, seed=3)
    within(sk.log_partition(1.0, method="ais", runs=200, n_betas=1000, seed=2), float(sk.exact(1.0).log_z),
           absolute=0.05)
    strip = bz.IsingModel.edwards_anderson((32, 16), distribution="gaussian", periodic=False, seed=2)
    within(strip.log_partition(1.0, method="ais", runs=100, n_betas=1000, sweeps=4, seed=3),
           float(strip.exact(1.0, method="transfer").log_z), absolute=0.5)


def test_ais_errors_are_honest():
    """Over 60 seeds the z-scores (estimate - exact) / stderr have rms in [0.7, 1.4]
    and mean within 4 / sqrt(60) of 0 (a biased or over-confident error fails)."""
    sk = bz.IsingModel.sk(16, seed=3)
    exact = float(sk.exact(1.0).log_z)
    z = np.array([(e.value - exact) / e.stderr for e in
                  (sk.log_partition(1.0, method="ais", runs=50, n_betas=200, seed=s) for s in range(60))])
    assert 0.7 <= np.sqrt(np.mean(z**2)) <= 1.4
    assert abs(z.mean()) <= 4 / np.sqrt(60)


def test_ais_schedule_is_one_pass_and_thread_independent():
    model = bz.IsingModel.edwards_anderson((6, 6), distribution="gaussian", seed=4).with_fields(0.3)
    betas = np.linspace(0, 1.5, 300)
    exact = model.exact(betas[[100, 200, 299]]).log_z
    threads = bz.get_num_threads()
    try:
        bz.set_num_threads(1)
        one = model.ais(betas, runs=200, seed=5)
        bz.set_num_threads(2)
        two = model.ais(betas, runs=200, seed=5)
    finally:
        bz.set_num_threads(threads)
    np.testing.assert_array_equal(one.log_z, two.log_z)
    assert one.log_z[0] == pytest.approx(36 * np.log(2)) and one.stderr[0] == 0 and one.ess[0] == 200
    for k, value in zip([100, 200, 299], exact):
        assert abs(one.log_z[k] - value) <= 4 * one.stderr[k] + 1e-3
    with pytest.raises(bz.InvalidArgument, match="start at 0"):
        model.ais([0.1, 0.2])
    with pytest.raises(bz.InvalidArgument, match="must increase"):
        model.ais([0.0, 0.2, 0.2])


def test_few_effective_runs_warn():
    glass = bz.IsingModel.edwards_anderson((20, 20), distribution="gaussian", seed=1)
    with pytest.warns(RuntimeWarning, match="dominated by a few runs"):
        glass.log_partition(3.0, method="ais", runs=20, n_betas=20)


def test_progress_and_cancel():
    glass = bz.IsingModel.edwards_anderson((10, 10), distribution="gaussian", seed=1)
    seen = []
    glass.ais(np.linspace(0, 1, 50), runs=10, progress=lambda done, total: seen.append((done, total)) or True)
    assert seen[-1] == (10 * 49, 10 * 49)
    with pytest.raises(bz.Cancelled):
        glass.log_partition(1.0, method="ais", progress=lambda done, total: False)
    assert glass.log_partition(1.0, method="ais", runs=4, n_betas=10).stderr >= 0  # still usable


def test_population_annealing_on_the_critical_torus_and_a_glass_strip():
    torus = bz.IsingModel.square(16, 16)
    beta_c = 0.5 * np.log(1 + np.sqrt(2))
    kaufman = bz.ising.square_exact(16, 16, beta_c)
    r = torus.population_annealing(np.linspace(0, beta_c, 200), replicas=200, populations=8, seed=1)
    assert abs(r.log_z[-1] - kaufman.log_z) <= 3 * r.log_z_err[-1] and abs(r.log_z[-1] - kaufman.log_z) <= 0.3
    assert abs(r.energy[-1] - kaufman.energy) <= 4 * r.energy_err[-1]
    assert r.family_entropy[0] == pytest.approx(np.log(200)) and 0 < r.family_entropy[-1] < np.log(200)
    assert r.effective_fraction[0] == 1 and np.all((r.effective_fraction > 0) & (r.effective_fraction <= 1))
    strip = bz.IsingModel.edwards_anderson((32, 16), distribution="gaussian", periodic=False, seed=2)
    exact = float(strip.exact(1.0, method="transfer").log_z)
    z = strip.log_partition(1.0, method="population", runs=100, n_betas=200, sweeps=2, seed=3)
    assert z.method == "population"
    within(z, exact, absolute=0.5)


def test_population_annealing_errors_are_honest_and_thread_independent():
    sk = bz.IsingModel.sk(16, seed=3)
    exact = float(sk.exact(1.0).log_z)
    z = np.array([(e.value - exact) / e.stderr for e in
                  (sk.log_partition(1.0, method="population", runs=50, n_betas=50, populations=16, seed=s)
                   for s in range(60))])
    assert 0.7 <= np.sqrt(np.mean(z**2)) <= 1.4
    assert abs(z.mean()) <= 4 / np.sqrt(60)
    model = bz.IsingModel.edwards_anderson((6, 6), distribution="gaussian", seed=4).with_fields(0.3)
    threads = bz.get_num_threads()
    try:
        bz.set_num_threads(1)
        one = model.population_annealing(np.linspace(0, 1.5, 40), replicas=50, populations=4, seed=5)
        bz.set_num_threads(2)
        two = model.population_annealing(np.linspace(0, 1.5, 40), replicas=50, populations=4, seed=5)
    finally:
        bz.set_num_threads(threads)
    for name in ("log_z", "log_z_err", "energy", "family_entropy", "effective_fraction"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))
    with pytest.raises(bz.InvalidArgument, match="populations must be in"):
        model.population_annealing([0.0, 1.0], populations=1)
    with pytest.raises(bz.InvalidArgument, match="replicas must be >= 2"):
        model.population_annealing([0.0, 1.0], replicas=1)
    with pytest.raises(bz.InvalidArgument, match="start at 0"):
        model.population_annealing([0.5, 1.0])
