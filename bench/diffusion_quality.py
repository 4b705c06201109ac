"""Sample quality per score evaluation: Boltzmann's diffusion samplers beside the same
samplers of Hugging Face diffusers, both driven by the same exact score, in one run.

The data: eight Gaussians of std 0.1 on the circle of radius 2, whose exact score under
Ho et al.'s DDPM process (1000 steps, betas linear 1e-4 .. 0.02) both libraries query
(bz.diffusion.GaussianMixtureScore in double precision; diffusers' schedulers get the
noise prediction eps = -sigma_t s(x, t) from it). So the table compares samplers alone:
no network error.

(1) For each sampler and budget of score evaluations per sample (NFE, 5 to 200): mode
    coverage (0.989 for exact samples), the largest deviation of a mode's share from
    1/8, and ED^2 and MMD^2 against 10^4 exact samples, on 10^4 samples. The spread of
    ED^2 and MMD^2 between exact samples of that size is printed first: a sampler within
    3 sd of its mean is indistinguishable from exact sampling at n = 10^4.
    Ours: EDM-Heun (Karras's grid, and log-SNR), DPM-Solver++(2M) and (3M), UniPC-2
    (Karras's grid, and log-SNR), DDIM, ancestral, PF-ODE Heun on the uniform grid.
    Theirs, at their defaults: DDIMScheduler, DPMSolverMultistepScheduler (order 2,
    default spacing and Karras sigmas; order 3), HeunDiscreteScheduler with Karras sigmas
    (EDM's sampler), DDPMScheduler (ancestral) and UniPCMultistepScheduler (default
    spacing and Karras sigmas). Where a scheduler keeps its noise levels (sigmas), the
    score is evaluated at exactly those; otherwise at its integer timestep k, time
    (k + 1) / 1000 of the same process.
(2) Convergence order on N(mu, diag(0.25, 0.01)) data, whose probability-flow ODE is
    solved in closed form: the worst error over 200 samples at 20, 40 and 80 NFE and the
    observed order log2(e(20) / e(80)) / 2, ours (no final denoising, ending at t = 1e-3)
    beside diffusers' (ending at noise 0, from its own prior).

Installs diffusers (and torch, CPU wheel) on demand.
Usage: python bench/diffusion_quality.py [--quick]   (--quick: 2,000 samples, fewer budgets)
"""

import math
import os
import subprocess
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import boltzmann as bz  # noqa: E402
from boltzmann import diffusion  # noqa: E402

bz.set_progress(False)

QUICK = "--quick" in sys.argv
N = 2000 if QUICK else 10_000
BUDGETS = [5, 10, 20, 35, 50] if QUICK else [5, 10, 15, 20, 35, 50, 100, 200]
SDE = diffusion.DDPM()
MIXTURE = diffusion.GaussianMixtureScore.eight_gaussians()
BANDWIDTHS = (0.1, 0.5, 2.0)


def import_diffusers():
    try:
        import diffusers  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        print("installing diffusers (and torch, CPU wheel) ...", flush=True)
        try:
            import torch  # noqa: F401
        except ImportError:
            subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "filelock", "fsspec", "jinja2",
                                   "networkx", "sympy", "typing-extensions"])
            subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "torch", "--index-url",
                                   "https://download.pytorch.org/whl/cpu"])
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "diffusers"])
    import diffusers
    import torch
    return diffusers, torch


class Metrics:
    """Coverage, mode balance, ED^2 and MMD^2 against one reference sample."""

    def __init__(self, score, n):
        self.score = score
        self.reference = score.sample_data(n, seed=1000)
        spread = [self.distances(score.sample_data(n, seed=2000 + k)) for k in range(5)]
        self.floor = np.mean(spread, axis=0), np.std(spread, axis=0, ddof=1)

    def distances(self, x):
        return (bz.metrics.energy_distance(x, self.reference), bz.metrics.mmd(x, self.reference, bandwidths=BANDWIDTHS))

    def __call__(self, x):
        covered, per_mode = bz.metrics.mode_coverage(x, self.score.means, 0.1)
        shares = per_mode / max(per_mode.sum(), 1e-300)
        return (covered, float(np.abs(shares - 1 / 8).max()), *self.distances(x), self.spread(x))

    def spread(self, x):
        """The median distance of the samples to their nearest mode over exact samples'
        (0.1 sqrt(2 ln 2) for 2D modes of std 0.1): below 1, samples crowd the means,
        which raises coverage above the exact 0.989 without being more faithful."""
        nearest = np.sqrt(((x[:, None, :] - self.score.means[None].astype(np.float32)) ** 2).sum(-1)).min(1)
        return float(np.median(nearest) / (0.1 * math.sqrt(2 * math.log(2))))


