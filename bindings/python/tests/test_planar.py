"""The planar Pfaffian (exact log Z, U, C of zero-field square lattices, any couplings).

Exact references: enumeration (small lattices, open and periodic), the frontier
transfer matrix (open 32 x 16 glasses, exact to rounding at every beta) and
Kaufman's torus. The estimators are then held to the planar answer on a 32 x 32
glass, where no other exact method reaches.
"""

import numpy as np
import pytest

import boltzmann as bz


def glass(rows, columns, periodic=False, distribution="gaussian", seed=1):
    return bz.IsingModel.edwards_anderson((rows, columns), distribution=distribution, periodic=periodic, seed=seed)


@pytest.mark.parametrize("shape, periodic", [((4, 4), False), ((5, 5), False), ((4, 6), False), ((1, 9), False),
                                             ((7, 1), False), ((4, 4), True), ((3, 5), True), ((5, 4), True)])
@pytest.mark.parametrize("distribution", ["gaussian", "bimodal"])
def test_matches_enumeration(shape, periodic, distribution):
    # Open: log Z to 1e-12 relative, U and C (ratios of sums) to 1e-9. Torus: the
    # four Pfaffians cancel up to 1 part in 1e4 before the call refuses, so 1e-10
    # and 1e-7.
    model = glass(*shape, periodic=periodic, distribution=distribution, seed=3)
    betas = np.array([0.0, 0.3, 1.0, 1.5, 2.0, -0.8])
    exact = model.exact(betas, method="enumerate")
    planar = model.exact(betas, method="planar")
    z, d = (1e-10, 1e-7) if periodic else (1e-12, 1e-9)
    np.testing.assert_allclose(planar.log_z, exact.log_z, rtol=z)
    np.testing.assert_allclose(planar.energy, exact.energy, rtol=d, atol=d)
    np.testing.assert_allclose(planar.heat_capacity, exact.heat_capacity, rtol=d, atol=d)
    np.testing.assert_allclose(planar.entropy, exact.entropy, rtol=d, atol=d)
    assert np.isnan(planar.magnetization).all() and np.isnan(planar.abs_magnetization).all()


@pytest.mark.parametrize("distribution", ["gaussian", "bimodal"])
def test_matches_transfer_matrix_on_a_wide_strip(distribution):
    # 32 x 16: 512 spins, the transfer matrix's 2^16 frontier exact to rounding; down
    # to the frustrated limit, beta J_rms = 3, the Pfaffian keeps log Z to 1e-12 and C
    # to 1e-7 (the domain walls measured from an annealed low-energy state).
    model = glass(32, 16, distribution=distribution, seed=5)
    betas = np.array([0.5, 1.0, 2.0, 2.9])
    transfer = model.exact(betas, method="transfer")
    planar = model.exact(betas, method="planar")
    np.testing.assert_allclose(planar.log_z, transfer.log_z, rtol=1e-12)
    np.testing.assert_allclose(planar.energy, transfer.energy, rtol=1e-9)
    np.testing.assert_allclose(planar.heat_capacity, transfer.heat_capacity, rtol=1e-7)


@pytest.mark.parametrize("shape", [(16, 16), (17, 12), (32, 32), (3, 3)])
@pytest.mark.parametrize("coupling", [1.0, -1.0, 0.5])
def test_torus_matches_kaufman(shape, coupling):
    model = bz.IsingModel.square(*shape, J=coupling)
    betas = np.array([0.1, 0.4406868, 0.7, 1.2])
    if coupling < 0 and any(side % 2 for side in shape):
        # An antiferromagnet on an odd torus, which Kaufman's formula refuses: warm,
        # the Pfaffian gives it (below the ferromagnet: its frustrated seam costs);
        # cold, twisted boundary conditions outweigh it by e^(beta seam energy), the
        # four Pfaffians cancel past 1 part in 1e4, and the call refuses.
        warm = betas[:1] if shape != (3, 3) else betas[:2]
        planar = model.exact(warm, method="planar").log_z
        ferro = bz.IsingModel.square(*shape, J=-coupling).exact(warm, method="planar").log_z
        assert (planar <= ferro * (1 + 1e-14)).all()
        with pytest.raises(bz.Unsupported, match="cancel"):
            model.exact(1.2, method="planar")
        return
    kaufman = np.array([model.log_partition(b, method="kaufman").value for b in betas])
    np.testing.assert_allclose(model.exact(betas, method="planar").log_z, kaufman, rtol=1e-10)


