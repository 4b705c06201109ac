"""A tour of Boltzmann: what the engine computes, each result checked as it is shown.

Run it with `make demo`. Every number printed here is compared with an exact answer
(a closed form, a brute-force sum or an identity); the tour stops with an error if one
disagrees, so it doubles as a test (`make test` runs it).
"""

import itertools
import math
import time
import warnings

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

section("The Ising chain: no transition in one dimension (seed 004)")
chain = bz.ising.chain_exact(10**12, J=1.0, h=0.0, beta=[0.5, 1.0, 2.0])
r = np.arange(0, 40, 8)
corr = bz.ising.chain_correlation(r, J=1.0, beta=2.0)
print("ring of 10^12 spins, <s_i s_i+1> =", np.array2string(chain.nearest_neighbour, precision=6),
      "= tanh(beta J)")
print("<s_0 s_r> at beta = 2, r =", r, "->", np.array2string(corr, precision=4), "(tanh(2)^r: no long-range order)")
check(np.allclose(chain.nearest_neighbour, np.tanh([0.5, 1.0, 2.0]), rtol=1e-12), "chain correlation")
check(np.allclose(corr, np.tanh(2.0) ** r, rtol=1e-13), "chain correlation function")
small = bz.IsingModel.chain(12, J=1.0, h=0.3, periodic=True)
check(np.isclose(small.exact(0.7).log_z, bz.ising.chain_exact(12, 1.0, 0.3, 0.7).log_z, rtol=1e-13),
      "transfer matrix vs enumeration")

section("The 2D Ising model: an exact heat-capacity peak (Kaufman, Onsager)")
tc = bz.ising.critical_temperature()
temperatures = np.linspace(1.5, 3.5, 801)
lattice = bz.ising.square_exact(32, 32, 1 / temperatures)
per_site = lattice.heat_capacity / 32**2
peak = np.argmax(per_site)
infinite = bz.ising.onsager(1 / temperatures[::100])
for k in range(0, 801, 100):
    bar = "#" * int(25 * per_site[k] / per_site[peak])
    print(f"T = {temperatures[k]:.2f}  C/N = {per_site[k]:.4f}  (infinite: {infinite.heat_capacity[k // 100]:.4f}) {bar}")
print(f"32 x 32 torus: C/N peaks at {per_site[peak]:.4f}, T = {temperatures[peak]:.4f}; "
      f"Onsager T_c = 2/ln(1 + sqrt 2) = {tc:.6f}")
check(tc < temperatures[peak] < tc + 0.05, "finite-size peak just above T_c")
model = bz.IsingModel.square(4, 4)
enumerated = model.exact(0.44)
kaufman = bz.ising.square_exact(4, 4, 0.44)
print(f"4 x 4 torus at beta = 0.44: Kaufman log Z = {float(kaufman.log_z):.12f}, all 2^16 states: "
      f"{float(enumerated.log_z):.12f}")
check(np.isclose(kaufman.log_z, enumerated.log_z, rtol=1e-13), "Kaufman vs enumeration")
dos = model.density_of_states()
print("4 x 4 density of states g(E):", dict(zip(dos.energies.tolist(), dos.counts.tolist())))
check(dos.counts.sum() == 2**16, "density of states")

section("Mean-field theory: the phase transition and hysteresis (seed 004)")
z, j = 4, 1.0
for temperature in (2.0, 3.9, 4.1, 6.0):
    mf = bz.ising.mean_field(1 / temperature, J=j, z=z)
    kinds = ", ".join(f"{m:+.4f} ({'stable' if st else 'unstable'})" for m, st in zip(mf.magnetization, mf.stable))
    print(f"T = {temperature}: m = tanh(beta z J m) has {kinds}")
    check(np.allclose(mf.magnetization, np.tanh(z * j * mf.magnetization / temperature), atol=1e-12), "mean field")
