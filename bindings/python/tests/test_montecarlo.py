"""Monte Carlo against exact answers: fixed seeds, bounds in standard errors."""

import threading

import numpy as np
import pytest

import boltzmann as bz

BETA_C = np.log(1 + np.sqrt(2)) / 2


def within(estimate, exact, k):
    return estimate.error > 0 and abs(estimate.mean - exact) <= k * estimate.error


@pytest.mark.parametrize("algorithm,order", [("metropolis", "sequential"), ("metropolis", "checkerboard"),
                                             ("heat_bath", "random"), ("heat_bath", "checkerboard"),
                                             ("wolff", "sequential"), ("swendsen_wang", "sequential"),
                                             ("multispin", "sequential"), ("multispin_shared", "sequential")])
def test_torus_energy_and_heat_capacity_match_kaufman(algorithm, order):
    """16 x 16 torus at beta = 0.3, beta_c, 0.5: <E>/N within 4 sigma and C/N within 5 sigma of Kaufman."""
    model = bz.IsingModel.square(16, 16)
    betas = [0.3, BETA_C, 0.5]
    exact = bz.ising.square_exact(16, 16, betas)
    for k, beta in enumerate(betas):
        chains, sweeps = {"multispin": (64, 3000), "multispin_shared": (512, 3000)}.get(algorithm, (8, 12_000))
        mc = bz.MonteCarlo(model, beta, algorithm, order, chains=chains, seed=100 + k)
        r = mc.run(sweeps, burn_in=1000)
        assert within(r.energy, exact.energy[k] / 256, 4), (beta, r.energy, exact.energy[k] / 256)
        assert within(r.heat_capacity, exact.heat_capacity[k] / 256, 5), (beta, r.heat_capacity, exact.heat_capacity[k] / 256)
        assert 0.5 < r.energy.binning_error / r.energy.error < 2


@pytest.mark.parametrize("side", [4, 5])
def test_small_lattices_match_enumeration(side):
    """<|m|>, <m^2> and U4 on 4 x 4 and 5 x 5 tori against all 2^N states."""
    model = bz.IsingModel.square(side, side)
    for beta in (0.35, 0.5):
        exact = model.exact(beta)
        r = bz.MonteCarlo(model, beta, "metropolis", chains=4, seed=side).run(20_000, burn_in=500)
        assert within(r.abs_magnetization, exact.abs_magnetization, 4), (beta, r.abs_magnetization)
        assert within(r.magnetization_sq, exact.magnetization_sq, 4), (beta, r.magnetization_sq)
        assert within(r.energy, exact.energy / side**2, 4)


@pytest.mark.determinism
def test_same_seed_same_results_for_any_thread_count():
    model = bz.IsingModel.square(8, 8)
    threads = bz.get_num_threads()
    try:
        bz.set_num_threads(1)
        one = bz.MonteCarlo(model, 0.4, "heat_bath", "random", chains=3, seed=5).run(200, series=True)
        bz.set_num_threads(2)
        two = bz.MonteCarlo(model, 0.4, "heat_bath", "random", chains=3, seed=5).run(200, series=True)
    finally:
        bz.set_num_threads(threads)
    assert one.energy == two.energy and one.binder == two.binder
    np.testing.assert_array_equal(one.energy_series, two.energy_series)
    assert one.energy_series.shape == (3, 200)


def test_series_spins_and_continuation():
    model = bz.IsingModel.square(6, 6)
    mc = bz.MonteCarlo(model, 0.3, chains=2, seed=1)
    r = mc.run(100, burn_in=10, measure_every=5, series=True)
    assert r.energy_series.shape == (2, 20)
    assert r.energy.mean == pytest.approx(r.energy_series.mean())
    spins = mc.spins
    assert spins.shape == (2, 36) and set(np.unique(spins)) <= {-1, 1}
    # The last measurement is the current state's energy per spin.
    np.testing.assert_allclose(model.energy(spins) / 36, r.energy_series[:, -1], rtol=1e-12)
    mc.beta = 2.0
    cold = mc.run(200, burn_in=200)
    assert cold.beta == 2.0 and cold.energy.mean < r.energy.mean


def test_clamped_spins_stay_and_the_rest_sample_the_conditional():
    """A 3-spin chain with the middle spin clamped: the ends are independent, each
    with field J, so <s_end> = tanh(beta J) exactly."""
    model = bz.IsingModel.chain(3, J=1.0, periodic=False)
    mc = bz.MonteCarlo(model, 0.5, "heat_bath", chains=4, seed=8).clamp([1], [1])
    r = mc.run(40_000, series=True)
    assert np.all(mc.spins[:, 1] == 1)
    exact = (1 + 2 * np.tanh(0.5)) / 3
    assert within(r.magnetization, exact, 4), (r.magnetization, exact)
    mc.release_clamps()
    assert abs(mc.run(20_000, burn_in=100).magnetization.mean) < 0.1


def test_cluster_updates_refuse_frustration_and_fields():
    with pytest.raises(bz.Unsupported, match="ferromagnet"):
        bz.MonteCarlo(bz.IsingModel.square(4, 4, J=-1.0), 0.4, "wolff")
    with pytest.raises(bz.Unsupported, match="zero fields"):
        bz.MonteCarlo(bz.IsingModel.square(4, 4, h=0.1), 0.4, "swendsen_wang")
    with pytest.raises(bz.Unsupported, match="single-spin"):
        bz.MonteCarlo(bz.IsingModel.square(4, 4), 0.4, "wolff").clamp([0], [1])


