"""Monte Carlo: Boltzmann beside dwave-samplers and numpy, in one run.

(1) Simulated annealing, Boltzmann's bz.anneal against dwave-samplers'
    SimulatedAnnealingSampler on the same problem, betas (one custom geometric
    schedule over Boltzmann's default range), sweeps and reads: a 64 x 64 periodic
    ferromagnet and a 256-spin Sherrington-Kirkpatrick glass. Both run Metropolis
    sweeps, in index order except Boltzmann on the lattice, which sweeps in
    checkerboard order on its byte-spin kernel. dwave-samplers is single-threaded, so
    the per-core figure compares Boltzmann on one thread; Boltzmann on every thread is
    printed too. Mean and best energies show that both reach the same states.
    boltzmann.ocean's dimod sampler is timed on dwave's own BQM too: the figure a dimod
    user sees, conversion (and the lattice's recognition) included.
(2) Checkerboard Metropolis on a 1024 x 1024 periodic lattice with byte spins,
    against a vectorised numpy checkerboard (int8 spins, neighbour sums by np.roll,
    one float32 uniform per site, an exp table).
(3) Multi-spin coded Metropolis on a 256 x 256 lattice, 64 replicas per word:
    independent random bits per replica, and one uniform shared by the 64.

Flips are attempted single-spin updates. dwave-samplers is installed on first use. Every
timing is the best of several (the numpy baseline: one), for both sides alike: the shared
machine this was written on varies by tens of percent from run to run. In (1) the
contenders take turns, run by run, so a slow spell falls on all of them.
"""

import subprocess
import sys
import time

import numpy as np

import boltzmann as bz
from _timing import best_of


def dwave_sampler():
    try:
        from dwave.samplers import SimulatedAnnealingSampler
    except ImportError:
        print("installing dwave-samplers ...", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "dwave-samplers"], check=True)
        from dwave.samplers import SimulatedAnnealingSampler
    import dimod
    return SimulatedAnnealingSampler(), dimod


def best_of_each(runs, functions):
    """(shortest timing, last result) of each function, the functions taking turns run
    by run, so that a slow spell of the machine falls on all of them alike."""
    times, results = [[] for _ in functions], [None] * len(functions)
    for _ in range(runs):
        for k, f in enumerate(functions):
            start = time.perf_counter()
            results[k] = f()
            times[k].append(time.perf_counter() - start)
    return [(min(t), r) for t, r in zip(times, results)]


def annealing(name, model, sweeps, reads, threads):
    sampler, dimod = dwave_sampler()
    n = model.n_spins
    i, j, v = model.couplings
    # The same Hamiltonian for dwave: E = sum_ij J'_ij s_i s_j + sum_i h'_i s_i with J' = -J.
    bqm = dimod.BinaryQuadraticModel({k: -h for k, h in enumerate(model.fields)},
                                     {(int(a), int(b)): -float(c) for a, b, c in zip(i, j, v)}, 0.0, dimod.SPIN)
    betas = bz.beta_schedule("geometric", *bz.anneal_beta_range(model), sweeps)
    updates = reads * sweeps * n

    def theirs():
        return sampler.sample(bqm, num_reads=reads, num_sweeps=sweeps, beta_schedule_type="custom",
                              beta_schedule=betas, seed=1).record.energy

    def ours():
        return bz.anneal(model, betas, sweeps=1, reads=reads, seed=1).energies

    from boltzmann.ocean import SimulatedAnnealingSampler

    def ours_through_dimod():  # the BQM itself, converted (and a lattice recognised) on every call
        return SimulatedAnnealingSampler().sample(bqm, num_reads=reads, num_sweeps=sweeps, beta_schedule_type="custom",
                                                  beta_schedule=betas, seed=1).record.energy

    def ours_all_threads():
        bz.set_num_threads(threads)
        try:
            return ours()
        finally:
            bz.set_num_threads(1)

    bz.set_num_threads(1)
    (dwave_s, dwave_e), (one_s, one_e), (dimod_s, dimod_e), (all_s, _) = best_of_each(
        7, [theirs, ours, ours_through_dimod, ours_all_threads])
    bz.set_num_threads(threads)
    print(f"\n(1) SA, {name}: {n} spins, {sweeps} sweeps, {reads} reads, same geometric betas "
          f"{betas[0]:.3g} .. {betas[-1]:.3g}")
    print(f"  dwave-samplers   {dwave_s:7.3f} s  {updates / dwave_s / 1e9:6.3f} updates/ns   "
          f"energy mean {dwave_e.mean():10.4f}, best {dwave_e.min():10.4f}")
    print(f"  boltzmann 1 thr  {one_s:7.3f} s  {updates / one_s / 1e9:6.3f} updates/ns   "
          f"energy mean {one_e.mean():10.4f}, best {one_e.min():10.4f}")
    print(f"  boltzmann {threads} thr  {all_s:7.3f} s  {updates / all_s / 1e9:6.3f} updates/ns")
    print(f"  ratio per core   {dwave_s / one_s:7.2f}x   (all threads {dwave_s / all_s:.2f}x)")
    print(f"  boltzmann.ocean 1 thr {dimod_s:7.3f} s  (the dimod interface: BQM in, SampleSet out)   "
          f"energy mean {dimod_e.mean():10.4f}, best {dimod_e.min():10.4f}")
    print(f"  ratio per core through dimod   {dwave_s / dimod_s:7.2f}x")