# --- Boltzmann's samplers --------------------------------------------------------------

OURS = [
    ("EDM-Heun (Karras grid)", "edm_heun", {}),
    ("EDM-Heun (log-SNR grid)", "edm_heun", {"grid": "log_snr"}),
    ("DPM-Solver++(2M)", "dpm_solver_2m", {}),
    ("DPM-Solver++(3M)", "dpm_solver_3m", {}),
    ("UniPC (Karras grid)", "unipc", {}),
    ("UniPC (log-SNR grid)", "unipc", {"grid": "log_snr"}),
    ("DDIM", "ddim", {}),
    ("ancestral", "ancestral", {"denoise": True}),
    ("PF-ODE Heun (uniform t)", "ode_heun", {"denoise": True}),
]


def ours(method, options, budget, score=MIXTURE, n=N, seed=1):
    try:
        steps = diffusion.steps_for_nfe(method, budget, denoise=options.get("denoise"))
    except bz.InvalidArgument:
        return None, 0
    x, used = diffusion.sample(score, SDE, n, method=method, steps=steps, seed=seed, return_nfe=True, **options)
    return x, used


# --- diffusers' schedulers, driven by the same exact score -----------------------------

def theirs_list(diffusers):
    common = dict(num_train_timesteps=1000, beta_start=1e-4, beta_end=0.02, beta_schedule="linear",
                  prediction_type="epsilon")
    return [
        ("DDIMScheduler", lambda: diffusers.DDIMScheduler(**common, clip_sample=False), 1),
        ("DPMSolverMultistep order 2", lambda: diffusers.DPMSolverMultistepScheduler(**common, solver_order=2), 1),
        ("DPMSolverMultistep 2, Karras", lambda: diffusers.DPMSolverMultistepScheduler(**common, solver_order=2,
                                                                                      use_karras_sigmas=True), 1),
        ("DPMSolverMultistep order 3", lambda: diffusers.DPMSolverMultistepScheduler(**common, solver_order=3), 1),
        ("HeunDiscrete, Karras (EDM)", lambda: diffusers.HeunDiscreteScheduler(**common, use_karras_sigmas=True), 2),
        ("DDPMScheduler (ancestral)", lambda: diffusers.DDPMScheduler(**common, clip_sample=False), 1),
        ("UniPCMultistep", lambda: diffusers.UniPCMultistepScheduler(**common), 1),
        ("UniPCMultistep, Karras", lambda: diffusers.UniPCMultistepScheduler(**common, use_karras_sigmas=True), 1),
    ]


def drive(torch, make, budget, per_step, score=MIXTURE, n=N, seed=1):
    """Samples of diffusers' scheduler `make()` with at most `budget` evaluations: the
    steps are the most that fit (Heun: 2 steps - 1 evaluations). Returns (x, NFE)."""
    steps = (budget + 1) // 2 if per_step == 2 else budget
    if steps < 1:
        return None, 0
    scheduler = make()
    scheduler.set_timesteps(steps)
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn((n, score.dim), generator=generator, dtype=torch.float64) * scheduler.init_noise_sigma
    sigmas = getattr(scheduler, "sigmas", None)
    aligned = sigmas is not None and len(sigmas) == len(scheduler.timesteps) + 1
    alphas_cumprod = scheduler.alphas_cumprod.double().numpy()
    calls = 0
    for i, t in enumerate(scheduler.timesteps):
        model_input = scheduler.scale_model_input(x, t)
        if aligned:  # the scheduler's own noise level sigma = sqrt((1 - abar) / abar)
            level = float(sigmas[i])
            time_ = float(np.atleast_1d(SDE.time_of_noise_level(level))[0])
            noise_sd = level / math.sqrt(1 + level * level)
        else:  # an integer timestep k: abar_k is our DDPM's at (k + 1) / 1000
            k = int(t)
            time_ = (k + 1) / 1000
            noise_sd = math.sqrt(1 - alphas_cumprod[k])
        s = score.score(model_input.numpy().astype(np.float32), time_, SDE)
        eps = torch.from_numpy(-noise_sd * s.astype(np.float64))
        calls += 1
        step = scheduler.step(eps, t, x, generator=generator) if "generator" in scheduler.step.__code__.co_varnames \
            else scheduler.step(eps, t, x)
        x = step.prev_sample
    return x.numpy().astype(np.float32), calls


