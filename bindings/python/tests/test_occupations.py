"""Fermi-Dirac and mean-field occupations (seed 002, section 4)."""

import numpy as np
import pytest

import boltzmann as bz


def test_fermi_dirac():
    e = np.array([-1e300, -1.0, 0.25, 1.5, 1e300])
    f = bz.fermi_dirac(e, beta=2.0, mu=0.25)
    np.testing.assert_allclose(f[1:4], 1 / (1 + np.exp(2.0 * (e[1:4] - 0.25))), rtol=1e-15)
    assert f[0] == 1.0 and f[-1] == 0.0 and f[2] == 0.5
    assert bz.fermi_dirac(0.0, beta=1.0) == 0.5


def test_mean_field_self_consistent():
    e = np.linspace(-1, 1, 30)
    r = bz.mean_field_occupations(e, U=0.1, beta=5.0, mu=0.0, tol=1e-13)
    total = r.occupations.sum()
    phi = 1 / (1 + np.exp(5.0 * (e + 0.1 * (total - r.occupations))))
    np.testing.assert_allclose(r.occupations, phi, atol=2e-13)
    assert r.residual <= 1e-13 and r.iterations > 0


def test_mean_field_zero_interaction_is_fermi_dirac():
    e = np.linspace(-1, 1, 7)
    r = bz.mean_field_occupations(e, U=0.0, beta=3.0, mu=0.2)
    np.testing.assert_array_equal(r.occupations, bz.fermi_dirac(e, 3.0, 0.2))


def test_not_converged_carries_last_iterate():
    with pytest.raises(bz.NotConverged, match="did not converge") as info:
        bz.mean_field_occupations(np.zeros(20), U=5.0, beta=10.0, mu=1.0, damping=0.0, max_iter=50)
    assert info.value.result.iterations == 50
    assert info.value.result.occupations.shape == (20,)
    assert info.value.result.residual > 0.1
