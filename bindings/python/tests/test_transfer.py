"""The transfer matrix over the frontier (IsingModel.exact(method="transfer")) against
exact enumeration, Kaufman's torus, and its own derivatives on strips too long to
enumerate.

Tolerances: both methods sum the same Boltzmann weights in double precision, in
different orders and with different scalings; log Z agrees to 1e-12 relative, the
moments (ratios of sums, and C a difference of two) to 1e-9 relative plus 1e-9
absolute.
"""

import numpy as np
import pytest

import boltzmann as bz

BETAS = [0.0, 0.3, 1.0, 3.0, 20.0]


def agree(transfer, enumerated):
    np.testing.assert_allclose(transfer.log_z, enumerated.log_z, rtol=1e-12)
    for name in ("energy", "entropy", "heat_capacity", "magnetization", "magnetization_sq"):
        np.testing.assert_allclose(getattr(transfer, name), getattr(enumerated, name), rtol=1e-9, atol=1e-9,
                                   err_msg=name)
    assert np.isnan(transfer.abs_magnetization).all()


def random_model(rows, columns, periodic, seed):
    """Gaussian couplings on an rows x columns lattice (row-major) with Gaussian fields."""
    glass = bz.IsingModel.edwards_anderson((rows, columns), distribution="gaussian", periodic=periodic, seed=seed)
    h = np.random.default_rng(seed).normal(scale=0.5, size=glass.n_spins)
    return glass.with_fields(h)


@pytest.mark.parametrize("shape, periodic, plan", [((4, 4), False, (4, 0)), ((5, 5), False, (5, 0)),
                                                   ((6, 4), False, (4, 0)), ((4, 6), False, (6, 0)),
                                                   ((4, 4), True, (4, 4)), ((5, 4), True, (4, 4))])
def test_strips_with_fields_match_enumeration(shape, periodic, plan):
    model = random_model(*shape, periodic, seed=sum(shape))
    assert model.transfer_plan() == plan
    agree(model.exact(BETAS, method="transfer"), model.exact(BETAS, method="enumerate"))


def test_dense_and_irregular_models_match_enumeration():
    sk = bz.IsingModel.sk(12, h=0.2, seed=4)  # every pair coupled: the frontier is N - 1
    assert sk.transfer_plan() == (11, 0)
    agree(sk.exact(BETAS, method="transfer"), sk.exact(BETAS, method="enumerate"))
    rng = np.random.default_rng(9)  # a random sparse graph, some couplings long
    edges = [(i, j, rng.normal()) for i in range(16) for j in range(i + 1, 16) if rng.random() < 0.2]
    graph = bz.IsingModel.from_edges(16, edges, h=rng.normal(size=16))
    agree(graph.exact(BETAS, method="transfer"), graph.exact(BETAS, method="enumerate"))
    lone = bz.IsingModel.from_edges(5, [], h=[0.1, -0.2, 0.3, 0.0, 1.0])  # no couplings at all
    assert lone.transfer_plan() == (1, 0)
    agree(lone.exact(BETAS, method="transfer"), lone.exact(BETAS, method="enumerate"))


def test_negative_betas_and_pm_j_ground_states():
    glass = bz.IsingModel.edwards_anderson((4, 5), distribution="bimodal", periodic=False, seed=2)
    betas = [-2.0, -0.4, 0.5, 50.0]
    agree(glass.exact(betas, method="transfer"), glass.exact(betas, method="enumerate"))
    ground = glass.ground_state()
    cold = glass.exact(60.0, method="transfer")
    # At beta = 60, log Z = -beta E0 + log g0 up to e^{-120}-sized terms.
    assert cold.log_z == pytest.approx(-60.0 * ground.energy + np.log(ground.degeneracy), rel=1e-12)


def test_torus_matches_kaufman():
    betas = np.array([0.2, 0.4406868, 0.6, 2.0])
    torus = bz.IsingModel.square(8, 6)
    assert torus.transfer_plan() == (6, 6)
    kaufman = bz.ising.square_exact(8, 6, betas)
    t = torus.exact(betas, method="transfer")
    np.testing.assert_allclose(t.log_z, kaufman.log_z, rtol=1e-12)
    np.testing.assert_allclose(t.energy, kaufman.energy, rtol=1e-9)
    np.testing.assert_allclose(t.heat_capacity, kaufman.heat_capacity, rtol=1e-9)
    np.testing.assert_allclose(t.magnetization, 0, atol=1e-12)  # no field: <m> = 0 by symmetry


def test_long_strip_derivatives_match_finite_differences():
    """A 60 x 10 glass with fields (600 spins, far beyond enumeration): U and C, which
    the recursion differentiates exactly, against central differences of log Z
    (step 1e-4: truncation ~1e-8 C, rounding ~1e-16 log Z / 1e-8)."""
    model = random_model(60, 10, False, seed=5)
    beta, step = 0.7, 1e-4
    t = model.exact([beta - step, beta, beta + step], method="transfer")
    u = -(t.log_z[2] - t.log_z[0]) / (2 * step)
    c = beta**2 * (t.log_z[2] - 2 * t.log_z[1] + t.log_z[0]) / step**2
    assert t.energy[1] == pytest.approx(u, rel=1e-7)
    assert t.heat_capacity[1] == pytest.approx(c, rel=1e-4)
    # F, S and U hang together: S = beta U + log Z, F = -log Z / beta.
    assert t.entropy[1] == pytest.approx(beta * t.energy[1] + t.log_z[1], rel=1e-14)
    assert t.free_energy[1] == pytest.approx(-t.log_z[1] / beta, rel=1e-14)


def test_auto_picks_a_method_and_limits_are_named():
    strip = random_model(40, 5, False, seed=3)
    auto = strip.exact([0.5, 1.0])
    np.testing.assert_array_equal(auto.log_z, strip.exact([0.5, 1.0], method="transfer").log_z)
    small = bz.IsingModel.sk(10, seed=1)
    assert np.isfinite(small.exact(1.0).abs_magnetization)  # enumerated: <|m|> is there
    wide = bz.IsingModel.sk(40, seed=1)
    with pytest.raises(bz.LimitExceeded, match="frontier of 39 spins"):
        wide.exact(1.0, method="transfer")
    with pytest.raises(bz.InvalidArgument, match="max_bits"):
        strip.exact(1.0, method="transfer", max_bits=31)
    with pytest.raises(bz.InvalidArgument, match="method"):
        strip.exact(1.0, method="pfaffian")
    with pytest.raises(bz.NumericError):
        strip.exact([1.0, np.nan], method="transfer")
    assert bz.ising.transfer_default_limit() == 24


def test_progress_counts_spins_and_stops():
    strip = random_model(30, 6, False, seed=1)
    seen = []
    strip.exact([0.5, 1.0], method="transfer", progress=lambda done, total: seen.append((done, total)) or True)
    assert seen and seen[-1] == (2 * 180, 2 * 180)
    with pytest.raises(bz.Cancelled):
        strip.exact([0.5, 1.0], method="transfer", progress=lambda done, total: False)
    assert np.isfinite(strip.exact(0.5, method="transfer").log_z)  # still usable