def quality_table(diffusers, torch):
    metrics = Metrics(MIXTURE, N)
    (ed_mean, mmd_mean), (ed_sd, mmd_sd) = metrics.floor
    print(f"(1) eight Gaussians, DDPM process (1000 steps, linear betas), exact score, n = {N:,}")
    print(f"    exact samples: coverage {1 - math.exp(-4.5):.4f}, ED^2 {ed_mean:.1e} +- {ed_sd:.1e}, "
          f"MMD^2 {mmd_mean:.1e} +- {mmd_sd:.1e} (5 draws)")
    print("    each cell: coverage, worst mode-share deviation from 1/8, ED^2 in sd of exact samples' spread")
    print("    (z), median distance to the nearest mode over exact samples' (r); * = the issue's targets: coverage")
    print("    >= 0.98, shares within 0.02, |z| <= 3; ! = r off 1 by over 3% (samples crowd or spread the modes)\n")
    width = 25
    header = f"{'sampler':34s}" + "".join(f"{'NFE ' + str(b):>{width}s}" for b in BUDGETS)
    print(header)

    def cell(result):
        if result is None:
            return f"{'-':>{width}s}"
        covered, share, ed, mmd, spread = result
        z = (ed - ed_mean) / ed_sd
        ok = covered >= 0.98 and share <= 0.02 and abs(z) <= 3
        flags = ("*" if ok else " ") + ("!" if abs(spread - 1) > 0.03 else " ")
        text = f"{covered:.3f} {share:.3f} {max(min(z, 999), -999):+4.0f} {min(spread, 9.99):.2f}{flags}"
        return f"{text:>{width}s}"

    rows = []
    for name, method, options in OURS:
        line, start = f"{'ours ' + name:34s}", time.perf_counter()
        for budget in BUDGETS:
            x, used = ours(method, options, budget)
            assert x is None or used <= budget
            line += cell(None if x is None else metrics(x))
        rows.append(line)
        print(line + f"  ({time.perf_counter() - start:.1f} s)", flush=True)
    for name, make, per_step in theirs_list(diffusers):
        line, start = f"{'diffusers ' + name:34s}", time.perf_counter()
        for budget in BUDGETS:
            try:
                x, used = drive(torch, make, budget, per_step)
            except Exception as error:  # a scheduler that refuses a step count
                print(f"    {name} at NFE {budget}: {type(error).__name__}: {error}")
                x = None
            assert x is None or used <= budget
            line += cell(None if x is None or not np.isfinite(x).all() else metrics(x))
        print(line + f"  ({time.perf_counter() - start:.1f} s)", flush=True)
    print()