print(f"T_c = z J = {mf.critical_temperature:g}: below it, the m = 0 solution turns unstable")
loop = bz.ising.hysteresis(1 / 2.0, J=j, z=z)
ms = np.sqrt(1 - 2.0 / (z * j))
hc = z * j * ms - 2.0 * np.arctanh(ms)
print(f"hysteresis at T = 2: m jumps at h = {loop.coercive_fields[0]:+.3f} and {loop.coercive_fields[1]:+.3f} "
      f"(spinodal +-{hc:.4f})")
check(len(loop.coercive_fields) == 2 and abs(abs(loop.coercive_fields[0]) - hc) < 0.02, "hysteresis")
mf_m = bz.ising.mean_field_magnetization(2.0, J=1.0, z=1)
for n in (10, 100, 1000, 10000):
    cw = bz.ising.curie_weiss(n, 2.0, J=1.0)
    print(f"Curie-Weiss N = {n:>5}: exact <|m|> = {float(cw.abs_magnetization):.6f} (mean field {mf_m:.6f})")
check(abs(float(cw.abs_magnetization) - mf_m) < 1e-3, "Curie-Weiss approaches mean field")

section("Monte Carlo: the 2D transition sampled, against the exact curve (seed 004)")
temperatures = np.array([1.8, 2.1, 2.269, 2.45, 3.0])
exact = bz.ising.square_exact(16, 16, 1 / temperatures)
mc = bz.MonteCarlo(bz.IsingModel.square(16, 16), 1 / temperatures[0], "wolff", chains=8, seed=1)
for k, temperature in enumerate(temperatures):
    mc.beta = 1 / temperature
    r = mc.run(3000, burn_in=300)
    e, c = exact.energy[k] / 256, exact.heat_capacity[k] / 256
    print(f"T = {temperature:5.3f}  E/N = {r.energy} (exact {e:.5f})  C/N = {r.heat_capacity} (exact {c:.4f})  "
          f"U4 = {r.binder}")
    check(abs(r.energy.mean - e) < 5 * r.energy.error and abs(r.heat_capacity.mean - c) < 5 * r.heat_capacity.error,
          "Wolff sampling vs Kaufman")
print("Wolff clusters on a 16 x 16 torus, 8 chains; errors from the integrated autocorrelation time")

section("A spin glass: many equilibria, seen in the overlap P(q) (seed 001)")
glass = bz.IsingModel.sk(64, seed=5)
pt = bz.parallel_tempering(glass, bz.beta_schedule("geometric", 0.4, 3.0, 16), 4000, replicas=2, seed=3)
for k in (0, 8, 15):
    histogram = pt.overlap[k].reshape(-1, 5).sum(axis=1)  # 13 bins of q
    bars = "".join(" .:-=+*#%@"[min(9, int(40 * p))] for p in histogram)
    print(f"beta = {pt.betas[k]:5.3f}  P(q) on [-1, 1]: |{bars}|  <q^2> = {(pt.overlap[k] * pt.q_values**2).sum():.3f}")
print(f"SK, 64 spins, parallel tempering over 16 betas: swap rates {pt.swap_acceptance.min():.2f}..{pt.swap_acceptance.max():.2f}, "
      f"{pt.round_trips} round trips")
check((pt.overlap[-1] * pt.q_values**2).sum() > 3 * (pt.overlap[0] * pt.q_values**2).sum(), "P(q) broadens when cold")

section("A 2D spin glass solved exactly, and estimators converging on it (seeds 001, 003)")
strip = bz.IsingModel.edwards_anderson((40, 10), distribution="gaussian", periodic=False, seed=4)  # 400 spins
temperatures = np.array([0.4, 0.7, 1.0, 1.3, 1.6, 2.0, 3.0])
exact = strip.exact(1 / temperatures, method="transfer")  # a transfer matrix over 10 spins: 2^400 states summed exactly
print("40 x 10 Gaussian EA glass, exact (transfer matrix):")
peak = exact.heat_capacity.max()
for T, c in zip(temperatures, exact.heat_capacity):
    print(f"  T = {T:3.1f}  C/N = {c / 400:.4f}  |{'#' * int(40 * c / peak)}")
