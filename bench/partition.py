"""Partition functions beyond enumeration: Boltzmann beside numpy, in one run.

(1) Exact log Z of an L x W open Edwards-Anderson strip with Gaussian couplings and
    random fields (rows of W spins). Boltzmann's transfer matrix adds one spin at a
    time over the frontier of W spins: O(L W 2^W), no exponential per state. The numpy
    baseline is the row-to-row transfer matrix a user would write: the 2^W x 2^W
    matrix of e^{beta (inter-row + intra-row + field)} weights, applied L times to a
    vector with rescaling, O(L 4^W) (building the matrix included). Both give the same
    log Z; the table prints both times and the ratio.
(2) Estimated log Z of the 16 x 16 periodic lattice at beta_c, where Kaufman's exact
    value is known: annealed importance sampling and population annealing with equal
    sweep budgets, their errors, z-scores and times.

Every timing is the best of three (numpy: one run when it takes over 10 s).
"""


import numpy as np

import boltzmann as bz
from _timing import best_of


def numpy_strip_log_z(model, rows, width, beta):
    """log Z of a rows x width open strip (row-major spins) by the row-to-row transfer matrix."""
    n = rows * width
    i, j, v = model.couplings
    h = model.fields
    J = np.zeros((n, n))
    J[i, j] = v
    states = ((np.arange(2**width)[:, None] >> np.arange(width)) & 1) * 2 - 1  # (2^W, W) spins of a row
    log_z, vector = 0.0, None
    for r in range(rows):
        cols = slice(r * width, (r + 1) * width)
        intra = J[cols, cols]
        own = beta * (np.einsum("sa,ab,sb->s", states, intra, states) + states @ h[cols])  # E within row r, negated
        if vector is None:
            vector = np.exp(own - own.max())
            log_z += own.max()
            continue
        inter = J[(r - 1) * width:r * width, cols]  # couplings from row r-1 to row r
        exponent = beta * (states @ inter @ states.T) + own[None, :]  # [previous state, this state]
        top = exponent.max()
        vector = vector @ np.exp(exponent - top)
        scale = vector.max()
        vector /= scale
        log_z += top + np.log(scale)
    return log_z + np.log(vector.sum())


def strips():
    print("(1) Exact log Z of open Gaussian glass strips with random fields, beta = 1")
    print(f"  {'L x W':>9} {'Boltzmann':>12} {'numpy 2^W x 2^W':>16} {'ratio':>8}   log Z (both)")
    for rows, width in ((64, 8), (64, 10), (64, 12), (32, 13)):
        glass = bz.IsingModel.edwards_anderson((rows, width), distribution="gaussian", periodic=False, seed=1)
        model = glass.with_fields(np.random.default_rng(1).normal(scale=0.3, size=rows * width))
        ours_s, ours = best_of(3, lambda: float(model.log_partition(1.0, method="transfer").value), give_up_after=10)
        numpy_s, theirs = best_of(3, lambda: numpy_strip_log_z(model, rows, width, 1.0), give_up_after=10)
        assert abs(ours - theirs) <= 1e-9 * abs(ours), (ours, theirs)
        print(f"  {rows:>4} x {width:<3} {ours_s:10.4f} s {numpy_s:14.3f} s {numpy_s / ours_s:7.0f}x   {ours:.10f}")


def estimators():
    beta_c = 0.5 * np.log(1 + np.sqrt(2))
    torus = bz.IsingModel.square(16, 16)
    exact = float(bz.ising.square_exact(16, 16, beta_c).log_z)
    print(f"\n(2) 16 x 16 torus at beta_c: Kaufman's log Z = {exact:.6f}; equal budgets of sweeps")
    cases = [("AIS, 400 runs x 1000 betas", lambda s: torus.log_partition(beta_c, method="ais", runs=400, n_betas=1000, seed=s)),
             ("population, 25 x 16 x 1000 betas", lambda s: torus.log_partition(beta_c, method="population", runs=25,
                                                                               populations=16, n_betas=1000, seed=s))]
    for name, run in cases:
        seconds, estimate = best_of(1, lambda: run(1), give_up_after=10)
        z = [(e.value - exact) / e.stderr for e in (run(s) for s in range(2, 6))]
        print(f"  {name:36s} {estimate.value:.4f} ± {estimate.stderr:.4f}  ({(estimate.value - exact) / estimate.stderr:+.2f} SE)"
              f"  {seconds:.2f} s;  z over 4 more seeds {np.round(z, 2).tolist()}")


def main():
    bz.set_progress(False)
    print(f"Boltzmann {bz.__version__}, {bz.get_num_threads()} threads; numpy {np.__version__}\n")
    strips()
    estimators()


if __name__ == "__main__":
    main()
