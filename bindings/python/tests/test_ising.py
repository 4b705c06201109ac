"""Ising models from Python: exact answers against brute force and closed forms."""

import itertools
import pickle
import threading
import time

import numpy as np
import pytest

import boltzmann as bz
from boltzmann import ising


def all_states(n):
    return np.array(list(itertools.product([-1, 1], repeat=n)), dtype=np.int8)


def brute(model, beta):
    """log Z, U, C, <|m|> by listing every state with numpy (float64)."""
    s = all_states(model.n_spins)
    e = model.energy(s)
    a = -beta * e
    top = a.max()
    w = np.exp(a - top)
    z = w.sum()
    p = w / z
    u = (p * e).sum()
    return top + np.log(z), u, beta**2 * (p * (e - u) ** 2).sum(), (p * np.abs(s.mean(1))).sum()


def test_energy_matches_the_definition_and_local_fields_give_flip_costs():
    rng = np.random.default_rng(0)
    j = rng.normal(size=(6, 6))
    j = np.triu(j, 1)
    j = j + j.T
    h = rng.normal(size=6)
    model = bz.IsingModel.from_dense(j, h)
    s = all_states(6)
    expected = -0.5 * np.einsum("ki,ij,kj->k", s, j, s) - s @ h
    assert np.allclose(model.energy(s), expected, atol=1e-12)
    f = model.local_fields(s)
    flipped = s.copy()
    flipped[:, 2] *= -1
    assert np.allclose(model.energy(flipped) - model.energy(s), 2 * s[:, 2] * f[:, 2], atol=1e-12)
    assert np.allclose(model.coupling_matrix(), j)


def test_exact_enumeration_matches_numpy_brute_force():
    model = bz.IsingModel.sk(10, seed=4, h=0.2)
    for beta in (0.0, 0.5, 2.0):
        t = model.exact(beta)
        log_z, u, c, m = brute(model, beta)
        assert isinstance(t, bz.Thermo)
        assert t.log_z == pytest.approx(log_z, rel=1e-13)
        assert t.energy == pytest.approx(u, rel=1e-12, abs=1e-12)
        assert t.heat_capacity == pytest.approx(c, rel=1e-11, abs=1e-12)
        assert t.abs_magnetization == pytest.approx(m, rel=1e-12)


def test_paramagnet_is_a_product_of_two_cosh():
    h = np.array([0.3, -1.2, 2.0, 0.7])
    model = bz.IsingModel.from_edges(4, [], h)
    assert model.exact(1.5).log_z == pytest.approx(np.log(2 * np.cosh(1.5 * h)).sum(), rel=1e-14)


@pytest.mark.parametrize("periodic", [False, True])
def test_chain_transfer_matrix_equals_enumeration(periodic):
    for n in (3, 8, 13):
        model = bz.IsingModel.chain(n, J=0.7, h=0.3, periodic=periodic)
        betas = np.array([0.2, 1.0, 2.5])
        a, b = ising.chain_exact(n, 0.7, 0.3, betas, periodic=periodic), model.exact(betas)
        np.testing.assert_allclose(a.log_z, b.log_z, rtol=1e-13)
        np.testing.assert_allclose(a.heat_capacity, b.heat_capacity, rtol=1e-11)
        np.testing.assert_allclose(a.magnetization, b.magnetization, rtol=1e-12)


def test_chain_correlation_is_tanh_to_the_r():
    r = np.arange(6)
    np.testing.assert_allclose(ising.chain_correlation(r, J=1.0, beta=0.8), np.tanh(0.8) ** r, rtol=1e-14)


@pytest.mark.parametrize("size", [(3, 3), (4, 4)])
def test_kaufman_equals_enumeration(size):
    betas = np.array([0.1, 0.44, 1.0])
    exact = ising.square_exact(*size, betas)
    enumerated = bz.IsingModel.square(*size).exact(betas)
    np.testing.assert_allclose(exact.log_z, enumerated.log_z, rtol=1e-13)
    np.testing.assert_allclose(exact.heat_capacity, enumerated.heat_capacity, rtol=1e-10)


def test_onsager_and_critical_temperature():
    tc = ising.critical_temperature()
    assert tc == pytest.approx(2 / np.log(1 + np.sqrt(2)), rel=1e-15)
    o = ising.onsager([0.3, 1 / tc, 0.6])
    assert o.magnetization[0] == 0 and o.magnetization[2] > 0.9
    assert o.energy[1] == pytest.approx(-np.sqrt(2), rel=1e-14)  # u(T_c) = -J coth(2 K_c) = -sqrt 2
    assert o.heat_capacity[1] > 10 * max(o.heat_capacity[0], o.heat_capacity[2])  # the log divergence


