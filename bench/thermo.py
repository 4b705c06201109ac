"""Full thermodynamics of a 10^6-level spectrum at 256 betas: Boltzmann vs numpy/scipy.

The peer is the straightforward code a user would write: per beta, scipy's logsumexp
for log Z, then the Boltzmann weights and weighted means for U, S and C. Both run in
this process, on the same data, with 2 threads for Boltzmann; each is timed as the
best of a few repeats. Results must agree to 1e-12 relative (the script fails if not).
"""

import sys

import numpy as np
from scipy.special import logsumexp

import boltzmann as bz
from _timing import best_of

N_LEVELS, N_BETAS, THREADS = 10**6, 256, 2


def scipy_thermo(energies, degeneracies, betas):
    log_g = np.log(degeneracies)
    out = np.empty((4, betas.size))
    for k, beta in enumerate(betas):
        a = log_g - beta * energies
        log_z = logsumexp(a)
        p = np.exp(a - log_z)
        u = p @ energies
        out[:, k] = log_z, u, beta * u + log_z, beta * beta * (p @ (energies - u) ** 2)
    return out


def main():
    rng = np.random.default_rng(2024)
    energies = rng.uniform(0.0, 10.0, N_LEVELS)
    degeneracies = rng.integers(1, 100, N_LEVELS).astype(np.float64)
    betas = np.linspace(0.05, 5.0, N_BETAS)
    bz.set_num_threads(THREADS)
    spectrum = bz.Spectrum(energies, degeneracies)

    def ours():
        t = spectrum.thermo(betas)
        return np.array([t.log_z, t.energy, t.entropy, t.heat_capacity])

    t_ours, r_ours = best_of(3, ours)
    t_peer, r_peer = best_of(2, lambda: scipy_thermo(energies, degeneracies, betas))
    rel = np.abs(r_ours - r_peer) / np.abs(r_peer)

    print(f"thermodynamics of {N_LEVELS:.0e} levels at {N_BETAS} betas (log Z, U, S, C)")
    print(f"  boltzmann ({THREADS} threads)   {t_ours:8.3f} s")
    print(f"  numpy/scipy logsumexp    {t_peer:8.3f} s")
    print(f"  speed-up                 {t_peer / t_ours:8.1f} x")
    for name, r in zip(("log Z", "U", "S", "C"), rel):
        print(f"  max relative difference  {r.max():.1e}  ({name})")
    if rel.max() > 1e-12:
        print("FAIL: results differ by more than 1e-12 relative", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
