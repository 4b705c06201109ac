"""Log-likelihoods through the probability-flow ODE (bz.diffusion.log_likelihood): with
a mixture's exact score they are the mixture's own log-density; Hutchinson's estimate
is unbiased with honest standard errors; a learned score's test log-likelihood is
measured both ways and lands near the data's. The divergences themselves are checked
against finite differences in Swift (LikelihoodTests)."""

import numpy as np
import pytest

import boltzmann as bz
from boltzmann import diffusion

EIGHT = diffusion.GaussianMixtureScore.eight_gaussians()


def mixture_16d(seed=3):
    """Three full-covariance Gaussians in 16 dimensions."""
    rng = np.random.default_rng(seed)
    a = rng.normal(scale=0.3 / 4, size=(3, 16, 16))
    covariances = a @ a.transpose(0, 2, 1) + 0.05 * np.eye(16)
    return diffusion.GaussianMixtureScore(rng.uniform(0.5, 1.5, 3), rng.normal(scale=1.5, size=(3, 16)), covariances)


@pytest.mark.parametrize("sde", [diffusion.VPSDE(), diffusion.VESDE(sigma_max=20.0), diffusion.SubVPSDE()],
                         ids=["vp", "ve", "subvp"])
@pytest.mark.parametrize("which", ["2d", "16d"])
def test_the_ode_likelihood_of_a_mixture_is_its_density(sde, which):
    """At rtol = atol = 1e-6 the ODE gives the mixture's log p_epsilon, and log p_0, to
    1e-3 nats (measured: ~3e-5 in 2D, ~2e-4 in 16D); bits per dimension follow."""
    score = EIGHT if which == "2d" else mixture_16d()
    x = score.sample_data(60, seed=7)
    result = diffusion.log_likelihood(score, sde, x, rtol=1e-6, atol=1e-6)
    assert np.abs(result.log_density - score.log_density(x, 1e-5, sde)).max() < 1e-3
    assert np.abs(result.log_density - score.log_density(x, 1e-12, sde)).max() < 1e-3
    np.testing.assert_allclose(result.bits_per_dim, -result.log_density / (score.dim * np.log(2)))
    assert (result.std_error == 0).all() and result.nfe > 7
    log_density, std_error = result  # unpacks
    assert log_density is result.log_density


def test_hutchinson_is_unbiased_with_honest_errors():
    """16 probes per row on 40 rows of the 16-D mixture: (estimate - exact) / SE has
    rms in [0.6, 1.5] and mean within 4 / sqrt(40) of 0."""
    score, sde = mixture_16d(), diffusion.VPSDE()
    x = score.sample_data(40, seed=8)
    exact = diffusion.log_likelihood(score, sde, x)
    estimate = diffusion.log_likelihood(score, sde, x, divergence="hutchinson", probes=16, seed=3)
    z = (estimate.log_density - exact.log_density) / estimate.std_error
    assert 0.6 < np.sqrt(np.mean(z**2)) < 1.5, z
    assert abs(z.mean()) < 4 / np.sqrt(40), z
    one = diffusion.log_likelihood(score, sde, x[:3], divergence="hutchinson", seed=3)
    assert np.isnan(one.std_error).all()  # one probe: no spread to measure


def test_a_learned_scores_test_log_likelihood():
    """The tour's 3 x 128 MLP (8000 steps on eight Gaussians, ~5 s): its test
    log-likelihood by the exact divergence and by Hutchinson's (8 probes) agree within
    4 standard errors, and lie within 0.2 nats of the data's own (measured: -0.40
    against -0.34 on these rows; a 3 x 64 network after 3000 steps scores -1.2)."""
    sde = diffusion.VPSDE()
    model = diffusion.MLPScore(2, hidden=(128, 128, 128), seed=0)
    model.fit(bz.datasets.eight_gaussians(20_000, seed=0), sde, steps=8000, lr=3e-3, final_lr=0.0, seed=0)
    test = EIGHT.sample_data(200, seed=11)
    exact = diffusion.log_likelihood(model, sde, test)
    estimate = diffusion.log_likelihood(model, sde, test, divergence="hutchinson", probes=8, seed=2)
    truth = EIGHT.log_density(test, 1e-5, sde).mean()
    assert abs(estimate.mean - exact.mean) < 4 * np.sqrt(np.mean(estimate.std_error**2) / test.shape[0])
    assert abs(exact.mean - truth) < 0.2, (exact.mean, truth)


def test_scores_without_a_jacobian_are_refused():
    x = np.zeros((2, 2))
    with diffusion.CallableScore(lambda x, t: -x, 2) as function:
        with pytest.raises(bz.Unsupported, match="no Jacobian"):
            diffusion.log_likelihood(function, diffusion.VPSDE(), x)
    with pytest.raises(bz.Unsupported, match="no Jacobian"):
        diffusion.log_likelihood(diffusion.EmpiricalScore(np.ones((3, 2))), diffusion.VPSDE(), x)
    with pytest.raises(bz.InvalidArgument, match="ScoreModel"):
        diffusion.log_likelihood(lambda x, t: -x, diffusion.VPSDE(), x)
    with pytest.raises(bz.InvalidArgument, match="probes is Hutchinson's"):
        diffusion.log_likelihood(EIGHT, diffusion.VPSDE(), x, probes=4)
    with pytest.raises(bz.InvalidArgument, match="divergence"):
        diffusion.log_likelihood(EIGHT, diffusion.VPSDE(), x, divergence="trace")