step = 1e-4  # U is the recursion's exact derivative: check it against log Z's slope
slope = strip.exact([1 - step, 1 + step], method="transfer").log_z
check(abs(-(slope[1] - slope[0]) / (2 * step) - float(strip.exact(1.0, method="transfer").energy)) < 1e-5, "U = -d log Z / d beta")
planar = strip.exact(1 / temperatures, method="planar")  # the Kasteleyn Pfaffian: no width limit
check(np.allclose(planar.log_z, exact.log_z, rtol=1e-12) and np.allclose(planar.heat_capacity, exact.heat_capacity, rtol=1e-7),
      "the planar Pfaffian and the transfer matrix agree")
wide = bz.IsingModel.edwards_anderson((128, 128), distribution="gaussian", periodic=False, seed=4)
start = time.perf_counter()
wide_c = wide.exact(1 / temperatures, method="planar", progress=False).heat_capacity / wide.n_spins
print(f"128 x 128 (16,384 spins), exact by the planar Pfaffian in {time.perf_counter() - start:.1f} s: C/N = "
      + " ".join(f"{c:.4f}" for c in wide_c))
bonds = wide.edge_correlations(1.0, progress=False)  # <s_i s_j> on all 32,512 bonds, exactly
check(np.isclose(-(wide.couplings[2] * bonds).sum(), float(wide.exact(1.0, method="planar").energy), rtol=1e-10),
      "sum J <s_i s_j> = -U")
print(f"its exact nearest-neighbour correlations at T = 1: {np.mean(np.abs(bonds) > 0.9):.0%} of bonds above 0.9 in "
      f"magnitude, {np.mean(np.sign(bonds) != np.sign(wide.couplings[2])):.1%} of bonds correlated against their coupling (frustration)")
truth = float(strip.log_partition(1.0).value)
print(f"log Z at beta = 1: exact {truth:.4f}; estimates from beta = 0 with error bars:")
for n_betas in (100, 400, 1600):
    with warnings.catch_warnings():  # AIS warns when few runs carry the weight: the ESS column shows it
        warnings.simplefilter("ignore", RuntimeWarning)
        ais = strip.log_partition(1.0, method="ais", runs=100, n_betas=n_betas, sweeps=2, seed=1, progress=False)
    pa = strip.log_partition(1.0, method="population", runs=50, populations=16, n_betas=n_betas // 8, sweeps=2, seed=1,
                             progress=False)
    print(f"  {n_betas:5d} betas: AIS {ais.value:9.4f} ± {ais.stderr:.4f} (ESS {ais.ess:3.0f} of 100)   "
          f"population annealing, {n_betas // 8:3d} betas x 16 x 50: {pa.value:9.4f} ± {pa.stderr:.4f}")
check(abs(ais.value - truth) < 4 * ais.stderr + 0.05 and abs(pa.value - truth) < 4 * pa.stderr + 0.05, "log Z estimates")
beale = bz.ising.square_dos(12, 12)  # Kaufman's Z as a polynomial: g(E) as exact integers
dos = bz.IsingModel.square(12, 12).wang_landau(final_log_f=1e-5, runs=8, seed=1, progress=False)
miss = dos.log_g - beale.log_g
print(f"Wang-Landau's g(E) of the 12 x 12 torus against Beale's exact counts (g up to {max(beale.counts):.3e}): "
      f"max |error in ln g| {np.abs(miss).max():.3f}, the largest {np.abs(miss / dos.log_g_err).max():.1f} standard errors")
check(dos.energies.tolist() == beale.energies.tolist() and np.abs(miss).max() < 0.1, "Wang-Landau against Beale")
pm = bz.IsingModel.edwards_anderson((40, 5), distribution="bimodal", h=1, periodic=False, seed=1)  # 200 spins
counted = pm.exact_dos()  # g(E) as exact integers, by the transfer matrix
samples = pm.exact_sample(5000, 0.5, seed=1)  # exact, independent: forward filtering, backward sampling
e, u = pm.energy(samples), float(pm.exact(0.5, method="transfer").energy)
print(f"a 40 x 5 +-J strip in a field: exact ground level E = {counted.energies[0]:.0f} with {counted.counts[0]} states; "
      f"5,000 exact samples at beta = 0.5 give <E> = {e.mean():.2f} ± {e.std() / np.sqrt(5000):.2f} (U = {u:.2f})")
