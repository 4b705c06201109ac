"""bz.DiffusionDensity: a diffusion model as a scikit-learn density estimator.

scikit-learn's own conformance checks run on it in test_sklearn.py. Here: its
log-densities against a Gaussian's exact ones, the standardisation's exact Jacobian,
samples' moments, GridSearchCV on held-out log-likelihood, pickling, and bad input."""

import pickle

import numpy as np
import pytest

import boltzmann as bz

MEAN = np.array([3.0, -1.0])
COVARIANCE = np.array([[4.0, 1.2], [1.2, 0.5]])


def gaussian_rows(n, seed):
    return np.random.default_rng(seed).multivariate_normal(MEAN, COVARIANCE, n)


def gaussian_log_density(x):
    """log N(x; MEAN, COVARIANCE), by the Cholesky factor."""
    factor = np.linalg.cholesky(COVARIANCE)
    white = np.linalg.solve(factor, (x - MEAN).T)
    return -0.5 * (white ** 2).sum(0) - np.log(np.diag(factor)).sum() - np.log(2 * np.pi)


@pytest.fixture(scope="module")
def fitted():
    return bz.DiffusionDensity(hidden=(64, 64), steps=2000, random_state=0).fit(gaussian_rows(4000, 0))


def test_held_out_log_likelihood_comes_within_0_03_nats_of_the_truth_and_not_above_it(fitted):
    """On held-out rows of the data's own distribution, the mean of log q - log p is
    -KL(p || q) <= 0: the model comes within 0.03 nats of the exact Gaussian (measured:
    +0.002 +- 0.002 with EDM preconditioning, -0.006 +- 0.003 predicting the noise) and
    does not beat it by more than 3 standard errors."""
    test = gaussian_rows(1000, 1)
    gap = fitted.score_samples(test) - gaussian_log_density(test)
    error = gap.std(ddof=1) / np.sqrt(len(gap))
    assert -0.03 < gap.mean() < 3 * error, (gap.mean(), error)
    assert fitted.score(test) == pytest.approx(fitted.score_samples(test).mean(), rel=1e-12)


def test_standardisation_maps_log_densities_back_exactly():
    """Data scaled by 4 (exact in floating point) standardise to the same rows, so the
    same network is trained and the log-densities differ by exactly d log 4."""
    x, test = gaussian_rows(500, 2), gaussian_rows(20, 3)
    options = dict(hidden=(16,), steps=50, batch_size=32, random_state=1)
    plain = bz.DiffusionDensity(**options).fit(x)
    scaled = bz.DiffusionDensity(**options).fit(4 * x)
    np.testing.assert_allclose(scaled.score_samples(4 * test), plain.score_samples(test) - 2 * np.log(4), rtol=0,
                               atol=1e-10)
    np.testing.assert_array_equal(scaled.scale_, 4 * plain.scale_)


def test_samples_have_the_data_moments(fitted):
    """4000 samples: means within 4 standard errors of the Gaussian's, covariances within 8%."""
    samples = fitted.sample(4000, random_state=0)
    assert samples.shape == (4000, 2) and samples.dtype == np.float64
    error = np.sqrt(np.diag(COVARIANCE) / len(samples))
    assert np.all(np.abs(samples.mean(0) - MEAN) < 4 * error), samples.mean(0)
    np.testing.assert_allclose(np.cov(samples.T), COVARIANCE, rtol=0.08, atol=0.04)
    np.testing.assert_array_equal(fitted.sample(10, random_state=5), fitted.sample(10, random_state=5))


def test_fit_is_reproducible_and_independent_of_the_thread_count():
    x = gaussian_rows(300, 4)
    options = dict(hidden=(16, 16), steps=60, batch_size=64, random_state=7)
    first = bz.DiffusionDensity(**options).fit(x)
    previous = bz.get_num_threads()
    bz.set_num_threads(1)
    try:
        second = bz.DiffusionDensity(**options).fit(x)
    finally:
        bz.set_num_threads(previous)
    np.testing.assert_array_equal(first.losses_, second.losses_)
    np.testing.assert_array_equal(first.score_samples(x[:10]), second.score_samples(x[:10]))


def test_grid_search_picks_by_held_out_log_likelihood():
    """GridSearchCV scores each candidate by ``score`` (mean held-out log-likelihood):
    10 training steps cannot match 400."""
    model_selection = pytest.importorskip("sklearn.model_selection")
    search = model_selection.GridSearchCV(bz.DiffusionDensity(hidden=(32, 32), batch_size=128, random_state=0),
                                          {"steps": [10, 400]}, cv=2)
    search.fit(gaussian_rows(600, 5))
    assert search.best_params_ == {"steps": 400}
    means = search.cv_results_["mean_test_score"]
    assert means[1] > means[0] + 0.1, means
    assert search.best_estimator_.score_samples(gaussian_rows(3, 6)).shape == (3,)


def test_pickles_with_its_network(fitted):
    copy = pickle.loads(pickle.dumps(fitted))
    test = gaussian_rows(5, 8)
    np.testing.assert_array_equal(copy.score_samples(test), fitted.score_samples(test))
    assert copy.get_params() == fitted.get_params()
    assert "DiffusionDensity(n_features_in=2" in repr(fitted) and "<table" in fitted._repr_html_()


def test_forward_processes_by_name_or_object():
    x = gaussian_rows(200, 9)
    for sde in ("ve", "subvp", "ddpm", bz.diffusion.VESDE(sigma_max=20.0)):
        density = bz.DiffusionDensity(hidden=(8,), steps=5, batch_size=16, sde=sde, random_state=0).fit(x)
        assert np.isfinite(density.score_samples(x[:3])).all()
    assert bz.diffusion.DiffusionDensity is bz.DiffusionDensity


def test_bad_input_is_refused_by_name_and_leaves_the_fit():
    x = gaussian_rows(100, 10)
    density = bz.DiffusionDensity(hidden=(8,), steps=5, batch_size=16, random_state=0).fit(x)
    before = density.score_samples(x[:4])
    with pytest.raises(bz.InvalidArgument, match="sde must be one of"):
        density.set_params(sde="heat").fit(x[:, :1])
    assert density.n_features_in_ == 2
    np.testing.assert_array_equal(density.score_samples(x[:4]), before)
    density.set_params(sde="vp")
    with pytest.raises(bz.InvalidArgument, match="steps"):
        density.set_params(steps=0).fit(x)
    with pytest.raises(bz.InvalidArgument, match="n_samples"):
        density.sample(0)
    with pytest.raises(bz.ShapeError, match="expecting 2 features"):
        density.score_samples(x[:, :1])
    with pytest.raises(bz.NotFittedError):
        bz.DiffusionDensity().score_samples(x)
