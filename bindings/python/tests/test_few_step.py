"""The few-step samplers (EDM's Heun, DDIM, DPM-Solver++, UniPC) on eight Gaussians with the
exact score, at the budgets of issue 24: mode coverage, balance and energy distance
against the spread of true samples; DDIM's two limits; the NFE each reports; and the
named errors of bad options. The orders of convergence and the exact Gaussian
recursions are checked in Swift (FewStepSamplerTests)."""

import numpy as np
import pytest

import boltzmann as bz
from boltzmann import diffusion

MIXTURE = diffusion.GaussianMixtureScore.eight_gaussians()
SDE = diffusion.VPSDE()
N = 10_000
#: Mode coverage of exact samples of eight Gaussians of std 0.1 (radius 3 std):
#: 1 - exp(-9/2) = 0.9889.
EXACT_COVERAGE = 1 - np.exp(-4.5)


@pytest.fixture(scope="module")
def reference():
    """A reference sample of the mixture and the spread of ED^2 between it and eight
    other exact samples of the same size: (reference, mean, sd)."""
    reference = MIXTURE.sample_data(N, seed=1000)
    spread = [bz.metrics.energy_distance(MIXTURE.sample_data(N, seed=2000 + k), reference) for k in range(8)]
    return reference, float(np.mean(spread)), float(np.std(spread, ddof=1))


def check_quality(x, reference, label):
    samples, mean, sd = reference
    covered, per_mode = bz.metrics.mode_coverage(x, MIXTURE.means, 0.1)
    assert covered >= 0.98, f"{label}: coverage {covered:.4f}"
    shares = per_mode / per_mode.sum()
    assert np.abs(shares - 1 / 8).max() <= 0.02, f"{label}: mode shares {shares.round(4)}"
    distance = bz.metrics.energy_distance(x, samples)
    assert abs(distance - mean) <= 3 * sd, f"{label}: ED^2 {distance:.2e}, true-vs-true {mean:.2e} +- {sd:.2e}"
    return covered


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dpm_solver_2m_reaches_the_mixture_in_20_evaluations(reference, seed):
    """DPM-Solver++(2M) at 20 NFE on its default grid (Karras's, rho = 7): coverage
    0.984-0.985 measured, modes balanced, ED^2 within 3 sd of exact samples'."""
    x, used = diffusion.sample(MIXTURE, SDE, N, method="dpm_solver_2m", nfe=20, seed=seed, return_nfe=True)
    assert used == 20
    check_quality(x, reference, f"DPM-Solver++(2M) seed {seed}")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_edm_heun_reaches_the_mixture_in_35_evaluations(reference, seed):
    """EDM's Heun at 35 NFE (17 steps and the step to noise 0, Karras et al.'s 18
    levels). On the log-SNR grid: coverage 0.985 measured, the targets hold. On its
    own rho = 7 grid, tuned on images, it measures 0.9795-0.9804 here; held to 0.975."""
    x, used = diffusion.sample(MIXTURE, SDE, N, method="edm_heun", nfe=35, grid="log_snr", seed=seed, return_nfe=True)
    assert used == 35
    check_quality(x, reference, f"EDM-Heun (log-SNR) seed {seed}")
    own = diffusion.sample(MIXTURE, SDE, N, method="edm_heun", nfe=35, seed=seed)
    assert bz.metrics.mode_coverage(own, MIXTURE.means, 0.1)[0] >= 0.975


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_unipc_reaches_the_mixture_in_20_evaluations(reference, seed):
    """UniPC-2 at 20 NFE on its default grid (Karras's) meets DPM-Solver++(2M)'s targets:
    coverage 0.981-0.983 measured, modes balanced, ED^2 within 3 sd of exact samples'.
    (On the log-SNR grid it measures 0.974-0.977.)"""
    x, used = diffusion.sample(MIXTURE, SDE, N, method="unipc", nfe=20, seed=seed, return_nfe=True)
    assert used == 20
    check_quality(x, reference, f"UniPC seed {seed}")


def test_unipc_is_the_2m_predictor_plus_its_corrector():
    """UniPC's predictor is DPM-Solver++(2M)'s update: one step (nothing to correct)
    gives the same bits. Over more steps the corrector, which reuses each next
    evaluation, changes the path but not the evaluation count."""
    one = [diffusion.sample(MIXTURE, SDE, 100, method=method, steps=1, seed=3) for method in ("unipc", "dpm_solver_2m")]
    assert np.array_equal(one[0], one[1])
    many = [diffusion.sample(MIXTURE, SDE, 100, method=method, steps=8, seed=3, return_nfe=True)
            for method in ("unipc", "dpm_solver_2m")]
    assert many[0][1] == many[1][1] == 9
    assert not np.array_equal(many[0][0], many[1][0])
    with pytest.raises(bz.Unsupported, match="not a one-step sampler"):
        known = np.zeros((5, 2), np.float32)
        diffusion.sample(MIXTURE, SDE, 5, method="unipc", steps=4, known=known, mask=known > 0, resample=2)


def test_ddim_at_eta_1_samples_as_ancestral_sampling(reference):
    """DDIM at eta = 1 draws from the posterior q(x_s | x_t, D) at each step, as ancestral
    sampling does (DDPM's variance beta where DDIM's is the posterior's; both first
    order in the step). At 500 steps the two are indistinguishable: their ED^2 lies
    within 3 sd of exact samples' spread, and each reaches the mixture."""
    samples, mean, sd = reference
    ddim = diffusion.sample(MIXTURE, SDE, N, method="ddim", eta=1.0, steps=500, seed=4)
    ancestral = diffusion.sample(MIXTURE, SDE, N, method="ancestral", steps=500, seed=5)
    assert abs(bz.metrics.energy_distance(ddim, ancestral) - mean) <= 3 * sd
    check_quality(ddim, reference, "DDIM eta 1")