check(sum(counted.counts) == 2**200 and abs(e.mean() - u) < 5 * e.std() / np.sqrt(5000), "exact g(E) and exact samples")
glass = bz.IsingModel.edwards_anderson((32, 32), distribution="gaussian", periodic=False, seed=3)  # 1,024 spins
drawn = glass.exact_sample(600, 1.0, seed=2, progress=False)  # exact, by the planar sampler (too wide for a transfer matrix)
e, u = glass.energy(drawn), float(np.ravel(glass.exact(1.0, method="planar").energy)[0])
overlap = (drawn[:300].astype(float) * drawn[300:]).mean(axis=1)  # q between independent replicas
print(f"a 32 x 32 Gaussian glass at beta = 1: 600 exact samples give <E> = {e.mean():.2f} ± {e.std() / np.sqrt(600):.2f} "
      f"(U = {u:.2f}); replica overlap <q^2> = {np.mean(overlap**2):.3f}")
check(abs(e.mean() - u) < 5 * e.std() / np.sqrt(600), "planar exact samples")
side = 16  # any planar graph, given its drawing: a brick wall is the honeycomb lattice
bricks = [(side * r + c, side * r + c + 1, 1.0) for r in range(side) for c in range(side - 1)]
bricks += [(side * r + c, side * r + c + side, 1.0) for r in range(side - 1) for c in range(side) if (r + c) % 2 == 0]
honeycomb = bz.IsingModel.from_edges(side * side, bricks)
drawn_on = honeycomb.with_embedding(positions=[(c, -r) for r in range(side) for c in range(side)])
around = np.linspace(1.2, 2.0, 9)
exact_c = drawn_on.exact(1 / around, method="planar", progress=False).heat_capacity
check(np.allclose(exact_c, honeycomb.exact(1 / around, method="transfer", progress=False).heat_capacity, rtol=1e-8),
      "the embedded honeycomb's Pfaffian and the transfer matrix agree")
print(f"a {side} x {side} honeycomb (brick wall), exact by its embedding's Pfaffian: C/N peaks at T = "
      f"{around[np.argmax(exact_c)]:.1f} (the infinite lattice's T_c = 2 / ln(2 + sqrt 3) = {2 / np.log(2 + np.sqrt(3)):.4f})")

section("A p-bit Ising machine run backwards: factoring (seed 002, sections 5.3-5.4)")
gate = bz.pbits.and_gate()
s = gate.sample(20_000, beta=1.0, chains=4, seed=1)
valid = ((s[:, 2] == 1) == ((s[:, 0] == 1) & (s[:, 1] == 1))).mean()
print(f"invertible AND gate at beta = 1: P(valid row) = {valid:.4f} (exact 4e^3/(4e^3 + 3/e + e^-9) = 0.9864)")
check(abs(valid - 0.9864) < 0.005, "AND gate")
for n in (35, 143, 323):
    f = bz.pbits.factor(n, sweeps=100_000, seed=1)
    print(f"{n:3d} = {f.factors[0]:2d} x {f.factors[1]:2d}: the multiplier clamped to {n} samples its factors "
          f"{100 * f.probability:.0f}% of the time, "
          f"first after {f.mean_first_hit:.0f} sweeps")
    check(f.factors[0] * f.factors[1] == n, "factoring")

