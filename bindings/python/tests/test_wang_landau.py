"""Wang-Landau's g(E) with the 1/t refinement, against exact densities of states.

References: enumeration's exact g(E) of the 5 x 6 torus (30 spins) and exact log Z.
The errors come from the spread of independent runs; over 60 seeds their z-scores
must have an rms in [0.7, 1.4] (with 8 runs the standard error has 7 degrees of
freedom, so the ideal rms is sqrt(7/5) = 1.18).
"""

import numpy as np
import pytest

import boltzmann as bz


def test_density_of_states_of_the_5x6_torus():
    model = bz.IsingModel.square(5, 6)
    exact = model.density_of_states()
    dos = model.wang_landau(final_log_f=1e-6, runs=8, seed=1, progress=False)
    assert dos.converged and (dos.sweeps == 1_000_000).all()
    assert np.array_equal(dos.energies, exact.energies.astype(float))  # every level, no other
    truth = np.log(exact.counts.astype(float))
    miss = np.abs(dos.log_g - truth)
    # Stated: max |error in ln g| below 0.03 (the rarest levels, g = 2 and 60, worst),
    # and within 5 standard errors everywhere.
    assert miss.max() < 0.03, miss.max()
    assert (miss <= 5 * dos.log_g_err + 1e-9).all()
    assert np.log(np.exp(dos.run_log_g).sum(axis=1)) == pytest.approx(30 * np.log(2), rel=1e-12)  # normalised
    betas = np.array([0.2, 0.4406868, 1.0])
    t, e = dos.thermo(betas), model.exact(betas)
    assert (np.abs(t.log_z - e.log_z) <= 4 * t.log_z_err).all()
    np.testing.assert_allclose(t.heat_capacity, e.heat_capacity, rtol=0.02)


def test_reported_errors_are_honest():
    model = bz.IsingModel.square(4, 4)
    exact = float(model.exact(0.44).log_z)
    z = []
    for seed in range(60):
        t = model.wang_landau(final_log_f=1e-4, runs=8, seed=seed, progress=False).thermo(0.44)
        z.append((float(t.log_z) - exact) / float(t.log_z_err))
    rms = float(np.sqrt(np.mean(np.square(z))))
    assert 0.7 <= rms <= 1.4, rms


def test_binned_energies_and_a_glass():
    # Fractional couplings need a bin width: J = 0.5 has levels 1 apart, so bins of 1
    # are still exact levels, through the binned path.
    half = bz.IsingModel.square(4, 4, J=0.5)
    with pytest.raises(bz.InvalidArgument, match="whole-number"):
        half.wang_landau()
    dos = half.wang_landau(bin_width=1.0, final_log_f=1e-5, runs=4, seed=2, progress=False)
    t = dos.thermo(0.9)
    assert abs(float(t.log_z) - float(half.exact(0.9).log_z)) <= 4 * float(t.log_z_err)
    # A +-J glass (whole-number couplings, exact levels) against the planar Pfaffian.
    glass = bz.IsingModel.edwards_anderson((6, 6), distribution="bimodal", periodic=False, seed=4)
    t = glass.wang_landau(final_log_f=1e-5, runs=4, seed=3, progress=False).thermo([0.5, 1.5])
    exact = glass.exact([0.5, 1.5], method="planar").log_z
    assert (np.abs(t.log_z - exact) <= 4 * t.log_z_err + 1e-9).all()


def test_bad_options_are_named():
    model = bz.IsingModel.square(4, 4)
    for kwargs, match in [({"runs": 1}, "runs"), ({"final_log_f": 0.0}, "final_log_f"), ({"final_log_f": 1.5}, "final_log_f"),
                          ({"flatness": 1.0}, "flatness"), ({"bin_width": -1.0}, "bin_width"), ({"max_sweeps": 0}, "max_sweeps")]:
        with pytest.raises(bz.InvalidArgument, match=match):
            model.wang_landau(**kwargs)
    with pytest.raises(bz.NumericError, match="bin_width"):
        model.wang_landau(bin_width=float("nan"))
    # max_sweeps reached: reported, not hidden.
    assert not model.wang_landau(final_log_f=1e-6, max_sweeps=100, seed=1, progress=False).converged


def test_front_door():
    """log_partition(method="wang_landau"): the same estimate as wang_landau().thermo,
    within 4 standard errors of the exact log Z; a run cut short by max_sweeps warns."""
    model = bz.IsingModel.square(4, 5)
    options = {"final_log_f": 1e-5, "runs": 8, "seed": 2}
    estimate = model.log_partition(0.44, method="wang_landau", wang_landau=options, progress=False)
    direct = model.wang_landau(progress=False, **options).thermo(0.44)
    assert estimate.method == "wang_landau" and estimate.note == ""
    assert estimate.value == float(direct.log_z) and estimate.stderr == float(direct.log_z_err) > 0
    assert abs(estimate.value - float(model.exact(0.44).log_z)) < 4 * estimate.stderr
    assert model.log_partition(0.44, method="wang_landau", seed=2, wang_landau={"final_log_f": 1e-5, "runs": 8}).value \
        == estimate.value  # the call's seed is the walks' seed unless given
    with pytest.warns(RuntimeWarning, match="max_sweeps"):
        model.log_partition(0.44, method="wang_landau", wang_landau={"max_sweeps": 100}, progress=False)
    with pytest.raises(bz.InvalidArgument, match="unknown option"):
        model.log_partition(0.44, method="wang_landau", wang_landau={"sweeps": 100})