def test_ddim_at_eta_0_is_the_probability_flow_ode():
    """DDIM at eta = 0 is the exponential-integrator step of the probability-flow ODE:
    from the same priors (stream (seed, r)), its samples approach the adaptive solver's
    at rtol = atol = 1e-7 as 1 / steps (first order: the worst row's distance falls
    about 4x when the steps grow 4x)."""
    exact = diffusion.sample(MIXTURE, SDE, 200, method="ode_rk45", rtol=1e-7, atol=1e-7, seed=6)
    errors = [np.abs(diffusion.sample(MIXTURE, SDE, 200, method="ddim", steps=steps, denoise=False, seed=6) - exact).max()
              for steps in (250, 1000)]
    assert errors[1] < 0.02, errors
    assert 3 < errors[0] / errors[1] < 5.5, errors


def test_evaluations_are_reported_and_planned():
    assert diffusion.nfe("edm_heun", steps=17) == 35
    assert diffusion.nfe("edm_heun", steps=17, denoise=False) == 34
    assert diffusion.nfe("ode_heun", steps=10) == 20
    assert diffusion.nfe("pc", steps=10, langevin_steps=2) == 30
    assert diffusion.nfe("dpm_solver_3m", steps=9) == 10
    assert diffusion.nfe("unipc", steps=9) == 10 and diffusion.nfe("unipc", steps=9, denoise=False) == 9
    assert diffusion.nfe("euler_maruyama", steps=10) == 10  # no denoising unless asked
    for method in sorted(set(diffusion.METHODS) - {"ode_rk45"}):
        for budget in (5, 12, 35):
            steps = diffusion.steps_for_nfe(method, budget)
            assert diffusion.nfe(method, steps) <= budget < diffusion.nfe(method, steps + 1)
    with pytest.raises(bz.Unsupported, match="adaptive"):
        diffusion.nfe("ode_rk45")
    _, used = diffusion.sample(MIXTURE, SDE, 50, method="ode_rk45", seed=1, return_nfe=True)
    assert used > 7 and used != round(used)  # a mean over rows of 1 + 6 per step (+ rejections)


def test_grids_are_the_samplers_own():
    """The grid sample() steps through is the one SDE.grid reports; EDM's is Karras's
    eq. 5 between sigma-hat(1) and sigma-hat(epsilon)."""
    times = SDE.grid(17, method="edm_heun")
    levels = SDE.noise_level(times)
    top, bottom = SDE.noise_level(1.0) ** (1 / 7), SDE.noise_level(SDE.sampling_epsilon) ** (1 / 7)
    np.testing.assert_allclose(levels, (top + np.arange(18) / 17 * (bottom - top)) ** 7, rtol=1e-10)
    np.testing.assert_allclose(SDE.time_of_noise_level(levels), times, rtol=0, atol=1e-12)
    log_snr = -np.log(SDE.noise_level(SDE.grid(10, method="dpm_solver_3m")))
    np.testing.assert_allclose(np.diff(log_snr), np.diff(log_snr)[0], rtol=1e-9)
    ranged = SDE.grid(5, method="edm_heun", sigma_min=0.02, sigma_max=80)
    np.testing.assert_allclose(SDE.noise_level(ranged[[0, -1]]), [80, 0.02], rtol=1e-10)
    # Recorded states follow the grid: a trajectory's last state is the sampler's
    # output before the final denoising step.
    x, path = diffusion.sample(MIXTURE, SDE, 20, method="dpm_solver_2m", steps=6, record=[3, 6], denoise=False, seed=2)
    assert np.array_equal(path[-1], x)


def test_bad_options_are_named():
    def run(**options):
        diffusion.sample(MIXTURE, SDE, 5, method=options.pop("method", "edm_heun"), **options)

    with pytest.raises(bz.InvalidArgument, match="steps"):
        run(steps=0)
    with pytest.raises(bz.InvalidArgument, match="budget 0"):
        run(nfe=0)
    with pytest.raises(bz.InvalidArgument, match="budget 2"):
        run(nfe=2)  # one Heun step and the denoising step cost 3
    with pytest.raises(bz.InvalidArgument, match="steps or nfe"):
        run(steps=5, nfe=10)
    with pytest.raises(bz.InvalidArgument, match="sigma_min must be below sigma_max"):
        run(sigma_min=1.0, sigma_max=0.5)
    with pytest.raises(bz.InvalidArgument, match="largest noise level"):
        run(sigma_max=1e4)
    with pytest.raises(bz.InvalidArgument, match="rho"):
        run(rho=-1)
    with pytest.raises(bz.InvalidArgument, match="grid"):
        run(grid="cosine")
    with pytest.raises(bz.InvalidArgument, match="eta must be in"):
        run(method="ddim", eta=1.5)
    with pytest.raises(bz.InvalidArgument, match="s_churn is the EDM sampler's"):
        run(method="ddim", s_churn=10)
    with pytest.raises(bz.InvalidArgument, match="eta is DDIM's"):
        run(method="edm_heun", eta=0.5)
    with pytest.raises(bz.InvalidArgument, match="s_tmin and s_tmax"):
        run(s_churn=10, s_tmin=2, s_tmax=1)
    with pytest.raises(bz.Unsupported, match="no grid"):
        run(method="ode_rk45", grid="edm")
    # After every refusal the model and the process still sample.
    assert diffusion.sample(MIXTURE, SDE, 5, method="edm_heun", steps=4, seed=0).shape == (5, 2)