section("Boltzmann machines learn: bars and stripes, with exact log-likelihoods (seed 002, section 8)")
X = bz.datasets.bars_and_stripes(3)
rbm = bz.RBM(16, batch_size=14, learning_rate=0.1, final_learning_rate=0.0, k=5, metric="none", random_state=1)
for epochs in (0, 100, 300, 1000):
    rbm.set_params(n_iter=epochs).fit(np.tile(X, (10, 1))) if epochs else rbm.initialize(9)
    exact = rbm.log_likelihood(X)
    ais = rbm.log_likelihood(X, "ais", runs=100, betas=np.linspace(0, 1, 3001), seed=3)
    print(f"{epochs:5d} epochs of CD-5: mean log-likelihood exact {exact.value:7.4f}, AIS {ais}   (optimum -ln 14 = {-np.log(14):.4f})")
    check(abs(ais.value - exact.value) < 3 * ais.stderr + 1e-3, "AIS agrees with the exact value")
check(exact.value > -np.log(14) - 0.3, "within 0.3 nats of the optimum")
samples = rbm.sample(1000, steps=100, seed=4)
hits = np.mean([tuple(v) in {tuple(x) for x in X} for v in samples])
print(f"block-Gibbs samples of the trained machine: {100 * hits:.0f}% are bars or stripes")
ring = bz.IsingModel.chain(10, J=0.5, h=0.1)
states = np.array(list(itertools.product([-1, 1], repeat=10)), np.int8)
p = np.exp(-ring.energy(states))
spins = states[np.random.default_rng(5).choice(len(states), 20_000, p=p / p.sum())]
learned = bz.BoltzmannMachine(random_state=1).fit(spins)
i, j, J = learned.model_.couplings
on_ring = ((j - i) == 1) | ((i == 0) & (j == 9))
print(f"a fully visible Boltzmann machine learns a 10-spin ring (J = 0.5, h = 0.1) from 20,000 samples in "
      f"{learned.n_iter_} steps: ring couplings {J[on_ring].min():.3f}..{J[on_ring].max():.3f}, "
      f"others at most {np.abs(J[~on_ring]).max():.3f}, fields {learned.fields_.min():.3f}..{learned.fields_.max():.3f}")
check(on_ring.sum() == 10 and abs(J[on_ring] - 0.5).max() < 0.05 and abs(learned.fields_ - 0.1).max() < 0.05,
      "Boltzmann-machine learning")

try:
    digits, _ = bz.datasets.digits()
except ImportError:
    digits = None
if digits is not None:
    section("An RBM on handwritten digits: exact log Z over 2^20 states against AIS")
    rbm = bz.RBM(20, n_iter=30, batch_size=20, learning_rate=0.05, final_learning_rate=0.0, k=1, persistent=100,
                 momentum=0.9, metric="none", random_state=1).fit(digits)
    exact = rbm.log_likelihood(digits)
    start = time.perf_counter()
    ais = rbm.log_likelihood(digits, "ais", runs=100, base=bz.rbm.base_rates(digits), seed=3)
    print(f"64 x 20 RBM on 1797 binarised digits: mean log-likelihood exact {exact.value:.3f} nats, "
          f"AIS ({time.perf_counter() - start:.1f} s, 14,501 betas) {ais}, effective sample size {ais.ess:.0f} of 100")
    check(abs(ais.value - exact.value) < 3 * ais.stderr and abs(ais.value - exact.value) < 0.1, "AIS on digits")

section("Hopfield networks: memory, its collapse, and dense memories (seeds 001, 004)")
alphas = np.array([0.05, 0.10, 0.125, 0.15, 0.20])
means, errors = bz.hopfield.capacity_curve(800, alphas, noise=0.1, trials=3, seed=1)
print("Hebb, N = 800, cues with 10% of bits flipped: final overlap with the cued pattern")
for alpha, m_, e_ in zip(alphas, means, errors):
    print(f"  alpha = P/N = {alpha:5.3f}  m = {m_:.3f} +- {e_:.3f}  " + "#" * int(round(40 * max(m_, 0))))
print("  retrieval collapses near alpha_c = 0.138 (Amit, Gutfreund & Sompolinsky)")
check(means[0] > 0.99 and means[1] > 0.99 and means[-1] < 0.6, "the capacity curve")