def order_table(diffusers, torch):
    """Errors against the closed-form probability-flow ODE of Gaussian data."""
    mu, variances = np.array([1.5, -0.5]), np.array([0.25, 0.01])
    gaussian = diffusion.GaussianMixtureScore([1.0], mu[None], variances[None])
    n, budgets = 200, (20, 40, 80)

    def v(t):
        alpha, sigma, _, _ = SDE.coefficients(np.atleast_1d(t))
        return alpha[0] ** 2 * variances + sigma[0] ** 2, alpha[0]

    def exact_from(start, t_start, t_end):
        v1, a1 = v(t_start)
        if t_end == 0:
            v0, a0 = variances, 1.0
        else:
            v0, a0 = v(t_end)
        return a0 * mu + np.sqrt(v0 / v1) * (start - a1 * mu)

    print("(2) convergence on N((1.5, -0.5), diag(0.25, 0.01)): worst error of 200 samples against the exact")
    print("    probability-flow ODE solution, and the observed order log2(e(20) / e(80)) / 2\n")
    print(f"{'sampler':42s}" + "".join(f"{'NFE ' + str(b):>12s}" for b in budgets) + f"{'order':>8s}")
    epsilon = SDE.sampling_epsilon
    start = prior_of(n, 4)
    for grid in ("time", "log_snr"):
        for name, method in (("DDIM", "ddim"), ("DPM-Solver++(2M)", "dpm_solver_2m"),
                             ("DPM-Solver++(3M)", "dpm_solver_3m"), ("UniPC", "unipc"), ("EDM-Heun", "edm_heun")):
            errors = []
            for budget in budgets:
                steps = diffusion.steps_for_nfe(method, budget, denoise=False)
                x = diffusion.sample(gaussian, SDE, n, method=method, steps=steps, grid=grid, denoise=False, seed=4)
                errors.append(np.abs(x - exact_from(start, 1.0, epsilon)).max())
            order = math.log2(errors[0] / errors[2]) / 2
            print(f"{'ours ' + name + ' (' + grid + ' grid)':42s}" + "".join(f"{e:12.2e}" for e in errors) + f"{order:8.2f}")
    # Theirs end at the same t = 1e-3 (abar_0, the first training step's noise): DDIM
    # without the final step to alpha = 1, DPM-Solver at sigma_min instead of noise 0.
    # Their default grids are (nearly) uniform in t, so ours run on that grid too, then
    # on the log-SNR grid, where theirs (use_lu_lambdas) must end at noise 0 (sigma_min
    # repeats the last level: h = 0, NaN): that last first-order step is the denoiser,
    # applied to the exact solution at 1e-3 for their reference.
    lu = dict(use_lu_lambdas=True)
    for name, make, per_step in (
            ("DDIMScheduler", lambda: diffusers.DDIMScheduler(**COMMON(diffusers), clip_sample=False,
                                                              set_alpha_to_one=False), 1),
            ("DPMSolverMultistep order 2", lambda: diffusers.DPMSolverMultistepScheduler(
                **COMMON(diffusers), solver_order=2, final_sigmas_type="sigma_min"), 1),
            ("DPMSolverMultistep order 3", lambda: diffusers.DPMSolverMultistepScheduler(
                **COMMON(diffusers), solver_order=3, final_sigmas_type="sigma_min"), 1),
            ("UniPCMultistep", lambda: diffusers.UniPCMultistepScheduler(
                **COMMON(diffusers), final_sigmas_type="sigma_min"), 1),
            ("DPMSolverMultistep order 2, log-SNR", lambda: diffusers.DPMSolverMultistepScheduler(
                **COMMON(diffusers), solver_order=2, **lu), 1),
            ("DPMSolverMultistep order 3, log-SNR", lambda: diffusers.DPMSolverMultistepScheduler(
                **COMMON(diffusers), solver_order=3, **lu), 1)):
        errors = []
        for budget in budgets:
            scheduler = make()
            scheduler.set_timesteps(budget)
            generator = torch.Generator().manual_seed(4)
            start = torch.randn((n, 2), generator=generator, dtype=torch.float64) * scheduler.init_noise_sigma
            x, _ = drive_from(torch, scheduler, start, gaussian)
            t_start = (int(scheduler.timesteps[0]) + 1) / 1000
            exact = exact_from(start.numpy(), t_start, epsilon)
            if scheduler.config.get("final_sigmas_type") == "zero":
                # The last step, first order from sigma_min to 0, is the denoiser D exactly.
                _, alpha = v(epsilon)
                exact = mu + alpha * variances / (alpha**2 * variances + 1 - alpha**2) * (exact - alpha * mu)
            errors.append(np.abs(x - exact).max())
        order = math.log2(errors[0] / errors[2]) / 2
        print(f"{'diffusers ' + name:42s}" + "".join(f"{e:12.2e}" for e in errors) + f"{order:8.2f}")
    print()


def COMMON(diffusers):
    return dict(num_train_timesteps=1000, beta_start=1e-4, beta_end=0.02, beta_schedule="linear",
                prediction_type="epsilon")


def prior_of(n, seed):
    """Our samplers' prior draws (row r from stream (seed, r)), recovered from one Euler
    step of the probability-flow ODE with a zero score, which only scales them:
    x <- x - h f(1) x with h = 1 - epsilon."""
    epsilon = 0.5
    x = diffusion.sample(lambda x, t: np.zeros_like(x), SDE, n, method="ode_euler", steps=1, epsilon=epsilon, seed=seed,
                         dim=2)
    _, _, drift, _ = SDE.coefficients(np.array([1.0]))
    return x / (1 - (1 - epsilon) * drift[0])


def drive_from(torch, scheduler, x, score):
    calls = 0
    alphas_cumprod = scheduler.alphas_cumprod.double().numpy()
    for t in scheduler.timesteps:
        k = int(t)
        s = score.score(scheduler.scale_model_input(x, t).numpy().astype(np.float32), (k + 1) / 1000, SDE)
        eps = torch.from_numpy(-math.sqrt(1 - alphas_cumprod[k]) * s.astype(np.float64))
        x = scheduler.step(eps, t, x).prev_sample
        calls += 1
    return x.numpy(), calls


def main():
    diffusers, torch = import_diffusers()
    torch.set_num_threads(1)
    print(f"Boltzmann {bz.__version__} beside diffusers {diffusers.__version__} (torch {torch.__version__})\n")
    quality_table(diffusers, torch)
    order_table(diffusers, torch)


if __name__ == "__main__":
    main()
