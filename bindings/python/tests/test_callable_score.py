"""Scores from Python functions (a PyTorch or JAX network, any callable) sampled by the
library's samplers through bz_score_create_callback."""

import pickle

import numpy as np
import pytest

import boltzmann as bz
from boltzmann import diffusion

SDE = diffusion.VPSDE()
MIXTURE = diffusion.GaussianMixtureScore.eight_gaussians()


def numpy_mixture_score(x, t):
    """The eight-Gaussian mixture's exact score under the VP process, in numpy only:
    p_t = sum_k w_k N(alpha mu_k, (alpha^2 s^2 + sigma^2) I)."""
    alpha, sigma, _, _ = SDE.coefficients(t)
    variance = alpha**2 * MIXTURE.covariances[:, None, :] + sigma**2          # (K, 1, d)
    diff = x[None, :, :] - alpha * MIXTURE.means[:, None, :]                  # (K, n, d)
    log_r = np.log(MIXTURE.weights)[:, None] - 0.5 * (diff**2 / variance + np.log(variance)).sum(axis=2)
    r = np.exp(log_r - log_r.max(axis=0))
    r /= r.sum(axis=0)
    return -(r[:, :, None] * diff / variance).sum(axis=0)


@pytest.mark.parametrize("method", sorted(diffusion.METHODS))
def test_a_function_of_the_engine_score_samples_the_same_bits(method):
    """Every sampler calls the function once per evaluation with the whole batch; fed
    the engine's own score values, it reproduces the built-in model's samples exactly.
    The samplers that query the denoiser (EDM, DDIM, DPM-Solver++, UniPC) get it from the
    function by Tweedie's formula from the float32 score, where the mixture computes it
    in double: those agree to float rounding."""
    calls = []

    def score(x, t):
        calls.append(len(x))
        return MIXTURE.score(x, t, SDE)

    ours, used = diffusion.sample(score, SDE, 300, method=method, steps=20, seed=2, dim=2, return_nfe=True)
    engine = diffusion.sample(MIXTURE, SDE, 300, method=method, steps=20, seed=2)
    if method in ("edm_heun", "ddim", "dpm_solver_2m", "dpm_solver_3m", "unipc"):
        np.testing.assert_allclose(ours, engine, rtol=0, atol=1e-4)
    else:
        assert np.array_equal(ours, engine)
    assert method == "ode_rk45" or set(calls) == {300}
    assert method == "ode_rk45" or len(calls) == used == diffusion.nfe(method, steps=20)


def test_a_numpy_score_samples_the_mixture():
    x = diffusion.sample(numpy_mixture_score, SDE, 10_000, steps=100, seed=1, dim=2)
    coverage = bz.metrics.mode_coverage(x, MIXTURE.means, 0.1)[0]
    assert coverage > 0.97
    # Each mode holds 1/8 of the samples within 4 binomial standard errors.
    counts = np.bincount(np.argmin(((x[:, None, :] - MIXTURE.means[None]) ** 2).sum(axis=2), axis=1), minlength=8)
    assert np.all(np.abs(counts / len(x) - 1 / 8) < 4 * np.sqrt(1 / 8 * 7 / 8 / len(x)))


def test_callable_score_object_evaluates_pickles_and_reports_errors():
    score = diffusion.CallableScore(numpy_mixture_score, dim=2)
    x = np.random.default_rng(0).normal(size=(6, 2)).astype(np.float32)
    np.testing.assert_allclose(score.score(x, 0.3, SDE), MIXTURE.score(x, 0.3, SDE), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(score.denoise(x, 0.3, SDE), MIXTURE.denoise(x, 0.3, SDE), rtol=1e-3, atol=1e-3)
    assert pickle.loads(pickle.dumps(score)).dim == 2

    def broken(x, t):
        raise RuntimeError("the network failed")
    with pytest.raises(RuntimeError, match="the network failed"):
        diffusion.sample(broken, SDE, 10, dim=2)
    with pytest.raises(bz.NumericError, match="score function returned nan"):
        diffusion.sample(lambda x, t: x * np.nan, SDE, 10, dim=2)
    with pytest.raises(bz.ShapeError, match="returned shape"):
        diffusion.sample(lambda x, t: x[:, :1], SDE, 10, dim=2)
    with pytest.raises(bz.InvalidArgument, match="needs dim"):
        diffusion.sample(numpy_mixture_score, SDE, 10)
    assert np.isfinite(diffusion.sample(score, SDE, 10, steps=5)).all()  # still usable after errors

    from boltzmann._progress import _targets
    registered = len(_targets)
    for bad_dim in (0, -3):  # refused by the engine: nothing stays registered
        with pytest.raises(bz.InvalidArgument):
            diffusion.CallableScore(numpy_mixture_score, dim=bad_dim)
    assert len(_targets) == registered


def test_langevin_with_a_score_function():
    """ULA on a score function: N(0, 1/4) from score -4x (the harmonic energy's)."""
    v, _ = bz.langevin(start=np.zeros((1000, 1)), score=lambda x, t: -4 * x, t=0.5, steps=300, step_size=0.02,
                       seed=1, progress=False)
    assert abs((v**2).mean() - 0.25) < 0.03
    with pytest.raises(bz.InvalidArgument, match="ULA only"):
        bz.langevin(start=np.zeros((2, 1)), score=lambda x, t: -x, t=0.5, method="mala")


def test_a_torch_network_is_sampled():
    """A torch module computing the exact score of N(mu, s^2 I) under the VP process:
    the samples' mean and variance within 4 standard errors."""
    torch = pytest.importorskip("torch")
    mu, s = torch.tensor([1.0, -2.0]), 0.5

    class GaussianScore(torch.nn.Module):
        def forward(self, x, t):
            alpha, sigma, _, _ = SDE.coefficients(float(t))
            return -(x - alpha * mu) / (alpha**2 * s**2 + sigma**2)

    network = GaussianScore()

    def score(x, t):
        with torch.no_grad():
            return network(torch.from_numpy(x), t).numpy()

    x = diffusion.sample(score, SDE, 20_000, method="ode_heun", steps=100, seed=3, dim=2)
    n = len(x)
    assert np.all(np.abs(x.mean(axis=0) - mu.numpy()) < 4 * s / np.sqrt(n))
    assert np.all(np.abs(x.var(axis=0) - s**2) < 4 * s**2 * np.sqrt(2 / n) + 2e-3)
