"""Child process of test_interrupt.py: runs every long entry point of the binding in
turn, each far longer than a second uninterrupted, and reports on stdout:

    ready NAME          the call is about to start (the parent then sends SIGINT)
    interrupted NAME    KeyboardInterrupt arrived (the parent times this line)
    usable NAME         a short call on the same objects worked afterwards
    finished NAME       the call ended without being interrupted (a failure)
    error NAME TEXT     something else was raised (a failure)

``python interrupt_child.py [NAME ...]`` runs only the named entry points.
"""

import sys

import numpy as np

import boltzmann as bz
from boltzmann import diffusion


def say(*words):
    print(*words, flush=True)


def entry_points():
    """(name, long call, short check afterwards), built lazily so setup is not timed."""
    rng = np.random.default_rng(0)
    glass = bz.IsingModel.sk(34, seed=1)
    lattice = bz.IsingModel.square(256)
    yield "ising_exact", lambda: glass.exact([0.5, 1.0], max_spins=34), lambda: bz.IsingModel.sk(10, seed=1).exact(1.0)
    yield "ising_ground_state", lambda: glass.ground_state(max_spins=34), lambda: glass.energy(np.ones(34, np.int8))
    square = bz.IsingModel.square(6, 6)
    yield "ising_density_of_states", lambda: square.density_of_states(max_spins=36), lambda: bz.IsingModel.square(3).density_of_states()

    mc = bz.MonteCarlo(lattice, 0.44, "metropolis", "checkerboard", chains=2, seed=1)
    yield "mc_run", lambda: mc.run(10**7), lambda: mc.run(2)
    generic = bz.MonteCarlo(bz.IsingModel.sk(300, seed=2), 1.0, "heat_bath", "random", chains=2, seed=1)
    yield "mc_run_generic", lambda: generic.run(10**7), lambda: generic.run(2)
    yield "mc_sample", lambda: generic.sample(10**5, every=10), lambda: generic.sample(2)
    wolff = bz.MonteCarlo(lattice, 0.6, "wolff", chains=8, seed=1)
    yield "mc_run_wolff", lambda: wolff.run(10**6), lambda: wolff.run(1)
    packed = bz.MonteCarlo(lattice, 0.44, "multispin", chains=128, seed=1)
    yield "mc_run_multispin", lambda: packed.run(10**7), lambda: packed.run(1)

    sk = bz.IsingModel.sk(200, seed=3)
    pt = bz.ParallelTempering(sk, np.linspace(0.2, 2.0, 8), replicas=2, seed=1)
    yield "tempering", lambda: pt.run(10**7), lambda: pt.run(2)
    yield "anneal", lambda: bz.anneal(sk, sweeps=10**4, reads=200, seed=1), lambda: bz.anneal(sk, sweeps=1, reads=1)
    yield "anneal_lattice", lambda: bz.anneal(lattice, sweeps=10**4, reads=100, seed=1), lambda: bz.anneal(lattice)

    data = (rng.random((5000, 784)) < 0.2).astype(np.float32)
    rbm = bz.RBM(500, random_state=1).initialize(784)
    yield "rbm_fit", lambda: rbm.set_params(n_iter=1000, batch_size=100, warm_start=True).fit(data), \
        lambda: rbm.transform(data[:2])
    yield "rbm_ais", lambda: rbm.log_partition("ais", runs=1000, betas=np.linspace(0, 1, 10**5)), \
        lambda: rbm.log_partition("ais", runs=2, betas=np.linspace(0, 1, 10))
    yield "rbm_sample", lambda: rbm.sample(1000, steps=10**7), lambda: rbm.sample(1, steps=1)
    small = bz.RBM(32, random_state=2).initialize(32)
    yield "rbm_exact", lambda: small.log_partition("exact"), lambda: bz.RBM(4).initialize(8).log_partition("exact")
    spins = np.where(rng.random((500, 60)) < 0.5, 1, -1).astype(np.int8)
    yield "bm_fit", lambda: bz.BoltzmannMachine(n_iter=10**7, chains=1000, tolerance=0).fit(spins), \
        lambda: bz.BoltzmannMachine(n_iter=2).fit(spins[:, :4])

    patterns = np.where(rng.random((400, 4096)) < 0.5, 1, -1).astype(np.int8)
    net = bz.Hopfield(4096).store(patterns)
    cues = np.repeat(patterns[:50], 20, axis=0)
    yield "hopfield_recall", lambda: net.recall(cues, mode="glauber", temperature=0.5, sweeps=10**6), \
        lambda: net.recall(cues[:1], sweeps=1)
    dense = bz.DenseHopfield(rng.normal(size=(10**5, 64)).astype(np.float32), beta=0.1)
    queries = rng.normal(size=(20_000, 64)).astype(np.float32)
    yield "dense_retrieve", lambda: dense.retrieve(queries, steps=1000), lambda: dense.retrieve(queries[:2])

    gmm, vp = diffusion.GaussianMixtureScore.eight_gaussians(), diffusion.VPSDE()
    yield "diffusion_sample", lambda: diffusion.sample(gmm, vp, 10**5, steps=10**5), lambda: diffusion.sample(gmm, vp, 2, steps=2)
    yield "diffusion_sample_rk45", lambda: diffusion.sample(gmm, vp, 10**5, method="ode_rk45", rtol=1e-9, atol=1e-9), \
        lambda: diffusion.sample(gmm, vp, 2, steps=2)
    mlp = diffusion.MLPScore(2, seed=1)
    moons = bz.datasets.two_moons(10_000)
    yield "mlp_fit", lambda: mlp.fit(moons, vp, steps=10**7), lambda: mlp.score(moons[:2], 0.5, vp)
    yield "mlp_sample", lambda: diffusion.sample(mlp, vp, 10**5, steps=10**5), lambda: diffusion.sample(mlp, vp, 2, steps=2)

    def energy(v):
        return 0.5 * float(v @ v), v

    yield "langevin_python_energy", lambda: bz.langevin(energy, start=np.zeros((2, 3)), steps=10**8), \
        lambda: bz.langevin(energy, start=np.zeros((1, 1)), steps=2)
    yield "langevin_mixture", lambda: bz.langevin(score=gmm, sde=vp, t=0.01, start=np.zeros((10**5, 2)), steps=10**6), \
        lambda: bz.langevin(score=gmm, sde=vp, t=0.01, start=np.zeros((1, 2)), steps=1)
    yield "ito_integral", lambda: diffusion.ito_integral(paths=10**6, steps=10**5), lambda: diffusion.ito_integral(10, 10)
    big = rng.normal(size=(100_000, 2)).astype(np.float32)
    yield "energy_distance", lambda: bz.metrics.energy_distance(big, big), lambda: bz.metrics.energy_distance(big[:9], big[:7])
    yield "mmd", lambda: bz.metrics.mmd(big, big), lambda: bz.metrics.mmd(big[:9], big[:7])
    yield "sliced_wasserstein", lambda: bz.metrics.sliced_wasserstein(big, big, projections=10**5), \
        lambda: bz.metrics.sliced_wasserstein(big[:9], big[:7])
    yield "pbit_factor", lambda: bz.pbits.factor(1_000_003 * 999_983, sweeps=10**9), lambda: bz.pbits.factor(15, sweeps=10)


def main(names):
    for name, call, check in entry_points():
        if names and name not in names:
            continue
        say("ready", name)
        try:
            call()
            say("finished", name)
            continue
        except KeyboardInterrupt:
            say("interrupted", name)
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            say("error", name, type(e).__name__, str(e).replace("\n", " ")[:200])
            continue
        try:
            check()
            say("usable", name)
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            say("error", name, type(e).__name__, str(e).replace("\n", " ")[:200])
    say("done")


if __name__ == "__main__":
    main(set(sys.argv[1:]))