def test_a_cold_glass_torus_is_exact_or_refused():
    # A glass on a torus at beta = 2.5: its four Pfaffians cancel as twisted boundary
    # conditions compete; the answer holds to 1e-10, or the call says why not.
    for seed in range(4):
        model = glass(4, 5, periodic=True, distribution="bimodal", seed=seed)
        try:
            planar = model.exact(2.5, method="planar").log_z
        except bz.Unsupported as refusal:
            assert "cancel" in str(refusal)
            continue
        np.testing.assert_allclose(planar, model.exact(2.5, method="enumerate").log_z, rtol=1e-10)


def test_log_partition_front_door():
    wide = glass(40, 40, seed=2)
    estimate = wide.log_partition(1.0)
    assert (estimate.method, estimate.stderr, estimate.note) == ("planar", 0.0, "")
    assert estimate.value == pytest.approx(wide.exact(1.0, method="planar").log_z, rel=1e-14)
    # A narrow strip still goes to the transfer matrix (exact to rounding at every beta).
    assert glass(40, 8, seed=2).log_partition(1.0).method == "transfer"
    # A field rules the Pfaffian out, and the note says so.
    in_field = bz.IsingModel.edwards_anderson((40, 40), h=0.1, seed=2)
    fallback = in_field.log_partition(1.0, runs=10, n_betas=50, progress=False)
    assert fallback.method == "ais" and "the planar Pfaffian: the fields are not zero" in fallback.note
    with pytest.raises(bz.InvalidArgument, match="fields are not zero"):
        in_field.log_partition(1.0, method="planar")
    with pytest.raises(bz.InvalidArgument, match="not a 2D square lattice"):
        bz.IsingModel.sk(30).exact(1.0, method="planar")
    with pytest.raises(bz.InvalidArgument, match="both sides >= 3"):
        bz.IsingModel.square(2, 8).exact(1.0, method="planar")
    with pytest.raises(bz.InvalidArgument, match="not a 2D square lattice"):
        bz.IsingModel.cubic(3, 3, 3).exact(1.0, method="planar")
    with pytest.raises(bz.InvalidArgument, match='"planar"'):
        wide.exact(1.0, method="pfaffian")


def test_exact_auto_reaches_the_planar_pfaffian():
    wide = glass(30, 30, seed=4)
    assert np.isnan(wide.exact(1.0).magnetization)  # the Pfaffian: no magnetisation
    assert wide.exact(1.0).log_z == pytest.approx(wide.exact(1.0, method="planar").log_z, rel=1e-14)


def test_kasteleyn_matrix_gives_log_z():
    model = glass(4, 3, seed=6)
    k = model.kasteleyn(0.9)
    dense = k.toarray()
    assert dense.shape == (120, 120) and np.array_equal(dense, -dense.T)  # the dual: a 5 x 4 frame of cities
    sign, logdet = np.linalg.slogdet(dense)
    assert sign > 0
    assert k.log_prefactor + logdet / 2 == pytest.approx(model.exact(0.9, method="enumerate").log_z, rel=1e-12)
    assert (k.tosparse().toarray() == dense).all()
    with pytest.raises(bz.InvalidArgument, match="four Pfaffians"):
        bz.IsingModel.square(4, 4).kasteleyn(1.0)


@pytest.mark.parametrize("beta, runs, n_betas", [(1.0, 100, 4000), (2.0, 50, 16000)])
def test_estimators_meet_the_exact_answer_on_a_32x32_glass(beta, runs, n_betas):
    # The acceptance check: AIS and population annealing within 3 standard errors of
    # the exact log Z of an open 32 x 32 Gaussian glass (1024 spins, ~1400-2600
    # nats), and each error below a stated 1.5 nats (0.0015 per spin). AIS needs the
    # long schedules: with 1000 betas at beta = 2 its effective sample size falls to
    # 1 in 100 and it lands 5-7 of its (then dishonest) errors low, as it warns.
    model = glass(32, 32, seed=4)
    exact = model.log_partition(beta, method="planar").value
    ais = model.log_partition(beta, method="ais", runs=runs, n_betas=n_betas, seed=1)
    assert ais.ess >= 0.1 * runs
    population = model.log_partition(beta, method="population", runs=50, populations=8, n_betas=500, seed=1)
    for estimate in (ais, population):
        assert estimate.stderr < 1.5, estimate
        assert abs(estimate.value - exact) <= 3 * estimate.stderr, (estimate, exact)


