"""Every public object pickles (with pickle and with cloudpickle, which Dask and loky use)
to an equal object: the same parameters, and the same next results for the same seed.
Samplers are pickled mid-run: their chains and random streams travel with them
(bz_mc_serialize / bz_pt_serialize), so the copy continues bit for bit."""

import dataclasses
import pickle

import numpy as np
import pytest

import boltzmann as bz
from boltzmann import diffusion

cloudpickle = pytest.importorskip("cloudpickle")
DUMPERS = {"pickle": pickle.dumps, "cloudpickle": cloudpickle.dumps}


@pytest.fixture(params=sorted(DUMPERS))
def copy(request):
    dumps = DUMPERS[request.param]
    return lambda obj: pickle.loads(dumps(obj))


def same(a, b):
    """Equal results: dataclasses field by field, arrays bit for bit."""
    if dataclasses.is_dataclass(a):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, (np.ndarray, float, np.floating)) or isinstance(b, np.ndarray):
        return np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


MONTE_CARLO = {
    "metropolis": lambda: bz.MonteCarlo(bz.IsingModel.sk(24, seed=2), 1.2, "metropolis", chains=3, seed=1),
    "random order": lambda: bz.MonteCarlo(bz.IsingModel.sk(24, seed=2), 1.2, "heat_bath", order="random", seed=1),
    "lattice kernel": lambda: bz.MonteCarlo(bz.IsingModel.square(16), 0.44, "heat_bath", order="checkerboard",
                                            chains=2, seed=1),
    "wolff": lambda: bz.MonteCarlo(bz.IsingModel.square(12), 0.44, "wolff", chains=2, seed=1),
    "swendsen-wang": lambda: bz.MonteCarlo(bz.IsingModel.square(12), 0.44, "swendsen_wang", seed=1),
    "multispin": lambda: bz.MonteCarlo(bz.IsingModel.square(16), 0.44, "multispin", chains=64, seed=1),
    "clamped": lambda: bz.MonteCarlo(bz.IsingModel.chain(10, J=0.7, h=0.2), 1.0, "heat_bath", seed=3).clamp([0, 5], [1, -1]),
    "correlation": lambda: bz.MonteCarlo(bz.IsingModel.square(8), 0.4, "metropolis", chains=2, seed=1).measure_correlation(1),
    "glass with fields": lambda: bz.MonteCarlo(bz.IsingModel.edwards_anderson((6, 6), distribution="gaussian", seed=4)
                                               .with_fields(0.3), 1.0, "metropolis", chains=2, seed=1),
}


@pytest.mark.parametrize("name", sorted(MONTE_CARLO))
def test_monte_carlo_mid_run_continues_bit_for_bit(name, copy):
    sampler = MONTE_CARLO[name]()
    sampler.run(30, burn_in=5)
    twin = copy(sampler)
    assert same(twin.results(), sampler.results())  # the last run's results travel too
    assert np.array_equal(twin.spins, sampler.spins) and repr(twin) == repr(sampler)
    assert same(twin.run(40, series=True), sampler.run(40, series=True))
    if sampler.algorithm != "multispin":  # multi-spin replicas are not sampled state by state
        assert np.array_equal(twin.sample(3, every=2), sampler.sample(3, every=2))


def test_parallel_tempering_mid_run_continues_bit_for_bit(copy):
    pt = bz.ParallelTempering(bz.IsingModel.sk(20, seed=5), bz.beta_schedule("geometric", 0.3, 2.0, 6), replicas=2,
                              seed=2)
    pt.run(200, burn_in=20)
    twin = copy(pt)
    assert same(twin.results(3), pt.results(3))
    assert same(twin.run(300), pt.run(300))
    assert same(twin.results(5), pt.results(5)) and np.array_equal(twin.betas, pt.betas)


def test_a_state_restores_only_onto_its_own_model():
    sampler = bz.MonteCarlo(bz.IsingModel.chain(6), 0.5, "heat_bath", seed=1)
    state = sampler.__reduce__()[1][2]
    from boltzmann.montecarlo import _restore_sampler
    with pytest.raises(bz.FormatError, match="different model"):
        _restore_sampler(bz.MonteCarlo, bz.IsingModel.chain(6, J=0.5), state, {})
    damaged = state[:20] + bytes([state[20] ^ 1]) + state[21:]
    with pytest.raises(bz.FormatError, match="checksum"):
        _restore_sampler(bz.MonteCarlo, bz.IsingModel.chain(6), damaged, {})