net = bz.Hopfield(2000).store(np.random.default_rng(2).choice(np.array([-1, 1], np.int8), size=(10, 2000)))
spurious = bz.hopfield.spurious_states(net, count=20, seed=3)
print(f"energy per neuron at the patterns {spurious.pattern_energies.mean():.4f} (theory -1/2), at 3-pattern "
      f"mixtures {spurious.mixture_energies.mean():.4f} (theory -3/8), mixture overlaps "
      f"{spurious.mixture_overlaps.mean():.3f} (theory 1/2): spurious minima above the memories")
check(abs(spurious.pattern_energies.mean() + 0.5) < 0.01 and abs(spurious.mixture_energies.mean() + 0.375) < 0.01,
      "mixture-state energies")

one = bz.Hopfield(2000).store(np.ones(2000, np.int8))
for T in (0.5, 0.8):
    states = one.recall(np.ones((16, 2000), np.int8), mode="glauber", temperature=T, sweeps=60, seed=4)
    m_mf = 1.0
    for _ in range(500):
        m_mf = np.tanh(m_mf / T)
    m_ = states.mean()
    print(f"Glauber dynamics at T = {T}: overlap {m_:.3f}, mean-field root of m = tanh(m/T): {m_mf:.3f}")
    check(abs(m_ - m_mf) < 0.02, "the mean-field overlap")

rng = np.random.default_rng(5)
memories = rng.choice(np.array([-1, 1], np.float32), size=(100_000, 64))
targets = rng.choice(100_000, 1000, replace=False)
queries = memories[targets].copy()
for row in queries:
    row[rng.choice(64, 6, replace=False)] *= -1
dense = bz.DenseHopfield(memories, beta=1.0)
start = time.perf_counter()
retrieved = dense.retrieve(queries)
elapsed = time.perf_counter() - start
right = np.mean(np.all(np.sign(retrieved) == memories[targets], axis=1))
print(f"dense Hopfield, 100,000 memories in d = 64 (a load of 1,562 per neuron): one step of "
      f"x <- X^T softmax(beta X x) retrieves {100 * right:.0f}% of 1000 cues with 6 of 64 signs flipped "
      f"({elapsed * 1e3:.0f} ms)")
check(right == 1.0, "dense retrieval")
check(np.all(dense.energy(retrieved) <= dense.energy(queries)), "the dense energy falls")
patterns = rng.choice(np.array([-1, 1], np.int8), size=(200, 100))
cues = np.where(rng.random(patterns.shape) < 0.1, -patterns, patterns)
for degree in (2, 3, 4):
    got = bz.DenseHopfield(patterns, separation="polynomial", degree=degree).retrieve(cues, steps=20)
    exact = np.mean(np.all(got == patterns, axis=1))
    print(f"polynomial separation F(z) = z^{degree}, 200 patterns in 100 neurons: {100 * exact:.0f}% recalled exactly")
check(exact == 1.0, "the polynomial memory")

section("Score-based diffusion: the exact score, memorisation, a learned score (seeds 002 section 10, 004)")
score, sde = bz.diffusion.GaussianMixtureScore.eight_gaussians(), bz.diffusion.VPSDE()
truth, stds = score.sample_data(4000, seed=1), np.full(8, 0.1)
floor_ed = bz.metrics.energy_distance(score.sample_data(4000, seed=2), truth)
print(f"eight Gaussians (std 0.1), VP SDE, 4000 samples; two true samples score coverage "
      f"{bz.metrics.mode_coverage(truth, score.means, stds)[0]:.3f}, ED^2 {floor_ed:+.1e}")
for method, steps in (("euler_maruyama", 100), ("ode_heun", 50), ("ancestral", 50), ("pc", 100)):
    x = bz.diffusion.sample(score, sde, 4000, method=method, steps=steps, seed=3)
    covered, _ = bz.metrics.mode_coverage(x, score.means, stds)
    ed = bz.metrics.energy_distance(x, truth)
    print(f"  {method:>15} x {steps:<3} steps: coverage {covered:.3f}, ED^2 {ed:+.1e}")
    check(covered > 0.97 and abs(ed) < 4e-3, f"the {method} sampler")  # ED^2 of true samples: sd ~1e-3 at n = 4000
