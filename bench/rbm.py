"""RBMs: Boltzmann beside scikit-learn's BernoulliRBM, in one run.

(1) scikit-learn's own example settings on its bundled digits (pixels scaled to [0, 1]):
    100 hidden units, batch 10, learning rate 0.06, 20 epochs, PCD-1 with one chain per
    batch row, no momentum. Boltzmann runs the same algorithm (persistent=10, k=1,
    momentum 0, no per-epoch metric).
(2) 784 x 500, batch 100, one epoch over 10^4 random binary rows, PCD-1 with 100 chains:
    Boltzmann in float32 against scikit-learn in float64 and in float32. Also printed:
    the machine's sgemm rate, measured here on the same product shapes through numpy,
    and the share of it that Boltzmann's training reaches (5 products of the batch with
    W per step: 2 x 5 x B x n_v x n_h flops).
(3) AIS cost: 100 runs x the paper's 14,501 betas on a 784 x 500 machine.
(4) The exact log Z of a 64 x 20 machine (2^20 hidden states).
(5) Quality on binarised digits with 16 hidden units: exact mean log-likelihood (log Z
    over 2^16 states) of scikit-learn's BernoulliRBM at its example settings, and of
    Boltzmann at its documented best settings (PCD-5 with 100 chains, momentum 0.9, a
    linearly decaying rate, weight decay, 300 epochs).

Timings are the best of three for both sides, (2)'s in alternating rounds (the shared
machine this was written on varies by tens of percent from run to run). Usage: python bench/rbm.py [--quick]
"""

import sys
import time

import numpy as np

import boltzmann as bz
from _timing import best_time

try:
    from sklearn.datasets import load_digits
    from sklearn.neural_network import BernoulliRBM
except ImportError:
    sys.exit("bench/rbm.py needs scikit-learn: pip install scikit-learn")


def row(name, ours, theirs, unit="samples/s"):
    print(f"  {name:<44} Boltzmann {ours:>10,.0f} {unit}   scikit-learn {theirs:>10,.0f} {unit}   ratio {ours / theirs:5.1f}x")


def digits_settings(runs):
    x = (load_digits().data / 16.0)
    x32 = x.astype(np.float32)
    epochs = 20
    theirs = best_time(runs, lambda: BernoulliRBM(n_components=100, batch_size=10, learning_rate=0.06, n_iter=epochs,
                                                random_state=0).fit(x), settle=0.5)
    ours = best_time(runs, lambda: bz.RBM(100, n_iter=epochs, batch_size=10, learning_rate=0.06, k=1, persistent=10,
                                        momentum=0.0, metric="none", random_state=0).fit(x32), settle=0.5)
    samples = epochs * len(x)
    print("(1) digits, 64 x 100, batch 10, lr 0.06, 20 epochs (scikit-learn's example settings)")
    row("training", samples / ours, samples / theirs)


def sgemm_rate(b, nv, nh, runs=50):
    """The machine's sgemm rate (flop/s) on the training's five product shapes, through numpy."""
    rng = np.random.default_rng(0)
    v, w, h = (rng.random(s, dtype=np.float32) for s in ((b, nv), (nv, nh), (b, nh)))

    def step():
        v @ w
        h @ w.T
        v @ w
        v.T @ h
        v.T @ h
    seconds = best_time(runs, step, settle=0.5)
    return 5 * 2.0 * b * nv * nh / seconds


