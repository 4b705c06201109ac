"""Hopfield networks: Boltzmann beside straightforward numpy, in one run.

(1) Classical batch recall: N = 4096 neurons, P = 400 Hebbian patterns (alpha ~ 0.1),
    1000 cues with 10% of their bits flipped, asynchronous zero-temperature dynamics to
    a fixed point. The numpy version is the careful one: all cues at once, one neuron
    at a time in a random order per sweep, local fields F = S J kept up to date by
    adding 2 s_i J_i to the rows that flipped (not recomputed). Both report the mean
    overlap with the cued pattern, which must agree.
(2) Dense retrieval: n = 10^5 stored +-1 patterns in d = 64, 10^4 queries (stored
    patterns with 6 of 64 signs flipped), one step of x <- X^T softmax(beta X x) at beta = 1. numpy computes the logits, the softmax and
    the product in chunks of 500 queries (float32). Also printed: the machine's sgemm
    rate (a 4096^3 float32 product through numpy, the best of three) and the share of
    it Boltzmann's retrieval reaches, counting its 4 m n d flops.

Timings are the best of three (numpy's recall: of one; it takes tens of seconds).
Usage: python bench/hopfield.py [--quick]
"""

import sys

import numpy as np

import boltzmann as bz
from _timing import best_of


def numpy_recall(J, cues, rng):
    """Asynchronous recall of all cues at once with kept local fields."""
    s = cues.astype(np.float32)
    fields = s @ J
    n = J.shape[0]
    while True:
        flips = 0
        for i in rng.permutation(n):
            f = fields[:, i]
            new = np.where(f > 0, 1.0, np.where(f < 0, -1.0, s[:, i])).astype(np.float32)
            changed = np.nonzero(new != s[:, i])[0]
            if changed.size:
                s[changed, i] = new[changed]
                fields[changed] += 2 * new[changed, None] * J[i]
                flips += changed.size
        if flips == 0:
            return s


def classical(quick):
    n, p, m = 4096, 400, 200 if quick else 1000
    rng = np.random.default_rng(0)
    patterns = rng.choice(np.array([-1, 1], np.int8), size=(p, n))
    targets = rng.integers(p, size=m)
    cues = np.where(rng.random((m, n)) < 0.1, -patterns[targets], patterns[targets]).astype(np.int8)
    net = bz.Hopfield(n).store(patterns)
    ours, recalled = best_of(3, lambda: net.recall(cues, seed=1))
    x = patterns.astype(np.float32)
    J = x.T @ x / n
    np.fill_diagonal(J, 0)
    theirs, theirs_recalled = best_of(1, lambda: numpy_recall(J, cues, np.random.default_rng(1)))
    overlap = np.mean(np.einsum("ij,ij->i", recalled.astype(np.float64), patterns[targets]) / n)
    theirs_overlap = np.mean(np.einsum("ij,ij->i", theirs_recalled.astype(np.float64), patterns[targets]) / n)
    print(f"(1) classical recall, N = {n}, P = {p}, {m} cues, async to a fixed point")
    print(f"  {'cues per second':<36} Boltzmann {m / ours:>10,.0f}   numpy {m / theirs:>10,.0f}   ratio {theirs / ours:5.1f}x")
    print(f"  {'mean final overlap':<36} Boltzmann {overlap:>10.4f}   numpy {theirs_overlap:>10.4f}")


def sgemm_rate():
    a = np.random.default_rng(0).random((4096, 4096), dtype=np.float32)
    seconds, _ = best_of(3, lambda: a @ a)
    return 2.0 * 4096**3 / seconds


def numpy_retrieve(x, queries, beta, chunk=500):
    out = np.empty_like(queries)
    for start in range(0, len(queries), chunk):
        logits = beta * (queries[start:start + chunk] @ x.T)
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        out[start:start + chunk] = logits @ x
    return out


def dense(quick):
    n, d, m = 100_000, 64, 2000 if quick else 10_000
    rng = np.random.default_rng(2)
    x = rng.choice(np.array([-1, 1], np.float32), size=(n, d))
    targets = rng.integers(n, size=m)
    queries = x[targets].copy()
    for row in queries:  # 10% of the signs, exactly: 6 of 64
        row[rng.choice(d, round(0.1 * d), replace=False)] *= -1
    net = bz.DenseHopfield(x, beta=1.0)
    ours, retrieved = best_of(3, lambda: net.retrieve(queries))
    theirs, theirs_retrieved = best_of(1 if not quick else 2, lambda: numpy_retrieve(x, queries, 1.0))
    rate = sgemm_rate()
    flops = 4.0 * m * n * d
    print(f"(2) dense retrieval, n = {n:,}, d = {d}, {m:,} queries, beta = 1, one step")
    print(f"  {'queries per second':<36} Boltzmann {m / ours:>10,.0f}   numpy {m / theirs:>10,.0f}   ratio {theirs / ours:5.1f}x")
    print(f"  {'GFLOP/s (4 m n d flops)':<36} Boltzmann {flops / ours / 1e9:>10.1f}   numpy {flops / theirs / 1e9:>10.1f}"
          f"   sgemm {rate / 1e9:.1f}: Boltzmann at {100 * flops / ours / rate:.0f}% of it")
    exact = np.mean(np.all(np.abs(retrieved - x[targets]) < 1e-3, axis=1))
    agree = np.abs(retrieved - theirs_retrieved).max()
    print(f"  {'queries retrieved exactly':<36} Boltzmann {exact:>10.4f}   max |ours - numpy| {agree:.1e}")


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    print(f"Boltzmann {bz.__version__} on {bz.get_num_threads()} threads; numpy {np.__version__}")
    classical(quick)
    dense(quick)