train = bz.datasets.eight_gaussians(32, seed=4)
memorised = bz.diffusion.sample(bz.diffusion.EmpiricalScore(train), sde, 1000, method="ancestral", seed=5, denoise=True)
generalised = bz.diffusion.sample(score, sde, 1000, method="ancestral", seed=5)


def near(x):
    return np.mean(np.sqrt(((x[:, None] - train[None]) ** 2).sum(-1)).min(axis=1) < 0.05)


print(f"the optimal score of 32 training points (one dense Hopfield update at beta = alpha_t^2/sigma_t^2) "
      f"returns them: {100 * near(memorised):.0f}% of its samples lie within 0.05 of a training point, "
      f"against {100 * near(generalised):.0f}% for the true score")
check(near(memorised) == 1.0 and near(generalised) < 0.3, "memorisation")
data = bz.datasets.eight_gaussians(20_000, seed=0)
model = bz.diffusion.MLPScore(2, hidden=(128, 128, 128), seed=0)  # 35,714 float32 weights
start = time.perf_counter()
model.fit(data, sde, steps=8000, batch_size=256, lr=3e-3, final_lr=0.0, ema=0.999, seed=0)
elapsed = time.perf_counter() - start
x = bz.diffusion.sample(model, sde, 4000, method="euler_maruyama", steps=100, seed=3)
covered, ed = bz.metrics.mode_coverage(x, score.means, stds)[0], bz.metrics.energy_distance(x, truth)
print(f"a learned score (3 x 128 SiLU MLP, denoising score matching, 8000 Adam steps of 256 in {elapsed:.1f} s) "
      f"samples by Euler-Maruyama x 100: coverage {covered:.3f}, ED^2 {ed:+.1e}")
check(covered > 0.95 and abs(ed) < 4e-3, "the learned score")
held_out = score.sample_data(500, seed=6)
learned, exact = bz.diffusion.log_likelihood(model, sde, held_out), bz.diffusion.log_likelihood(score, sde, held_out)
print(f"test log-likelihood through the probability-flow ODE: learned {learned.mean:.3f} +- {learned.mean_error:.3f} nats "
      f"({learned.bits_per_dim.mean():.3f} bits/dim), the exact score's {exact.mean:.3f} (the mixture's own density)")
check(abs(exact.mean - score.log_density(held_out, 1e-5, sde).mean()) < 1e-3 and learned.mean > exact.mean - 0.3,
      "the likelihoods")

section("Few-step diffusion: quality per score evaluation (Karras et al. 2022, Lu et al. 2022)")
budgets = (5, 10, 20, 35, 50)
print(f"mode coverage of 4000 samples at each NFE (exact samples: {1 - np.exp(-4.5):.3f}); plot data: NFE vs coverage")
print(f"  {'sampler':>16} " + " ".join(f"{b:>6}" for b in budgets))
curves = {}
for method in ("edm_heun", "dpm_solver_2m", "dpm_solver_3m", "unipc", "ddim"):
    curves[method] = []
    for budget in budgets:
        try:
            x, used = bz.diffusion.sample(score, sde, 4000, method=method, nfe=budget, seed=3, return_nfe=True)
        except bz.InvalidArgument:  # a budget below one step
            curves[method].append(float("nan"))
            continue
        check(used <= budget, f"{method}'s NFE")
        curves[method].append(bz.metrics.mode_coverage(x, score.means, stds)[0])
    print(f"  {method:>16} " + " ".join(f"{c:6.3f}" for c in curves[method]))
check(curves["dpm_solver_2m"][2] > 0.975 and curves["edm_heun"][3] > 0.975, "the few-step samplers' targets")