def test_correlation_along_a_ring_matches_the_transfer_matrix():
    """C(r) on a 32-spin ring at beta = 0.5 within 4 sigma of the exact <s_0 s_r>."""
    model = bz.IsingModel.chain(32)
    mc = bz.MonteCarlo(model, 0.5, "heat_bath", chains=8, seed=6).measure_correlation(0)
    r = mc.run(20_000, burn_in=200)
    exact = bz.ising.chain_correlation(np.arange(17), beta=0.5, n=32)
    assert r.correlation.shape == (17,) and r.correlation[0] == 1
    z = np.abs(r.correlation[1:] - exact[1:]) / r.correlation_error[1:]
    assert np.all(z < 4), z


def test_correlation_on_a_lattice_axis_and_open_boundaries():
    """Both axes of a symmetric torus agree; an open axis of length L has L distances."""
    torus = bz.IsingModel.square(12, 12)
    rows = bz.MonteCarlo(torus, 0.3, chains=8, seed=1).measure_correlation(0).run(4000, burn_in=200)
    cols = bz.MonteCarlo(torus, 0.3, chains=8, seed=2).measure_correlation(1).run(4000, burn_in=200)
    assert rows.correlation.shape == (7,) and rows.correlation[0] == cols.correlation[0] == 1
    difference = np.abs(rows.correlation - cols.correlation)[1:]
    assert np.all(difference < 5 * np.hypot(rows.correlation_error, cols.correlation_error)[1:])
    assert np.all(np.diff(rows.correlation) < 0)  # decays with distance at high temperature
    open_chain = bz.MonteCarlo(bz.IsingModel.chain(10, periodic=False), 0.5, "heat_bath", chains=2, seed=3)
    assert open_chain.measure_correlation(0).run(2000).correlation.shape == (10,)
    with pytest.raises(bz.Unsupported, match="lattice"):
        bz.MonteCarlo(bz.IsingModel.sk(8, seed=1), 1.0).measure_correlation(0)
    with pytest.raises(bz.InvalidArgument, match="axis"):
        bz.MonteCarlo(torus, 0.3).measure_correlation(2)


def test_equilibration_check_flags_a_drift():
    """Hot chains quenched to beta = 0.6 drift for a while: the check says so when the
    burn-in is skipped (z = 5.2 here), and agrees once the chains have relaxed (0.5)."""
    model = bz.IsingModel.square(32, 32)
    mc = bz.MonteCarlo(model, 0.6, chains=16, seed=4)
    mc.run(400)
    drifting = mc.equilibration("energy")
    assert not drifting.equilibrated and drifting.first_half[0] > drifting.second_half[0]
    mc.run(4000, burn_in=2000)
    settled = mc.equilibration("energy")
    assert settled.equilibrated, settled
    with pytest.raises(bz.InvalidArgument, match="observable"):
        mc.equilibration("binder")
    with pytest.raises(bz.WrongState, match="64"):
        mc.run(10)
        mc.equilibration()


def test_model_closed_after_binding_is_safe():
    model = bz.IsingModel.square(4, 4)
    mc = bz.MonteCarlo(model, 0.4, seed=2)
    model.close()
    assert mc.run(50).energy.error >= 0


def test_errors_are_named():
    model = bz.IsingModel.square(4, 4)
    with pytest.raises(bz.InvalidArgument, match="algorithm"):
        bz.MonteCarlo(model, 0.4, algorithm="gibbs")
    with pytest.raises(bz.InvalidArgument, match="beta"):
        bz.MonteCarlo(model, -1.0)
    with pytest.raises(bz.InvalidArgument, match="bipartite"):
        bz.MonteCarlo(bz.IsingModel.sk(6, seed=1), 1.0, order="checkerboard")
    mc = bz.MonteCarlo(model, 0.4)
    with pytest.raises(bz.WrongState, match="run first"):
        mc.results()
    with pytest.raises(bz.InvalidArgument, match="sweeps"):
        mc.run(0)
    # A call back into the sampler from its own progress callback is refused, not a crash.
    with pytest.raises(bz.Busy):
        mc.run(1000, progress=lambda done, total: mc.results())
    assert mc.run(10).energy.mean <= 2


def test_interrupt_from_another_thread():
    mc = bz.MonteCarlo(bz.IsingModel.square(64, 64), 0.4, seed=3)
    timer = threading.Timer(0.2, mc.interrupt)
    timer.start()
    with pytest.raises(bz.Cancelled):
        mc.run(10**7)
    timer.join()
    assert mc.run(5).energy.mean < 0


def test_fixed_order_metropolis_never_cycles():
    """The outside check's case: seed 70 put one of 16 sequential chains in a cycle of
    e = 0 states (every spin with two agreeing neighbours flipped each sweep), 188
    sigma off. With lazy ties every fixed order matches enumeration."""
    model = bz.IsingModel.square(4)
    exact = model.exact(0.7).energy / 16
    for order in ("sequential", "checkerboard", "colored"):
        r = bz.MonteCarlo(model, 0.7, "metropolis", order, chains=16, seed=70).run(4000, burn_in=1000, series=True)
        assert within(r.energy, exact, 4), (order, r.energy, exact)
        assert np.all(r.energy_series.std(axis=1) > 0)