def test_refuses_lost_digits_but_not_unfrustrated_models():
    # A frustrated glass beyond beta J_rms = 3: the elimination's digits run out (C
    # loses them first), so it says so.
    model = glass(16, 16, seed=2)
    with pytest.raises(bz.Unsupported, match="frustrated"):
        model.exact([1.0, 5.0], method="planar")
    assert model.log_partition(5.0).method == "transfer"  # auto moves on (2^16 frontier)
    # Unfrustrated models have terms of one sign and no limit: the ferromagnet, and
    # the antiferromagnet on an even torus, at beta = 10.
    for coupling in (1.0, -1.0):
        torus = bz.IsingModel.square(16, 16, J=coupling)
        assert torus.exact(10.0, method="planar").log_z == pytest.approx(
            torus.log_partition(10.0, method="kaufman").value, rel=1e-12)


def _enumerated_correlations(model, beta):
    """<s_i s_j> on each coupling by summing all 2^N states."""
    n = model.n_spins
    states = 1 - 2 * ((np.arange(2**n)[:, None] >> np.arange(n)) & 1)
    first, second, _ = model.couplings
    log_w = -beta * model.energy(states.astype(np.int8))
    w = np.exp(log_w - log_w.max())
    return (w[:, None] * states[:, first] * states[:, second]).sum(axis=0) / w.sum()


@pytest.mark.parametrize("shape, beta", [((4, 4), 0.4), ((3, 5), 2.5), ((4, 4), -1.0)])
def test_edge_correlations_match_enumeration(shape, beta):
    glass = bz.IsingModel.edwards_anderson(shape, distribution="gaussian", periodic=False, seed=3)
    np.testing.assert_allclose(glass.edge_correlations(beta), _enumerated_correlations(glass, beta), atol=1e-11)


def test_edge_correlations_sum_to_the_energy_and_agree_with_monte_carlo():
    """sum J <s_i s_j> = -U exactly (to 1e-10); and heat-bath chains on a 16 x 16 glass
    measure that J-weighted sum (the energy per spin) within 4 standard errors of the
    correlations' (measured 0.1 standard errors)."""
    glass = bz.IsingModel.edwards_anderson((48, 48), distribution="bimodal", periodic=False, seed=2)
    for beta in (0.7, 2.0):
        c = glass.edge_correlations(beta, progress=False)
        u = float(glass.exact(beta, method="planar", progress=False).energy)
        assert -(glass.couplings[2] * c).sum() == pytest.approx(u, rel=1e-10)
    small = bz.IsingModel.edwards_anderson((16, 16), distribution="gaussian", periodic=False, seed=4)
    exact = small.edge_correlations(0.5)
    mc = bz.MonteCarlo(small, beta=0.5, algorithm="heat_bath", chains=16, seed=1)
    mc.run(2000, progress=False)
    e = mc.run(20000, progress=False).energy  # mean energy per spin with its error
    first, second, J = small.couplings
    assert abs(-(J * exact).sum() / small.n_spins - e.mean) < 4 * e.error


def test_torus_edge_correlations():
    """On tori the four Pfaffians' shares combine to enumeration's <s_i s_j> (1e-9) and,
    on a 32 x 32 glass, to the Pfaffian's own U (1e-9)."""
    glass = bz.IsingModel.edwards_anderson((4, 5), distribution="bimodal", periodic=True, seed=3)
    np.testing.assert_allclose(glass.edge_correlations(0.7), _enumerated_correlations(glass, 0.7), atol=1e-9)
    big = bz.IsingModel.edwards_anderson((32, 32), distribution="gaussian", periodic=True, seed=3)
    c = big.edge_correlations(0.8, progress=False)
    assert -(big.couplings[2] * c).sum() == pytest.approx(float(big.exact(0.8, method="planar").energy), rel=1e-9)


def test_exact_auto_is_the_library_s_choice():
    """exact() with no method: the library picks enumeration, the transfer matrix or the
    planar Pfaffian, and when none applies says why each does not."""
    glass = bz.IsingModel.edwards_anderson((40, 40), distribution="gaussian", periodic=False, seed=1)
    auto, planar = glass.exact([0.5, 1.0]), glass.exact([0.5, 1.0], method="planar")
    assert np.array_equal(auto.log_z, planar.log_z) and np.isnan(auto.magnetization).all()
    strip = bz.IsingModel.edwards_anderson((40, 6), distribution="gaussian", h=0.3, periodic=False, seed=1)
    assert np.array_equal(strip.exact(0.5).log_z, strip.exact(0.5, method="transfer").log_z)
    in_field = bz.IsingModel.edwards_anderson((30, 30), distribution="gaussian", h=0.1, periodic=False, seed=1)
    with pytest.raises(bz.LimitExceeded, match="enumeration cap.*transfer matrix.*planar Pfaffian: the fields are not zero"):
        in_field.exact(1.0)


