"""Exhaustive enumeration: Boltzmann beside a vectorised numpy baseline, in one run.

(a) A 30-spin Sherrington-Kirkpatrick instance: log Z, U, C, <m>, <|m|>, <m^2> at 16
    betas over all 2^30 states.
(b) The 5 x 6 periodic square lattice: the exact density of states g(E) over 2^30 states.

numpy processes chunks of 2^16 states (spins from the bits of the state index, energies
by matrix products or bond sums, weights at every beta, np.bincount for g); it is timed
on the first 2^22 states and its rate extrapolated, since the full 2^30 would take
minutes to hours. Both sides are first checked to agree on a 20-spin instance.
Boltzmann visits half the states when every field is zero (E(-s) = E(s)); case (a) is
also timed with a field h = 0.1 on every spin, where it visits them all.
The PyPI `ising` package is tried too and reported when it does not install or import.
"""

import time

import numpy as np

import boltzmann as bz

CHUNK = 1 << 16
SAMPLE = 1 << 22
BETAS = np.linspace(0.1, 2.0, 16)


def spins_of(start, count, n):
    index = np.arange(start, start + count, dtype=np.int64)
    return (((index[:, None] >> np.arange(n)) & 1) * 2 - 1).astype(np.float64)


def numpy_thermo(j, h, states, betas):
    """Sums over the first `states` states of w, wE, wE^2, w m, w|m|, w m^2 per beta."""
    n = len(h)
    shift = -np.abs(np.triu(j, 1)).sum() - np.abs(h).sum()  # a lower bound on E: no overflow
    sums = np.zeros((6, len(betas)))
    for start in range(0, states, CHUNK):
        s = spins_of(start, min(CHUNK, states - start), n)
        e = -0.5 * np.einsum("ki,ki->k", s @ j, s) - s @ h
        m = s.mean(1)
        w = np.exp(-np.outer(betas, e - shift))  # (betas, states)
        sums += np.stack([w.sum(1), w @ e, w @ (e * e), w @ m, w @ np.abs(m), w @ (m * m)])
    log_z = np.log(sums[0]) - betas * shift
    u = sums[1] / sums[0]
    return log_z, u, betas**2 * (sums[2] / sums[0] - u * u), sums[4] / sums[0]


def numpy_dos(rows, cols, states):
    n = rows * cols
    site = np.arange(n).reshape(rows, cols)
    a = np.concatenate([site.ravel(), site.ravel()])
    b = np.concatenate([np.roll(site, -1, 1).ravel(), np.roll(site, -1, 0).ravel()])
    counts = np.zeros(4 * n + 1, dtype=np.int64)
    for start in range(0, states, CHUNK):
        s = spins_of(start, min(CHUNK, states - start), n).astype(np.int8)
        e = -(s[:, a] * s[:, b]).sum(1, dtype=np.int64)
        counts += np.bincount(e + 2 * n, minlength=4 * n + 1)
    return counts


def timed(f, *args):
    start = time.perf_counter()
    result = f(*args)
    return result, time.perf_counter() - start


def main():
    print(f"Boltzmann {bz.__version__}, {bz.get_num_threads()} threads; numpy {np.__version__}")

    # Agreement first, on 2^20 states both sides enumerate completely.
    small = bz.IsingModel.sk(20, seed=7, h=0.1)
    ours = small.exact(BETAS)
    theirs = numpy_thermo(small.coupling_matrix(), small.fields, 1 << 20, BETAS)
    diff = max(np.max(np.abs(ours.log_z - theirs[0]) / np.abs(theirs[0])),
               np.max(np.abs(ours.heat_capacity - theirs[2]) / np.abs(theirs[2])))
    print(f"20-spin SK, 16 betas: largest relative difference to numpy (log Z, C) {diff:.1e}")

    print("\n(a) 30-spin SK, log Z U C <m> <|m|> <m^2> at 16 betas, all 2^30 states")
    sk = bz.IsingModel.sk(30, seed=1)
    result, ours_s = timed(sk.exact, BETAS)
    assert np.all(np.isfinite(result.heat_capacity))
    _, numpy_s = timed(numpy_thermo, sk.coupling_matrix(), sk.fields, SAMPLE, BETAS)
    ours_rate, numpy_rate = 2**30 / ours_s, SAMPLE / numpy_s
    print(f"  boltzmann  {ours_s:8.2f} s   {ours_rate:10.3e} states/s")
    print(f"  numpy      {numpy_s * 2**30 / SAMPLE:8.2f} s*  {numpy_rate:10.3e} states/s  (*extrapolated from 2^22)")
    print(f"  ratio      {ours_rate / numpy_rate:8.1f}x")
    fielded = sk.with_fields(0.1)
    _, fielded_s = timed(fielded.exact, BETAS)
    print(f"  with h = 0.1 (no spin-flip symmetry): boltzmann {fielded_s:.2f} s, "
          f"{2**30 / fielded_s:.3e} states/s, {2**30 / fielded_s / numpy_rate:.1f}x numpy")

    print("\n(b) 5 x 6 periodic square lattice, exact g(E), all 2^30 states")
    lattice = bz.IsingModel.square(5, 6)
    dos, ours_s = timed(lattice.density_of_states)
    assert dos.counts.sum() == 2**30
    sample, numpy_s = timed(numpy_dos, 5, 6, SAMPLE)
    assert sample.sum() == SAMPLE
    ours_rate, numpy_rate = 2**30 / ours_s, SAMPLE / numpy_s
    print(f"  boltzmann  {ours_s:8.2f} s   {ours_rate:10.3e} states/s")
    print(f"  numpy      {numpy_s * 2**30 / SAMPLE:8.2f} s*  {numpy_rate:10.3e} states/s  (*extrapolated from 2^22)")
    print(f"  ratio      {ours_rate / numpy_rate:8.1f}x")

    try:
        import ising  # noqa: F401  (PyPI "ising")
        print("\nPyPI `ising` imported, but exposes no exhaustive enumeration to compare on these quantities")
    except ImportError:
        print("\nPyPI `ising`: not installed here (pip install ising), so not compared")


if __name__ == "__main__":
    main()
