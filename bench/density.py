"""Density estimation: bz.DiffusionDensity beside scikit-learn's KernelDensity and
GaussianMixture on held-out log-likelihood, in one run.

Data: (1) scikit-learn's 8 x 8 digits, dequantised (grey level g in 0..16 becomes
(g + u) / 17, u ~ U(0, 1), so a continuous density is meaningful), 1400 rows to fit and
397 held out; (2) two moons, 4000 rows to fit and 1000 held out.

scikit-learn's estimators get their hyper-parameter chosen by GridSearchCV (3 folds) on
the fitting rows: KernelDensity's bandwidth on a log grid, GaussianMixture's number of
full-covariance components. Ours runs at one setting per data set, chosen before
(3 x 256 and 8000 steps for the 64-D digits; for the moons the default 3 x 128 network
and the README's eight-Gaussian recipe, 20,000 steps at 3e-3 decaying to 0). Printed: each
model's held-out mean log-likelihood in nats per row (higher is better; ours is exact,
through the probability-flow ODE), the time to fit (with the grid search) and to score.

Usage: python bench/density.py
"""

import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # numpy's own BLAS threads would spin beside ours

import numpy as np  # noqa: E402

import boltzmann as bz  # noqa: E402

bz.set_progress(False)


def dequantised_digits(seed=0):
    x, _ = bz.datasets.digits(binarize=False)
    rng = np.random.default_rng(seed)
    x = (np.rint(x * 16) + rng.random(x.shape)) / 17
    order = rng.permutation(len(x))
    return x[order[:1400]], x[order[1400:]]


def timed(f):
    start = time.perf_counter()
    out = f()
    return out, time.perf_counter() - start


def row(name, model, fit_rows, held_out):
    fitted, fit_time = timed(lambda: model.fit(fit_rows))
    chosen = ""
    if hasattr(fitted, "best_params_"):
        chosen = ", ".join(f"{k.split('__')[-1]} = {v:.3g}" for k, v in fitted.best_params_.items())
    score, score_time = timed(lambda: fitted.score(held_out))
    if hasattr(fitted, "best_estimator_") and type(fitted.best_estimator_).__name__ == "KernelDensity":
        score /= len(held_out)  # KernelDensity's score is the sum over rows
    print(f"  {name:<34} {score:>10.2f}   {fit_time:>8.1f} s   {score_time:>7.1f} s   {chosen}", flush=True)
    return score


def main():
    from sklearn.mixture import GaussianMixture
    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import KernelDensity

    def kde():
        return GridSearchCV(KernelDensity(), {"bandwidth": np.logspace(-2.5, 0.5, 13)}, cv=3)

    def gmm(components):
        return GridSearchCV(GaussianMixture(covariance_type="full", random_state=0), {"n_components": components}, cv=3)

    sets = [("dequantised digits (64-D)", *dequantised_digits(), bz.DiffusionDensity(hidden=(256,) * 3, steps=8000,
                                                                                     random_state=0), [1, 2, 5, 10, 20]),
            ("two moons (2-D)", bz.datasets.two_moons(4000, seed=0), bz.datasets.two_moons(1000, seed=1),
             bz.DiffusionDensity(steps=20_000, learning_rate=3e-3, final_learning_rate=0.0, random_state=0),
             [1, 2, 5, 10, 20, 40])]
    for title, fit_rows, held_out, ours, components in sets:
        print(f"\n{title}: {len(fit_rows)} rows fitted, {len(held_out)} held out")
        print(f"  {'':<34} {'nats/row':>10}   {'fit':>10}   {'score':>9}")
        mine = row(f"Boltzmann DiffusionDensity ({ours.prediction})", ours, fit_rows, held_out)
        theirs = [row("scikit-learn KernelDensity", kde(), fit_rows, held_out),
                  row("scikit-learn GaussianMixture", gmm(components), fit_rows, held_out)]
        print(f"  ours minus the better of theirs: {mine - max(theirs):+.2f} nats/row")


if __name__ == "__main__":
    main()
