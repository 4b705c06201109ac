"""Parallel tempering and annealing against enumeration: fixed seeds, bounds in standard errors."""

import numpy as np
import pytest

import boltzmann as bz


def test_tempering_energies_match_enumeration_on_a_16_spin_glass():
    """<E> at every beta of the ladder within 4 sigma of all 2^16 states."""
    glass = bz.IsingModel.sk(16, seed=11)
    betas = bz.beta_schedule("geometric", 0.2, 3.0, 10)
    r = bz.parallel_tempering(glass, betas, 20_000, burn_in=1000, replicas=4, seed=2)
    for k, beta in enumerate(betas):
        exact = glass.exact(beta).energy / 16
        e = r.results[k].energy
        assert e.error > 0 and abs(e.mean - exact) <= 4 * e.error, (beta, e, exact)
    assert np.all(r.swap_acceptance > 0.2) and r.round_trips > 10
    np.testing.assert_allclose(r.overlap.sum(axis=1), 1, rtol=1e-12)


def test_tempering_finds_the_ground_state():
    """As an optimiser: the coldest chain of a 20-spin glass reaches the exact ground
    state that exhaustive search finds."""
    glass = bz.IsingModel.sk(20, seed=13)
    ground = glass.ground_state().energy
    r = bz.parallel_tempering(glass, bz.beta_schedule("geometric", 0.2, 5.0, 12), 2000, replicas=2, seed=1,
                              series=True)
    lowest = r.results[-1].energy_series.min() * 20
    assert lowest == pytest.approx(ground, abs=1e-9), (lowest, ground)


def test_overlap_distribution_broadens_below_the_glass_transition():
    """SK P(q): one peak at q = 0 when hot (beta = 0.4 < beta_c = 1), weight spread out to
    |q| ~ 1 when cold (beta = 3): the many equilibria of a spin glass."""
    glass = bz.IsingModel.sk(64, seed=5)
    r = bz.parallel_tempering(glass, bz.beta_schedule("geometric", 0.4, 3.0, 16), 4000, replicas=2, seed=3)
    variance = (r.overlap * r.q_values**2).sum(axis=1)
    assert variance[0] < 0.1 < 0.4 < variance[-1], variance
    np.testing.assert_allclose(r.overlap[-1], r.overlap[-1][::-1], atol=0.08)  # q -> -q at h = 0


def test_annealing_finds_the_ground_state_of_a_24_spin_glass():
    glass = bz.IsingModel.sk(24, seed=8)
    ground = glass.ground_state().energy
    betas = bz.beta_schedule("geometric", 0.1, 10.0, 1000)
    a = bz.anneal(glass, betas, sweeps=10, reads=100, seed=4)
    assert np.mean(np.abs(a.energies - ground) < 1e-9) >= 0.9
    assert a.best_energy == pytest.approx(ground, abs=1e-9)
    np.testing.assert_allclose(glass.energy(a.spins), a.energies, atol=1e-9)
    # The default schedule spans the model's own scales.
    hot, cold = bz.anneal_beta_range(glass)
    assert 0 < hot < 1 < cold
    assert bz.anneal(glass, sweeps=5, reads=20, seed=1).best_energy == pytest.approx(ground, abs=1e-9)


def test_max_cut_through_qubo():
    """Max-Cut of a random 14-node graph as a QUBO: annealing the Ising form finds the
    largest cut, which enumeration confirms."""
    rng = np.random.default_rng(7)
    n = 14
    w = np.triu(rng.random((n, n)) < 0.4, 1).astype(float)
    # cut(x) = sum_{i<j} w_ij (x_i + x_j - 2 x_i x_j): minimise -cut.
    q = -np.diag(w.sum(axis=0) + w.sum(axis=1)) + 2 * w
    model, offset = bz.IsingModel.from_qubo(q)
    best = bz.anneal(model, sweeps=5, reads=20, seed=1)
    x = (best.best_spins + 1) // 2
    cut = sum(w[i, j] for i in range(n) for j in range(n) if w[i, j] and x[i] != x[j])
    assert cut == pytest.approx(-(model.ground_state().energy + offset))


@pytest.mark.determinism
def test_same_seed_same_results_and_continuation():
    glass = bz.IsingModel.sk(10, h=0.2, seed=1)
    threads = bz.get_num_threads()
    try:
        runs = []
        for t in (1, 2):
            bz.set_num_threads(t)
            runs.append(bz.parallel_tempering(glass, [0.5, 1.0, 2.0], 300, replicas=3, seed=4, series=True))
    finally:
        bz.set_num_threads(threads)
    assert runs[0].results[2].energy == runs[1].results[2].energy
    np.testing.assert_array_equal(runs[0].results[1].energy_series, runs[1].results[1].energy_series)
    assert runs[0].results[1].energy_series.shape == (3, 300)
    with bz.ParallelTempering(glass, [0.5, 1.0], replicas=1, seed=1) as pt:
        first = pt.run(100, swap_every=5)
        assert first.overlap is None and pt.spins.shape == (1, 2, 10)
        assert pt.run(100).round_trips >= first.round_trips


def test_errors_are_named():
    glass = bz.IsingModel.sk(6, seed=1)
    with pytest.raises(bz.InvalidArgument, match="increase strictly"):
        bz.ParallelTempering(glass, [1.0, 0.5])
    with pytest.raises(bz.InvalidArgument, match="n_betas"):
        bz.ParallelTempering(glass, [1.0])
    with pytest.raises(bz.Unsupported, match="ferromagnet"):
        bz.ParallelTempering(glass, [0.5, 1.0], algorithm="wolff")
    with pytest.raises(bz.InvalidArgument, match="swap_every"):
        bz.parallel_tempering(glass, [0.5, 1.0], 10, swap_every=0)
    with pytest.raises(bz.InvalidArgument, match="geometric"):
        bz.beta_schedule("geometric", 0.0, 1.0, 5)
    with pytest.raises(bz.InvalidArgument, match="kind"):
        bz.beta_schedule("cosine", 0.0, 1.0, 5)
    with pytest.raises(bz.Unsupported, match="single-spin"):
        bz.anneal(glass, [1.0], algorithm="swendsen_wang")
    with pytest.raises(bz.NumericError, match=r"betas\[1\]"):
        bz.anneal(glass, [1.0, np.nan])
    with pytest.raises(bz.Cancelled):
        bz.anneal(glass, [1.0] * 1000, sweeps=1000, reads=4, progress=lambda done, total: False)