def test_exact_samples_reproduce_the_exact_correlations():
    """Exact samples (the transfer matrix's forward filtering, backward sampling) of a
    40 x 6 open glass: every bond's sample correlation within 5 standard errors of the
    planar Pfaffian's exact one, every <s_i> within 5 of 0; on a periodic 12 x 4 glass
    in a field, <m> and <E> within 5 standard errors of the transfer matrix's."""
    glass = glass_strip = bz.IsingModel.edwards_anderson((40, 6), distribution="gaussian", periodic=False, seed=8)
    n = 20000
    s = glass_strip.exact_sample(n, 1.2, seed=3)
    assert s.shape == (n, 240) and set(np.unique(s)) == {-1, 1}
    first, second, _ = glass.couplings
    c = glass.edge_correlations(1.2)
    z = (np.mean(s[:, first] * s[:, second], axis=0) - c) / np.sqrt((1 - c**2) / n)
    assert np.abs(z).max() < 5
    assert np.abs(s.mean(axis=0)).max() < 5 / np.sqrt(n)
    torus = bz.IsingModel.edwards_anderson((12, 4), distribution="bimodal", h=0.2, periodic=True, seed=2)
    t = torus.exact_sample(n, 0.7, seed=4)
    exact = torus.exact(0.7, method="transfer")
    m, e = t.mean(axis=1), torus.energy(t)
    assert abs(m.mean() - exact.magnetization) < 5 * m.std() / np.sqrt(n)
    assert abs(e.mean() - exact.energy) < 5 * e.std() / np.sqrt(n)
    assert np.array_equal(torus.exact_sample(5, 0.7, seed=4), t[:5])  # stream r for sample r


@pytest.mark.parametrize("shape, distribution, beta", [((20, 20), "gaussian", 1.0), ((12, 14), "bimodal", 1.6)])
def test_planar_exact_samples_reproduce_the_exact_correlations(shape, distribution, beta):
    """The planar sampler (perfect matchings of the dual's Fisher lattice, top-down
    through the nested dissection) on glasses far wider than the transfer matrix
    reaches, the +-J one past the gauge's threshold: every bond's sample correlation
    within 4.5 standard errors of the planar Pfaffian's exact one and the z-scores'
    rms within [0.8, 1.25] (the issue's check); <E> within 4 standard errors of -U;
    <s_i> of 0 (the flip symmetry)."""
    glass = bz.IsingModel.edwards_anderson(shape, distribution=distribution, periodic=False, seed=5)
    n = 3000
    s = glass.exact_sample(n, beta, seed=11, method="planar")
    assert s.shape == (n, glass.n_spins) and set(np.unique(s)) == {-1, 1}
    first, second, _ = glass.couplings
    c = glass.edge_correlations(beta)
    z = (np.mean(s[:, first] * s[:, second], axis=0) - c) / np.sqrt(np.maximum(1 - c**2, 1e-12) / n)
    assert np.abs(z).max() < 4.5
    assert 0.8 < np.sqrt(np.mean(z**2)) < 1.25
    e = glass.energy(s)
    assert abs(e.mean() - float(np.ravel(glass.exact(beta, method="planar").energy)[0])) < 4 * e.std() / np.sqrt(n)
    assert np.abs(s.mean(axis=0)).max() < 5 / np.sqrt(n)


def test_planar_exact_samples_front_door():
    """exact_sample picks the transfer matrix for narrow plans and the planar sampler
    beyond; the planar sampler's streams do not depend on n; what it cannot do it
    refuses by name."""
    wide = bz.IsingModel.edwards_anderson((24, 24), distribution="gaussian", periodic=False, seed=2)
    assert np.array_equal(wide.exact_sample(6, 0.8, seed=3), wide.exact_sample(6, 0.8, seed=3, method="planar"))
    assert np.array_equal(wide.exact_sample(2, 0.8, seed=3, method="planar"), wide.exact_sample(6, 0.8, seed=3)[:2])
    strip = bz.IsingModel.edwards_anderson((20, 4), distribution="gaussian", periodic=False, seed=2)
    assert np.array_equal(strip.exact_sample(4, 0.8, seed=3), strip.exact_sample(4, 0.8, seed=3, method="transfer"))
    torus = bz.IsingModel.edwards_anderson((24, 24), distribution="gaussian", periodic=True, seed=2)
    with pytest.raises(bz.InvalidArgument, match="open lattice"):
        torus.exact_sample(2, 0.8, method="planar")
    with pytest.raises(bz.LimitExceeded, match="frontier"):  # auto: the planar sampler refused, the transfer matrix too
        torus.exact_sample(2, 0.8)
    with pytest.raises(ValueError, match="method"):
        wide.exact_sample(2, 0.8, method="dense")