MODELS = {
    "square": lambda: bz.IsingModel.square(6, 4, J=0.5, h=0.1),
    "cubic": lambda: bz.IsingModel.cubic(3),
    "edwards-anderson with fields": lambda: bz.IsingModel.edwards_anderson((4, 4), seed=3).with_fields(np.arange(16) / 16),
    "sk": lambda: bz.IsingModel.sk(10, seed=1),
    "edges": lambda: bz.IsingModel.from_edges(4, [(0, 1, 1.0), (1, 3, -0.5)], h=[0, 0.1, 0, 0]),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_models_keep_their_couplings_and_lattice(name, copy):
    model = MODELS[name]()
    twin = copy(model)
    assert same(twin.couplings, model.couplings) and np.array_equal(twin.fields, model.fields)
    # The lattice travels too: the checkerboard lattice path accepts the copy.
    if name == "square":
        bz.MonteCarlo(twin, 0.4, "heat_bath", order="checkerboard", seed=1).measure_correlation(0)


def test_hopfield_networks(copy):
    patterns = np.random.default_rng(0).choice(np.array([-1, 1], np.int8), size=(12, 200))
    cues = np.where(np.random.default_rng(1).random(patterns.shape) < 0.2, -patterns, patterns)
    for net in (bz.Hopfield(200).store(patterns[:6]).store(patterns[6:]),
                bz.Hopfield(200, rule="storkey", storage="matrix", thresholds=0.05, seed=4).store(patterns),
                bz.Hopfield(200, storage="patterns")):
        twin = copy(net)
        assert (twin.n, twin.rule, twin.n_patterns, twin.uses_matrix) == (net.n, net.rule, net.n_patterns, net.uses_matrix)
        assert np.array_equal(twin.recall(cues, mode="sync", temperature=0.3, sweeps=5),
                              net.recall(cues, mode="sync", temperature=0.3, sweeps=5))
        assert np.array_equal(twin.energy(cues), net.energy(cues))
    for dense in (bz.DenseHopfield(patterns.astype(np.float32), beta=2.0),
                  bz.DenseHopfield(patterns, separation="polynomial", degree=5)):
        twin = copy(dense)
        assert np.array_equal(twin.retrieve(cues, steps=2), dense.retrieve(cues, steps=2))


def test_forward_processes_and_scores(copy):
    x = np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32)
    for sde in (diffusion.VPSDE(0.2, 15.0), diffusion.SubVPSDE(), diffusion.VESDE(0.02, 30.0),
                diffusion.DDPM(500, "cosine"), diffusion.DDPM(100, beta_start=1e-3, beta_end=0.03)):
        twin = copy(sde)
        assert type(twin) is type(sde) and twin.coefficients(0.37) == sde.coefficients(0.37)
    sde = diffusion.VPSDE()
    for score in (diffusion.GaussianMixtureScore.eight_gaussians(), diffusion.EmpiricalScore(x),
                  diffusion.MLPScore(2, hidden=(8,), embedding_size=4, seed=1)):
        twin = copy(score)
        assert np.array_equal(twin.score(x, 0.4, sde), score.score(x, 0.4, sde))
        assert same(diffusion.sample(twin, sde, 20, steps=10, seed=3), diffusion.sample(score, sde, 20, steps=10, seed=3))


def test_p_bit_circuits(copy):
    circuit = bz.PBitCircuit()
    circuit.add("and", 0, 1, 2)
    circuit.add("xor", 2, 3, 4)
    circuit.clamp({0: 1, 1: 1})
    for c in (circuit, bz.pbits.multiplier(2).clamp({4: 1}), bz.pbits.not_gate()):
        twin = copy(c)
        assert twin.clamps == c.clamps and (twin.n_nodes, twin.n_gates) == (c.n_nodes, c.n_gates)
        assert np.array_equal(twin.sample(50, beta=2.0, seed=1), c.sample(50, beta=2.0, seed=1))


def test_machines_spectra_and_results(copy):
    x, _ = bz.datasets.digits()
    rbm = bz.RBM(8, n_iter=2, random_state=0).fit(x[:200])
    assert np.array_equal(copy(rbm).transform(x[:5]), rbm.transform(x[:5]))
    spins = np.where(np.random.default_rng(1).random((500, 4)) < 0.6, 1, -1)
    bm = bz.BoltzmannMachine(random_state=0).fit(spins)
    assert np.array_equal(copy(bm).score_samples(spins[:5]), bm.score_samples(spins[:5]))
    spectrum = bz.Spectrum([0.0, 1.0, 1.0, 2.5])
    assert same(copy(spectrum).thermo([0.5, 1.0]), spectrum.thermo([0.5, 1.0]))
    model = bz.IsingModel.chain(8, J=0.5)
    results = [model.exact([0.5, 1.0]), bz.MonteCarlo(model, 0.5, seed=1).run(100), bz.anneal(model, reads=4, seed=1),
               bz.parallel_tempering(model, [0.3, 1.0], 50, seed=1), rbm.log_partition(), bz.pbits.factor(15, seed=1),
               bz.hopfield.capacity_curve(100, [0.05], trials=1), bz.ising.square_exact(4, 4, [0.4]),
               bz.ising.onsager([0.3, 0.5]), bz.ising.hysteresis(1.2, n_steps=21), bz.macrostates(3, [0.0, 1.0])]
    for result in results:
        assert same(copy(result), result), type(result).__name__