def numpy_checkerboard(spins, beta, sweeps, rng):
    """Metropolis, one colour at a time, on an int8 periodic lattice, in place."""
    table = np.minimum(1.0, np.exp(-2.0 * beta * np.arange(-4, 5))).astype(np.float32)  # by s * S
    L = spins.shape[0]
    parity = (np.add.outer(np.arange(L), np.arange(L)) % 2).astype(bool)
    for _ in range(sweeps):
        for colour in (False, True):
            s = spins
            neighbours = np.roll(s, 1, 0) + np.roll(s, -1, 0) + np.roll(s, 1, 1) + np.roll(s, -1, 1)
            x = s * neighbours
            flip = (rng.random(s.shape, dtype=np.float32) < table[x + 4]) & (parity == colour)
            np.negative(s, where=flip, out=s)
    return spins


def checkerboard(threads):
    L, sweeps, beta = 1024, 50, 0.4407
    model = bz.IsingModel.square(L, L)
    flips = sweeps * L * L
    rng = np.random.default_rng(1)
    spins = rng.choice(np.array([-1, 1], dtype=np.int8), size=(L, L))
    numpy_s, _ = best_of(1, lambda: numpy_checkerboard(spins, beta, 10, rng))
    numpy_rate = 10 * L * L / numpy_s
    results = {}
    for t in (1, threads):
        bz.set_num_threads(t)
        mc = bz.MonteCarlo(model, beta, "metropolis", "checkerboard", chains=1, seed=1)
        mc.run(5)
        results[t], _ = best_of(5, lambda: mc.run(sweeps, measure_every=sweeps))
    print(f"\n(2) Checkerboard Metropolis, {L} x {L} byte spins at beta_c, {sweeps} sweeps")
    print(f"  numpy            {numpy_rate / 1e9:7.3f} flips/ns")
    for t, seconds in results.items():
        print(f"  boltzmann {t} thr  {flips / seconds / 1e9:7.3f} flips/ns   ({flips / seconds / numpy_rate:.1f}x numpy)")


def multispin(threads):
    L, sweeps, beta = 256, 200, 0.4407
    model = bz.IsingModel.square(L, L)
    print(f"\n(3) Multi-spin coded Metropolis, {L} x {L}, {sweeps} sweeps at beta_c")
    for algorithm, note in (("multispin", "independent bits per replica"), ("multispin_shared", "one uniform per site shared")):
        for t, chains in ((1, 64), (threads, 64 * threads)):
            bz.set_num_threads(t)
            mc = bz.MonteCarlo(model, beta, algorithm, chains=chains, seed=1)
            mc.run(5, measure_every=5)
            seconds, _ = best_of(5, lambda: mc.run(sweeps, measure_every=sweeps))
            print(f"  {algorithm:17s} {t} thr, {chains:3d} replicas  {sweeps * L * L * chains / seconds / 1e9:7.2f} flips/ns"
                  f"   ({note})")


def main():
    threads = bz.get_num_threads()
    print(f"Boltzmann {bz.__version__}, {threads} threads; numpy {np.__version__}")
    annealing("64 x 64 periodic ferromagnet", bz.IsingModel.square(64, 64), sweeps=1000, reads=16, threads=threads)
    annealing("256-spin SK glass", bz.IsingModel.sk(256, seed=1), sweeps=1000, reads=16, threads=threads)
    checkerboard(threads)
    multispin(threads)
    bz.set_num_threads(threads)


if __name__ == "__main__":
    main()
