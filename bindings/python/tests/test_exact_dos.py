"""Beale's exact density of states of the square torus, and Wang-Landau judged by it.

References: enumeration's exact counts on tori of up to 24 spins (every count
equal), the identity sum g = 2^N, the counts of the lowest excitations (2N one-spin
flips, 4N two-spin dominoes from the two ground states), and Kaufman's log Z and C.
"""

import numpy as np
import pytest

import boltzmann as bz


@pytest.mark.parametrize("m, n, J", [(4, 4, 1.0), (3, 6, 1.0), (5, 4, -1.0), (4, 6, 2.0), (5, 5, 1.0), (3, 7, -1.0)])
def test_counts_equal_enumeration(m, n, J):
    exact = bz.ising.square_dos(m, n, J, progress=False)
    enumerated = bz.IsingModel.square(m, n, J=J).density_of_states()
    assert exact.energies.tolist() == enumerated.energies.tolist()
    assert exact.counts.tolist() == enumerated.counts.tolist()
    np.testing.assert_allclose(exact.log_g, np.log(enumerated.counts.astype(float)), rtol=1e-15, atol=1e-15)


def test_64x64_is_exact_and_reproduces_kaufman():
    dos = bz.ising.square_dos(64, 64, progress=False)
    n = 64 * 64
    assert sum(dos.counts) == 2**n  # exact integers, 1,233 digits at the top
    assert dos.counts[0] == 2 and dos.counts[1] == 2 * n and dos.counts[2] == 4 * n
    assert dos.counts.tolist() == dos.counts[::-1].tolist()  # E -> -E on a bipartite torus
    assert len(dos.energies) == n - 1  # E = -2N + 4k for every k but the two next to each end
    betas = np.array([0.0, 0.2, np.log(1 + np.sqrt(2)) / 2, 0.5, 1.0, 3.0])
    thermo, kaufman = dos.thermo(betas), bz.ising.square_exact(64, 64, betas)
    np.testing.assert_allclose(thermo.log_z, kaufman.log_z, rtol=1e-12)
    np.testing.assert_allclose(thermo.energy, kaufman.energy, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(thermo.heat_capacity, kaufman.heat_capacity, rtol=1e-8, atol=1e-9)


def test_odd_tori_reproduce_kaufman():
    for m, n in ((15, 15), (17, 31)):
        dos = bz.ising.square_dos(m, n, progress=False)
        assert sum(dos.counts) == 2 ** (m * n)
        betas = np.array([0.1, 0.44, 1.0])
        np.testing.assert_allclose(dos.thermo(betas).log_z, bz.ising.square_exact(m, n, betas).log_z, rtol=1e-12)


def test_refusals():
    with pytest.raises(bz.InvalidArgument, match="rows and columns"):
        bz.ising.square_dos(2, 8)
    with pytest.raises(bz.InvalidArgument, match="coupling"):
        bz.ising.square_dos(4, 4, J=0.0)


def test_wang_landau_against_beale_16x16():
    """Wang-Landau on the 16 x 16 torus (255 levels) against the exact g(E).
    Stated: max |error in ln g| below 0.1 (measured 0.036 with seed 1), relative error
    in ln g below 3% (measured 2.1%, at the rarest levels), every level within 5
    standard errors, and the z-scores' rms in [0.5, 1.5]."""
    exact = bz.ising.square_dos(16, 16, progress=False)
    dos = bz.IsingModel.square(16, 16).wang_landau(final_log_f=1e-5, runs=8, seed=1, progress=False)
    assert dos.converged
    assert dos.energies.tolist() == exact.energies.tolist()  # every level found, no other
    miss = dos.log_g - exact.log_g
    assert np.abs(miss).max() < 0.1
    assert (np.abs(miss) / exact.log_g).max() < 0.03
    assert (np.abs(miss) <= 5 * dos.log_g_err).all()
    z = miss / dos.log_g_err
    assert 0.5 <= np.sqrt(np.mean(z**2)) <= 1.5


@pytest.mark.parametrize("make", [
    lambda: bz.IsingModel.edwards_anderson((4, 5), distribution="bimodal", h=1, periodic=False, seed=2),
    lambda: bz.IsingModel.square(3, 6, J=-1),
    lambda: bz.IsingModel.chain(11, J=2, h=1),
])
def test_transfer_dos_equals_enumeration(make):
    model = make()
    exact, enumerated = model.exact_dos(progress=False), model.density_of_states()
    assert exact.energies.tolist() == enumerated.energies.tolist()
    assert exact.counts.tolist() == enumerated.counts.tolist()


def test_transfer_dos_of_a_strip_beyond_enumeration():
    """A 40 x 5 open +-J glass in a field (200 spins): g(E) sums to 2^200 exactly and
    gives the transfer matrix's log Z to 1e-12 at three temperatures; the 6 x 6 torus
    gives Beale's counts."""
    strip = bz.IsingModel.edwards_anderson((40, 5), distribution="bimodal", h=1, periodic=False, seed=1)
    dos = strip.exact_dos(progress=False)
    assert sum(dos.counts) == 2**200
    betas = np.array([0.2, 0.6, 1.5])
    np.testing.assert_allclose(dos.thermo(betas).log_z, strip.exact(betas, method="transfer").log_z, rtol=1e-12)
    assert bz.IsingModel.square(6, 6).exact_dos().counts.tolist() == bz.ising.square_dos(6, 6).counts.tolist()


def test_transfer_dos_refusals():
    with pytest.raises(bz.InvalidArgument, match="whole-number"):
        bz.IsingModel.square(4, 4, J=0.5).exact_dos()
    with pytest.raises(bz.LimitExceeded, match="frontier"):
        bz.IsingModel.square(40, 40, periodic=False).exact_dos(max_bits=8)