def test_density_of_states_counts_every_state_and_gives_thermo():
    model = bz.IsingModel.square(4, 4)
    dos = model.density_of_states(by_magnetization=True)
    assert dos.counts.sum() == 2**16 and dos.counts_by_magnetization.sum() == 2**16
    assert dos.energies[0] == -32 and dos.counts[0] == 2
    np.testing.assert_allclose(dos.thermo([0.3, 0.6]).log_z, model.exact([0.3, 0.6]).log_z, rtol=1e-14)
    with pytest.raises(bz.InvalidArgument, match="whole-number"):
        bz.IsingModel.sk(5).density_of_states()


def test_ground_state_and_qubo_round_trip():
    model = bz.IsingModel.sk(8, seed=2, h=0.1)
    g = model.ground_state()
    assert g.energy == pytest.approx(model.energy(all_states(8)).min(), abs=1e-12)
    assert model.energy(g.spins) == pytest.approx(g.energy, abs=1e-13)
    q, c = model.to_qubo()
    back, offset = bz.IsingModel.from_qubo(q)
    s = all_states(8)
    x = (s + 1) // 2
    e_qubo = np.einsum("ki,ij,kj->k", x, q, x) + c
    np.testing.assert_allclose(e_qubo, model.energy(s), atol=1e-12)
    np.testing.assert_allclose(back.energy(s) + offset, e_qubo - c, atol=1e-12)


def test_models_pickle_and_close():
    model = bz.IsingModel.edwards_anderson((4, 4), seed=3, h=np.linspace(-1, 1, 16))
    again = pickle.loads(pickle.dumps(model))
    s = all_states(16)[::997]
    np.testing.assert_array_equal(model.energy(s), again.energy(s))
    assert model.is_bipartite and bz.IsingModel.square(3, 3).bipartition() is None
    model.close()
    with pytest.raises(bz.InvalidHandle):
        model.n_spins


def test_enumeration_cap_progress_and_interrupt():
    with pytest.raises(bz.LimitExceeded, match="max_spins = 31"):
        bz.IsingModel.chain(31).exact(1.0, method="enumerate")
    seen = []
    model = bz.IsingModel.square(4, 5)  # 2^20 states, 16 blocks
    with pytest.raises(bz.Cancelled):
        model.exact(1.0, progress=lambda done, total: seen.append((done, total)) or done < 2**17)
    assert seen[0] == (0, 2**20)
    with pytest.raises(ZeroDivisionError):
        model.ground_state(progress=lambda done, total: 1 / 0)
    # bz_interrupt from another thread stops a long walk (SK-34: about 20 s) within a
    # fraction of a second; the model stays usable.
    big = bz.IsingModel.sk(34, seed=1)
    timer = threading.Timer(0.3, big.interrupt)
    timer.start()
    started = time.perf_counter()
    with pytest.raises(bz.Cancelled, match="interrupt"):
        big.exact(np.linspace(0.1, 1, 8), max_spins=34)
    timer.join()
    assert time.perf_counter() - started < 3
    assert model.exact(0.5).log_z > 0


def test_mean_field_transition_hysteresis_and_curie_weiss():
    mf = ising.mean_field(0.5, J=1, z=4)
    assert mf.critical_temperature == 4 and len(mf.magnetization) == 3
    np.testing.assert_allclose(mf.magnetization, np.tanh(0.5 * 4 * mf.magnetization), atol=1e-12)
    assert list(mf.stable) == [True, False, True] and mf.equilibrium > 0.9
    curve = ising.mean_field_magnetization(1 / np.array([1.0, 3.0, 3.9, 4.1, 8.0]), J=1, z=4)
    assert np.all(curve[:3] > 0) and np.all(curve[3:] == 0)
    loop = ising.hysteresis(0.5, J=1, z=4)
    assert len(loop.coercive_fields) == 2 and loop.coercive_fields[0] == pytest.approx(-loop.coercive_fields[1], abs=0.02)
    model = bz.IsingModel.complete(10, J=1.0, h=0.05)
    cw = ising.curie_weiss(10, [0.5, 2.0], J=1.0, h=0.05)
    np.testing.assert_allclose(cw.log_z, model.exact([0.5, 2.0]).log_z, rtol=1e-13)
