"""Exact log Z of 2D spin glasses: Boltzmann's planar Pfaffian beside pfapack, in one run.

(1) The same Kasteleyn matrix (``IsingModel.kasteleyn``: the dual Fisher lattice of an
    open L x L Edwards-Anderson glass with Gaussian couplings at beta = 1, 6 (L + 1)^2
    nodes) given to pfapack's compiled dense Pfaffian (Parlett-Reid in mantissa-exponent
    form, ``skpf10_d``, O(n^3)) and factorised by Boltzmann's nested dissection
    (O(n^1.5), level-3 BLAS).
    Both give log Z = log_prefactor + ln |Pf|; the table prints both, the times and the
    ratio. (Building the dense matrix is not timed.)
(2) Boltzmann alone where a dense Pfaffian cannot go: 64 x 64 to 256 x 256, log Z only,
    with U and C (exact beta-derivatives), and <s_i s_j> on every bond (selected
    inversion; checked: sum J <s_i s_j> = -U).
(3) Any planar graph given its embedding: L x L triangular glasses, one dense Pfaffian
    of the expanded dual each, beside the transfer matrix (exact, O(N 2^(L+1))) where
    its frontier fits; seconds per exact sample (sequential conditioning).

Needs ``pip install pfapack`` for (1). Timings are the best of three (one run when a
run takes over 10 s), on however many threads the machine has.
"""


import time

import numpy as np

import boltzmann as bz
from _timing import best_of


def glass(side):
    return bz.IsingModel.edwards_anderson((side, side), distribution="gaussian", periodic=False, seed=1)


def main():
    beta = 1.0
    try:
        from pfapack.ctypes import skpf10_d
    except ImportError:
        skpf10_d = None
        print("pfapack is not installed (pip install pfapack): part (1) skipped")

    def pfapack_log_pfaffian(dense):
        """ln |Pf| by pfapack's Parlett-Reid in base-10 mantissa-exponent form (the
        value itself overflows a double from L = 24)."""
        import ctypes
        result = (ctypes.c_double * 2)(0.0, 0.0)
        if skpf10_d(dense.shape[0], np.asarray(dense, order="F"), result, b"U", b"P") != 0:
            raise RuntimeError("pfapack failed")
        return np.log(abs(result[0])) + result[1] * np.log(10.0)

    if skpf10_d is not None:
        print("(1) open L x L Gaussian glass at beta = 1: log Z from the same Kasteleyn matrix")
        print(f"{'L':>4} {'nodes':>7} {'pfapack log Z':>18} {'Boltzmann log Z':>18} {'pfapack s':>10} {'Boltzmann s':>12} {'ratio':>8}")
        for side in (8, 16, 24, 32, 40):
            model = glass(side)
            k = model.kasteleyn(beta)
            dense = k.toarray()
            t_pfapack, log_pf = best_of(3, lambda: pfapack_log_pfaffian(dense), give_up_after=10)
            theirs = k.log_prefactor + log_pf
            t_ours, ours = best_of(3, lambda: model.log_partition(beta, method="planar", progress=False).value, give_up_after=10)
            print(f"{side:>4} {k.n_nodes:>7} {theirs:>18.10f} {ours:>18.10f} {t_pfapack:>10.4f} {t_ours:>12.5f} "
                  f"{t_pfapack / t_ours:>7.0f}x")
            assert abs(theirs - ours) <= 1e-9 * abs(ours), (theirs, ours)
    print("\n(2) Boltzmann alone: open L x L Gaussian glass at beta = 1")
    print(f"{'L':>5} {'spins':>7} {'log Z / N':>14} {'C / N':>10} {'log Z s':>9} {'with U, C s':>12} {'<s_i s_j> s':>12}"
          f" {'s / exact sample':>17}")
    for side in (64, 128, 256):
        model = glass(side)
        t_log_z, estimate = best_of(3, lambda: model.log_partition(beta, method="planar", progress=False), give_up_after=10)
        t_thermo, thermo = best_of(3, lambda: model.exact(beta, method="planar", progress=False), give_up_after=10)
        t_edges, edges = best_of(3, lambda: model.edge_correlations(beta, progress=False), give_up_after=10)
        assert abs(-(model.couplings[2] * edges).sum() - float(thermo.energy)) <= 1e-9 * abs(float(thermo.energy))
        n, draws = model.n_spins, {64: 40, 128: 8, 256: 2}[side]
        start = time.perf_counter()
        model.exact_sample(draws, beta, seed=1, method="planar", progress=False)  # one elimination, then the draws
        t_sample = (time.perf_counter() - start) / draws
        print(f"{side:>5} {n:>7} {estimate.value / n:>14.10f} {float(thermo.heat_capacity) / n:>10.6f} "
              f"{t_log_z:>9.3f} {t_thermo:>12.3f} {t_edges:>12.3f} {t_sample:>17.3f}")

    print("\n(3) any planar graph, embedded: an L x L triangular Gaussian glass at beta = 1 (one dense Pfaffian"
          " of ~6N nodes), beside the transfer matrix over its L + 1 frontier spins where that fits")
    print(f"{'L':>4} {'spins':>6} {'nodes':>6} {'log Z':>16} {'log Z s':>9} {'with U, C s':>12} {'transfer s':>11} {'ratio':>7}"
          f" {'s / exact sample':>17}")
    for side in (12, 16, 20, 30, 40):
        model, embedded = triangular(side)
        t_log_z, estimate = best_of(3, lambda: embedded.log_partition(beta, method="planar", progress=False), give_up_after=10)
        t_thermo, _ = best_of(3, lambda: embedded.exact(beta, method="planar", progress=False), give_up_after=10)
        if side <= 20:
            t_transfer, reference = best_of(3, lambda: model.exact(beta, method="transfer", progress=False), give_up_after=10)
            assert abs(float(reference.log_z) - estimate.value) <= 1e-11 * abs(estimate.value)
            transfer = f"{t_transfer:>11.3f} {t_transfer / t_log_z:>6.0f}x"
        else:
            transfer = f"{'-':>11} {'-':>7}"
        if side <= 20:
            draws = 20
            start = time.perf_counter()
            embedded.exact_sample(draws, beta, seed=1, method="planar", progress=False)
            sample = f"{(time.perf_counter() - start) / draws:>17.3f}"
        else:
            sample = f"{'-':>17}"
        print(f"{side:>4} {model.n_spins:>6} {6 * (model.n_spins - 2):>6} {estimate.value:>16.8f} {t_log_z:>9.3f} "
              f"{t_thermo:>12.3f} {transfer} {sample}")


def triangular(side):
    """An L x L triangular glass (squares with one diagonal, Gaussian couplings) and the
    same model embedded by its drawing."""
    site = lambda r, c: r * side + c  # noqa: E731
    pairs = [(site(r, c), site(r, c + 1)) for r in range(side) for c in range(side - 1)]
    pairs += [(site(r, c), site(r + 1, c)) for r in range(side - 1) for c in range(side)]
    pairs += [(site(r, c), site(r + 1, c + 1)) for r in range(side - 1) for c in range(side - 1)]
    couplings = np.random.default_rng(1).normal(size=len(pairs))
    model = bz.IsingModel.from_edges(side * side, [(a, b, j) for (a, b), j in zip(pairs, couplings)])
    return model, model.with_embedding(positions=[(c - 0.5 * r, -r) for r in range(side) for c in range(side)])


if __name__ == "__main__":
    main()