def large(runs):
    rng = np.random.default_rng(0)
    x = (rng.random((10_000, 784)) < 0.3).astype(np.float32)
    x64 = x.astype(np.float64)
    make = lambda dtype_x: lambda: BernoulliRBM(n_components=500, batch_size=100, learning_rate=0.06, n_iter=1,
                                                random_state=0).fit(dtype_x)
    ours_fit = lambda: bz.RBM(500, n_iter=1, batch_size=100, learning_rate=0.06, k=1, persistent=100, momentum=0.0,
                              metric="none", random_state=0).fit(x)
    # Alternating rounds, so a slow spell of a shared machine falls on every side.
    theirs64 = theirs32 = ours = float("inf")
    for _ in range(runs):
        theirs64 = min(theirs64, best_time(1, make(x64), settle=0.5))
        theirs32 = min(theirs32, best_time(1, make(x), settle=0.5))
        ours = min(ours, best_time(1, ours_fit, settle=0.5))
    peak = sgemm_rate(100, 784, 500)
    flops = 10_000 / 100 * 5 * 2.0 * 100 * 784 * 500
    print("(2) 784 x 500, batch 100, one epoch over 10^4 binary rows, PCD-1")
    row("training, against scikit-learn float64", len(x) / ours, len(x) / theirs64)
    row("training, against scikit-learn float32", len(x) / ours, len(x) / theirs32)
    print(f"  sgemm on these shapes (numpy's OpenBLAS, all threads): {peak / 1e9:.0f} GFLOP/s; "
          f"Boltzmann's training runs at {flops / ours / 1e9:.0f} GFLOP/s, {100 * flops / ours / peak:.0f}% of it "
          f"(the floor would be {len(x) * peak / flops:,.0f} samples/s)")


def ais(quick):
    rng = np.random.default_rng(1)
    rbm = bz.RBM(500, random_state=1).initialize(784)
    rbm.set_parameters(rng.normal(0, 0.05, (784, 500)), rng.normal(-1, 0.5, 784), rng.normal(-0.5, 0.3, 500))
    betas = None if not quick else np.linspace(0, 1, 1451)
    start = time.perf_counter()
    estimate = rbm.log_partition("ais", runs=100, betas=betas, seed=2)
    seconds = (time.perf_counter() - start) * (1 if not quick else 10)
    print(f"(3) AIS, 100 runs x 14,500 betas, 784 x 500: {seconds:.1f} s{' (extrapolated from 1,450)' if quick else ''}"
          f"   log Z = {estimate}")


def exact():
    rbm = bz.RBM(20, random_state=1).initialize(64)
    rng = np.random.default_rng(3)
    rbm.set_parameters(rng.normal(0, 0.3, (64, 20)), rng.normal(0, 0.5, 64), rng.normal(0, 0.5, 20))
    seconds = best_time(3, rbm.log_partition, settle=0.5)
    print(f"(4) exact log Z of a 64 x 20 machine (2^20 hidden states): {seconds:.3f} s   log Z = {rbm.log_partition()}")


def quality(quick):
    x, _ = bz.datasets.digits(binarize=True)
    sk = BernoulliRBM(n_components=16, batch_size=10, learning_rate=0.06, n_iter=20, random_state=0).fit(x)
    theirs = bz.RBM(16).initialize(64)
    theirs.set_parameters(sk.components_.T, sk.intercept_visible_, sk.intercept_hidden_)
    epochs = 60 if quick else 300
    ours = bz.RBM(16, n_iter=epochs, batch_size=20, learning_rate=0.05, final_learning_rate=0.0, k=5, persistent=100,
                  momentum=0.9, weight_decay=1e-4, metric="none", random_state=1).fit(x)
    print("(5) binarised digits, 16 hidden units: exact mean log-likelihood (nats)")
    print(f"  scikit-learn, its example settings (20 epochs): {float(theirs.log_likelihood(x)):8.3f}")
    print(f"  Boltzmann, PCD-5, 100 chains, momentum 0.9, lr 0.05 -> 0, decay 1e-4, {epochs} epochs: "
          f"{float(ours.log_likelihood(x)):8.3f}")


def main():
    quick = "--quick" in sys.argv
    runs = 1 if quick else 3
    print(f"Boltzmann {bz.__version__} on {bz.get_num_threads()} threads; scikit-learn BernoulliRBM (numpy's BLAS)\n")
    digits_settings(runs)
    large(runs)
    ais(quick)
    exact()
    quality(quick)


if __name__ == "__main__":
    main()
