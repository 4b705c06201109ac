"""bz.RBM, bz.BoltzmannMachine and bz.DiffusionDensity as scikit-learn estimators: scikit-learn's own
conformance checks, its RBM digits example in a Pipeline under GridSearchCV with
loky workers, clone and pickling."""

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

import boltzmann as bz
from conftest import child_env

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, train_test_split  # noqa: E402
from sklearn.neural_network import BernoulliRBM  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.utils.estimator_checks import check_estimator, parametrize_with_checks  # noqa: E402

#: The instances checked. BoltzmannMachine models +-1 spins: the checks' real-valued
#: data are thresholded at 0 (binarize=0.0, BernoulliNB's convention).
CHECKED = [bz.RBM(n_components=8, random_state=0), bz.BoltzmannMachine(binarize=0.0, random_state=0),
           bz.DiffusionDensity(hidden=(16,), steps=20, batch_size=16, random_state=0)]
# The contract is met without inheriting from BaseEstimator (see boltzmann._estimator);
# scikit-learn says so once per class when it collects the checks.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Estimator .* does not inherit from `sklearn.base.BaseEstimator`")
    ESTIMATOR_CHECKS = parametrize_with_checks(CHECKED)


@pytest.mark.filterwarnings("ignore:RBM. X has values outside")
@ESTIMATOR_CHECKS
def test_scikit_learn_estimator_checks(estimator, check):
    """Every check scikit-learn runs on an estimator passes (none is expected to fail;
    check_array_api_input skips itself unless SCIPY_ARRAY_API is set, as it does for
    every estimator)."""
    check(estimator)


def passed(estimator):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator, on_fail=None)
    return {r["check_name"] for r in results if r["status"] == "passed"}, len(results)


def test_rbm_passes_at_least_every_check_bernoulli_rbm_passes():
    ours, total = passed(bz.RBM(n_components=8, random_state=0))
    theirs, their_total = passed(BernoulliRBM(n_components=8, random_state=0))
    assert total == their_total and theirs <= ours, theirs - ours
    # BernoulliRBM's random-unit score_samples fails the two invariance checks; ours is exact.
    assert {"check_methods_sample_order_invariance", "check_methods_subset_invariance"} <= ours - theirs


def digits_split():
    x, y = bz.datasets.digits(binarize=False)
    return train_test_split(x, y, test_size=0.2, random_state=0)


def test_digits_example_in_a_pipeline_under_grid_search_with_loky_workers():
    """scikit-learn's "RBM features for digit classification" example, with bz.RBM in
    BernoulliRBM's place, searched by GridSearchCV(n_jobs=2): the estimator crosses to
    loky worker processes by pickling and is cloned for every fold."""
    x_train, x_test, y_train, y_test = digits_split()
    pipeline = Pipeline([("rbm", bz.RBM(n_components=100, learning_rate=0.06, n_iter=10, random_state=0)),
                         ("logistic", LogisticRegression(C=6000, max_iter=2000))])
    search = GridSearchCV(pipeline, {"rbm__n_components": [50, 100], "rbm__learning_rate": [0.06, 0.1]}, cv=3,
                          n_jobs=2)
    search.fit(x_train, y_train)
    assert search.best_params_["rbm__n_components"] in (50, 100)
    accuracy = search.score(x_test, y_test)
    assert accuracy > 0.88, accuracy  # raw pixels with the same classifier: ~0.96; BernoulliRBM's features ~0.9
    best = search.best_estimator_
    assert best.named_steps["rbm"].n_features_in_ == 64
    assert best.named_steps["rbm"].components_.shape == (search.best_params_["rbm__n_components"], 64)
    # The fitted pipeline pickles to one that predicts the same.
    again = pickle.loads(pickle.dumps(best))
    np.testing.assert_array_equal(again.predict(x_test), best.predict(x_test))


def test_clone_get_params_and_reproducible_fit():
    rbm = bz.RBM(n_components=16, n_iter=5, k=2, persistent=20, random_state=3)
    x, _ = bz.datasets.digits()
    rbm.fit(x[:300])
    copy = clone(rbm)
    assert copy.get_params() == rbm.get_params() and not hasattr(copy, "n_features_in_")
    with pytest.raises(bz.NotFittedError):
        copy.transform(x[:2])
    np.testing.assert_array_equal(copy.fit(x[:300]).components_, rbm.components_)  # an int random_state repeats
    assert rbm.set_params(k=3) is rbm and rbm.k == 3
    nested = Pipeline([("rbm", rbm)])
    assert nested.get_params()["rbm__n_components"] == 16
    # BernoulliRBM's names mean the same: W is (n_components, n_features) as components_.
    np.testing.assert_array_equal(rbm.components_, rbm.weights_.T)
    np.testing.assert_array_equal(rbm.intercept_hidden_, rbm.hidden_bias_)


def test_warm_start_and_partial_fit_continue_training():
    x, _ = bz.datasets.digits()
    rbm = bz.RBM(n_components=16, n_iter=2, random_state=1, warm_start=True).fit(x)
    first = rbm.components_
    rbm.fit(x)
    assert not np.array_equal(rbm.components_, first)  # continued, not restarted
    cold = bz.RBM(n_components=16, n_iter=2, random_state=1).fit(x)
    np.testing.assert_array_equal(cold.components_, first)
    streamed = bz.RBM(n_components=16, random_state=1)
    for batch in np.array_split(x, 20):
        streamed.partial_fit(batch)
    assert streamed.n_features_in_ == 64 and np.isfinite(streamed.last_error_)


def test_verbose_prints_each_epoch_as_bernoulli_rbm_does(capsys):
    x, _ = bz.datasets.digits()
    bz.RBM(n_components=8, n_iter=3, verbose=1, random_state=0).fit(x[:100])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("[RBM] Iteration 1, reconstruction = ")


def test_boltzmann_machine_in_grid_search_by_exact_log_likelihood():
    """GridSearchCV maximises BoltzmannMachine.score, the exact mean log-likelihood."""
    rng = np.random.default_rng(4)
    spins = np.where(rng.random((600, 6)) < 0.7, 1, -1).astype(np.int8)
    search = GridSearchCV(bz.BoltzmannMachine(random_state=0), {"n_iter": [1, 2000]}, cv=3).fit(spins)
    assert search.best_params_ == {"n_iter": 2000}  # the converged model is the likelier one
    # Held-out mean log p against -6 H(0.7): a row's log p has sd ~ 1.12 ln(7/3) = 0.95, so
    # the mean over 200 held-out rows has SE 0.067 per fold; 4 SE per fold + the ~21/800
    # nats a model fitted to 400 rows loses on new ones.
    assert search.best_score_ == pytest.approx(6 * (0.7 * np.log(0.7) + 0.3 * np.log(0.3)), abs=0.3)


def test_importing_boltzmann_does_not_import_scikit_learn():
    code = "import sys, boltzmann; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=child_env(), check=True)
    assert out.stdout.strip() == "False"
