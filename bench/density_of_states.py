"""Exact and estimated densities of states of the square torus, in one run.

(1) Beale's exact g(E) (``ising.square_dos``: Kaufman's Z as a polynomial with
    whole-number coefficients, found modulo primes) beside the only other exact route
    a user has, enumerating all 2^N states (``IsingModel.density_of_states``, itself
    a threaded two-additions-per-state Gray-code walk), where enumeration can go; then
    Beale alone up to 128 x 128, each result checked to sum to 2^N exactly.
(2) The exact g(E) of any whole-number model whose transfer-matrix frontier fits
    (``IsingModel.exact_dos``): open +-J strips in a field, with their ground-state
    energy and degeneracy.
(3) Wang-Landau with the 1/t refinement (``IsingModel.wang_landau``) judged by it on
    the 16 x 16 and 32 x 32 tori: the largest error in ln g, the largest relative
    error, the z-scores' rms and largest value (the errors come from the runs' spread).

No peer package computes an exact g(E) beyond enumeration. ``--quick`` skips the
128 x 128 torus, the 64 x 8 strip and the 32 x 32 Wang-Landau run (about two minutes
each). Timings are
the best of three (one run when a run takes over 10 s).
"""

import sys

import numpy as np

import boltzmann as bz
from _timing import best_of


def digits(dos):
    """Decimal digits of the largest g(E)."""
    return int(dos.log_g.max() / np.log(10)) + 1


def main(quick=False):
    print("(1) exact g(E) of the periodic L x W square lattice, J = 1")
    print(f"{'torus':>9} {'levels':>7} {'digits of max g':>16} {'enumeration s':>14} {'Beale s':>9} {'ratio':>8}")
    for m, n in ((4, 5), (5, 5), (4, 6)):
        model = bz.IsingModel.square(m, n)
        t_enum, enumerated = best_of(3, lambda: model.density_of_states(progress=False))
        t_beale, dos = best_of(3, lambda: bz.ising.square_dos(m, n, progress=False))
        assert dos.counts.tolist() == enumerated.counts.tolist()
        print(f"{m:>4} x {n:<3} {len(dos.energies):>7} {digits(dos):>16} {t_enum:>14.4f} {t_beale:>9.5f} "
              f"{t_enum / t_beale:>7.0f}x")
    for side in (16, 32, 64) + (() if quick else (128,)):
        t_beale, dos = best_of(3, lambda: bz.ising.square_dos(side, side, progress=False), give_up_after=10)
        assert sum(dos.counts) == 2 ** (side * side)
        print(f"{side:>4} x {side:<3} {len(dos.energies):>7} {digits(dos):>16} {'-':>14} {t_beale:>9.3f}")

    print("\n(2) exact g(E) of open +-J glasses by the transfer matrix (IsingModel.exact_dos), beside enumeration where it can go")
    print(f"{'strip':>9} {'h':>3} {'levels':>7} {'E_0':>8} {'g(E_0)':>16} {'enumeration s':>14} {'transfer s':>11}")
    for shape, h in (((4, 6), 1), ((40, 5), 1), ((40, 6), 1), ((30, 8), 0)) + (() if quick else (((64, 8), 0),)):
        model = bz.IsingModel.edwards_anderson(shape, distribution="bimodal", h=h, periodic=False, seed=1)
        t_transfer, dos = best_of(3, lambda: model.exact_dos(progress=False), give_up_after=2)
        assert sum(dos.counts) == 2 ** model.n_spins
        t_enum = "-"
        if model.n_spins <= 24:
            seconds, enumerated = best_of(3, lambda: model.density_of_states(progress=False))
            assert enumerated.counts.tolist() == dos.counts.tolist()
            t_enum = f"{seconds:.4f}"
        print(f"{shape[0]:>4} x {shape[1]:<3} {h:>3} {len(dos.energies):>7} {dos.energies[0]:>8.0f} {dos.counts[0]:>16} "
              f"{t_enum:>14} {t_transfer:>11.3f}")

    print("\n(3) Wang-Landau (final ln f = 1e-5) against the exact g(E)")
    print(f"{'torus':>9} {'runs':>5} {'s':>7} {'max |d ln g|':>13} {'max rel':>8} {'rms z':>6} {'max |z|':>8}")
    for side, runs in ((16, 8),) + (() if quick else ((32, 4),)):
        exact = bz.ising.square_dos(side, side, progress=False)
        seconds, dos = best_of(1, lambda: bz.IsingModel.square(side, side).wang_landau(
            final_log_f=1e-5, runs=runs, seed=1, progress=False))
        assert dos.energies.tolist() == exact.energies.tolist()
        miss = dos.log_g - exact.log_g
        z = miss / dos.log_g_err
        print(f"{side:>4} x {side:<3} {runs:>5} {seconds:>7.1f} {np.abs(miss).max():>13.4f} "
              f"{(np.abs(miss) / exact.log_g).max():>8.4f} {np.sqrt(np.mean(z**2)):>6.2f} {np.abs(z).max():>8.2f}")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