section("Conditional diffusion: guidance and inpainting (Ho & Salimans 2022, Lugmayr et al. 2022)")
labeled = bz.diffusion.GaussianMixtureScore(score.weights, score.means, 0.01, classes=np.arange(8) % 2)
for w in (0.0, 1.0, 3.0):
    x = bz.diffusion.sample(labeled, sde, 4000, method="dpm_solver_2m", steps=30, labels=1, guidance=w, seed=4)
    odd = bz.metrics.mode_coverage(x, score.means[1::2], stds[:4])[0]
    print(f"  guidance w = {w:.0f}: {100 * odd:5.1f}% of samples at the odd (class 1) modes")
    check(odd > 0.97 if w >= 1 else 0.4 < odd < 0.6, f"guidance at w = {w}")
known, mask = [2.0, 0.0, 0.0], [True, False, False]
grid = bz.diffusion.GaussianMixtureScore([0.3, 0.5, 0.2], [[1.8, -0.6, 0.4], [2.3, 0.9, -0.3], [-1.5, 0.2, 1.0]],
                                         [np.eye(3) * 0.1, np.array([[0.2, 0.1, 0], [0.1, 0.2, 0], [0, 0, 0.1]]), np.eye(3) * 0.3])
exact = grid.condition(known, mask)
inpainted = bz.diffusion.sample(grid, sde, 4000, method="ancestral", steps=300, known=known, mask=mask, resample=5, seed=5)
sampled = bz.diffusion.sample(exact, sde, 4000, method="ancestral", steps=300, seed=6)
closed_form = (exact.weights[:, None] * exact.means).sum(0)
print(f"  inpainting x_0 = 2 in a 3-D mixture, free-coordinate means: the exact conditional (a mixture of weights "
      f"{exact.weights.round(3)}) has {closed_form.round(3)}; sampled, {sampled.mean(0).round(3)}; replacement with "
      f"RePaint's resampling (300 steps x 5), which is approximate, {inpainted[:, 1:].mean(0).round(3)}")
check(np.abs(sampled.mean(0) - closed_form).max() < 0.05 and np.all(inpainted[:, 0] == 2.0)
      and np.abs(inpainted[:, 1:].mean(0) - closed_form).max() < 0.25, "inpainting")

if digits is not None:
    section("Conditional diffusion on real data: 8 x 8 digits, classifier-free guidance (Karras et al. 2022 preconditioning)")
    from sklearn.linear_model import LogisticRegression
    pixels, labels = bz.datasets.digits(binarize=False, signed=True)  # 17 grey levels in [-1, 1]
    order = np.random.default_rng(0).permutation(len(pixels))
    train, test = order[:1500], order[1500:]
    classifier = LogisticRegression(max_iter=1000).fit(pixels[train], labels[train])
    start = time.perf_counter()
    model = bz.diffusion.MLPScore(64, hidden=(128, 128, 128), embedding_size=32, prediction="edm", sigma_data=0.6,
                                  n_classes=10, seed=0)
    model.fit(pixels[train], sde, labels=labels[train], steps=3000, batch_size=128, lr=2e-3, final_lr=1e-5, seed=0)
    trained = time.perf_counter() - start
    requested = np.arange(500) % 10
    accuracy = {}
    for w in (1.0, 2.0):
        x = bz.diffusion.sample(model, sde, 500, method="dpm_solver_2m", steps=19, labels=requested, guidance=w, seed=1)
        accuracy[w] = (classifier.predict(x) == requested).mean()
    print(f"A 3 x 128 class-conditional MLP trained in {trained:.1f} s (3000 steps, label dropout 0.1); a logistic "
          f"regression fitted on real digits ({classifier.score(pixels[test], labels[test]):.3f} on held-out ones) "
          f"gives {100 * accuracy[1.0]:.1f}% of samples their requested label at w = 1 and {100 * accuracy[2.0]:.1f}% "
          f"at w = 2 (DPM-Solver++ 2M, 20 evaluations each); one sample per digit at w = 2:")
    ramp = " .:-=+*#%@"
    for row in x[:10].reshape(10, 8, 8).transpose(1, 0, 2):
        print("  " + "  ".join("".join(ramp[int(np.clip((v + 1) / 2, 0, 1) * (len(ramp) - 1) + 0.5)] * 2 for v in digit)
                               for digit in row))
    check(accuracy[2.0] >= 0.9, "guided digits carry their labels")

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
