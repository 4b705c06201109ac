"""boltzmann.ocean: dimod samplers on the engine, checked by dimod's own conformance
helpers, against exact ground states, and on dwave-samplers' documented examples."""

import numpy as np
import pytest

dimod = pytest.importorskip("dimod")
from dimod.testing.asserts import assert_sampler_api, assert_sampleset_energies  # noqa: E402

import boltzmann as bz  # noqa: E402
from boltzmann.ocean import (ExactSolver, ParallelTemperingSampler, PBitSampler, SimulatedAnnealingSampler,  # noqa: E402
                             ising_model)


def torus_bqm(rows, columns, J=-1.0, tuples=False):
    """dimod's periodic square lattice: J < 0 is ferromagnetic in dimod's sign."""
    label = (lambda r, c: (r, c)) if tuples else (lambda r, c: r * columns + c)
    quadratic = {}
    for r in range(rows):
        for c in range(columns):
            quadratic[label(r, c), label((r + 1) % rows, c)] = J
            quadratic[label(r, c), label(r, (c + 1) % columns)] = J
    return dimod.BinaryQuadraticModel({label(r, c): 0.0 for r in range(rows) for c in range(columns)}, quadratic,
                                      0.0, "SPIN")


def test_sampler_api():
    assert_sampler_api(SimulatedAnnealingSampler())


@pytest.mark.parametrize("vartype", ["SPIN", "BINARY"])
def test_energies_are_the_bqms_with_any_labels(vartype):
    rng = np.random.default_rng(3)
    labels = ["a", ("b", 1), 7, frozenset({2}), 2.5, "z"]
    bqm = dimod.BinaryQuadraticModel({v: rng.normal() for v in labels},
                                     {(u, v): rng.normal() for k, u in enumerate(labels) for v in labels[k + 1:]},
                                     1.25, vartype)
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=20, num_sweeps=100, seed=4)
    assert_sampleset_energies(ss, bqm)
    assert ss.vartype is bqm.vartype and set(ss.variables) == set(labels) and len(ss) == 20
    assert np.allclose(ss.record.energy, bqm.energies(ss), atol=1e-9)


def test_finds_the_exact_ground_state():
    """A 14-spin SK glass: annealing's best read is the ground state dimod's ExactSolver
    and the engine's enumeration both find."""
    model = bz.IsingModel.sk(14, seed=2)
    i, j, w = model.couplings
    bqm = dimod.BinaryQuadraticModel({k: 0.0 for k in range(14)}, {(int(a), int(b)): -float(v) for a, b, v in
                                                                  zip(i, j, w)}, 0.0, "SPIN")
    exact = dimod.ExactSolver().sample(bqm).first.energy
    assert abs(exact - model.ground_state().energy) < 1e-9
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=32, num_sweeps=200, seed=1)
    assert abs(ss.first.energy - exact) < 1e-9


@pytest.mark.parametrize("tuples", [False, True])
def test_a_periodic_lattice_takes_the_lattice_kernel(tuples):
    bqm = torus_bqm(8, 6, tuples=tuples)
    model, labels, offset = ising_model(bqm)
    with bz.IsingModel.square(8, 6) as square:
        assert model.n_couplings == square.n_couplings
        assert all(np.array_equal(a, b) for a, b in zip(model.couplings, square.couplings))
    assert labels[:3] == ([(0, 0), (0, 1), (0, 2)] if tuples else [0, 1, 2])
    ss = SimulatedAnnealingSampler().sample(bqm, num_reads=4, num_sweeps=500, seed=2)
    assert_sampleset_energies(ss, bqm)
    assert ss.first.energy == -2 * 48  # all aligned
    # One bond missing: a general model, the same answers.
    broken = bqm.copy()
    broken.remove_interaction(*next(iter(broken.quadratic)))
    model, _, _ = ising_model(broken)
    assert model.n_couplings == 2 * 48 - 1
    # Pairs that are not (row, column) numbers are only labels.
    named = bqm.relabel_variables({v: (str(v[0]), str(v[1])) for v in bqm.variables}, inplace=False) \
        if tuples else bqm
    assert ising_model(named)[0].n_couplings == 2 * 48


def test_dwave_samplers_documented_examples():
    """The examples of dwave-samplers' SimulatedAnnealingSampler, with ours swapped in."""
    sampler = SimulatedAnnealingSampler()
    h = {"a": 0.0, "b": 0.0, "c": 0.0}
    J = {("a", "b"): 1.0, ("b", "c"): 1.0, ("a", "c"): 1.0}
    sampleset = sampler.sample_ising(h, J, num_reads=10)
    assert sampleset.first.energy == -1.0 and len(sampleset) == 10
    Q = {("x", "y"): 2.0, ("x", "x"): -1.0, ("y", "y"): -1.0}
    assert sampler.sample_qubo(Q, num_reads=5).first.energy == -1.0
    schedule = sampler.sample_ising(h, J, beta_schedule_type="custom", beta_schedule=[0.1, 1.0, 5.0],
                                    num_sweeps=3, seed=1)
    assert schedule.info["beta_range"] == (0.1, 5.0)


def test_num_sweeps_counts_every_sweep_and_seeds_repeat():
    bqm = torus_bqm(4, 4)
    sampler = SimulatedAnnealingSampler()
    a = sampler.sample(bqm, num_reads=3, num_sweeps=40, num_sweeps_per_beta=4, beta_range=(0.1, 3.0), seed=9)
    b = sampler.sample(bqm, num_reads=3, num_sweeps=40, num_sweeps_per_beta=4, beta_range=(0.1, 3.0), seed=9)
    assert np.array_equal(a.record.sample, b.record.sample)
    assert a.info["beta_range"] == (0.1, 3.0)
    with pytest.raises(ValueError, match="multiple"):
        sampler.sample(bqm, num_sweeps=10, num_sweeps_per_beta=3)
    with pytest.raises(ValueError):  # dimod's own check: "none" needs a state per read
        sampler.sample(bqm, initial_states=([[1] * 16], list(range(16))), num_reads=2, initial_states_generator="none")
    with pytest.raises(ValueError, match="unsupported"):
        sampler.sample(bqm, randomize_order=True)
    assert len(sampler.sample(dimod.BinaryQuadraticModel("SPIN"))) == 0


SAMPLERS = [ExactSolver, PBitSampler, ParallelTemperingSampler]


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: s.__name__)
def test_the_other_samplers_speak_dimod(sampler):
    assert_sampler_api(sampler())
    for vartype in ("SPIN", "BINARY"):
        bqm = dimod.generators.gnp_random_bqm(9, 0.5, vartype, random_state=4)
        bqm.relabel_variables({v: ("x", v) for v in bqm.variables})  # hashable labels of any kind
        assert_sampleset_energies(sampler().sample(bqm, **({} if sampler is ExactSolver else {"seed": 1})), bqm)
    with pytest.raises(ValueError, match="unsupported options: tabu"):
        sampler().sample(dimod.generators.ran_r(1, 4, seed=1), tabu=True)


def test_exact_solver_matches_dimods():
    bqm = dimod.generators.gnp_random_bqm(11, 0.6, "BINARY", random_state=7)
    ours, theirs = ExactSolver().sample(bqm), dimod.ExactSolver().sample(bqm)
    energy = {tuple(s.values()): e for s, e in ((dict(sorted(d.sample.items())), d.energy) for d in theirs.data())}
    assert len(ours) == 2**11
    for datum in ours.data():
        assert abs(datum.energy - energy[tuple(dict(sorted(datum.sample.items())).values())]) < 1e-9


def test_p_bit_samples_follow_the_boltzmann_distribution():
    """At beta = 0.7 on a 6-spin frustrated model: each state's frequency within 4 binomial
    standard errors of exp(-beta E) / Z from ExactSolver's energies."""
    bqm = dimod.generators.ran_r(1, 6, seed=2)
    exact = ExactSolver().sample(bqm)
    weights = np.exp(-0.7 * (exact.record.energy - exact.record.energy.min()))
    p = dict(zip(map(tuple, exact.record.sample), weights / weights.sum()))
    reads = 20_000
    samples = PBitSampler().sample(bqm, num_reads=reads, num_sweeps=50, beta=0.7, seed=3)
    order = list(exact.variables)
    states, counts = np.unique(samples.record.sample[:, [samples.variables.index(v) for v in order]], axis=0,
                               return_counts=True)
    for state, count in zip(map(tuple, states), counts):
        assert abs(count / reads - p[state]) < 4 * np.sqrt(p[state] * (1 - p[state]) / reads) + 1e-4


def test_parallel_tempering_finds_the_ground_state_of_a_glass():
    bqm = dimod.generators.ran_r(1, 14, seed=5)
    ground = ExactSolver().sample(bqm).first.energy
    result = ParallelTemperingSampler().sample(bqm, num_reads=4, num_sweeps=2000, num_replicas=12, seed=2)
    assert result.first.energy == ground
    assert len(result.info["swap_acceptance"]) == 11 and np.all(result.info["swap_acceptance"] > 0)


@pytest.mark.parametrize("vartype", ["SPIN", "BINARY"])
def test_initial_states_are_where_reads_start(vartype):
    """dwave-samplers' initial_states: with no sweeps the reads are the states given
    (relabelled, in the BQM's vartype); cold sweeps from a ground state stay in it; too
    few states are completed by the generator."""
    bqm = dimod.generators.ran_r(1, 10, seed=6).change_vartype(vartype, inplace=False)
    bqm.relabel_variables({v: f"v{v}" for v in bqm.variables})
    ground = ExactSolver().sample(bqm).first.sample
    sampler = SimulatedAnnealingSampler()
    states = dimod.as_samples([ground, ground])
    kept = sampler.sample(bqm, initial_states=states, num_sweeps=0, seed=1)
    assert len(kept) == 2 and all(dict(s) == ground for s in kept.samples())
    cold = sampler.sample(bqm, initial_states=ground, num_reads=3, initial_states_generator="tile",
                          beta_range=(20.0, 20.0), num_sweeps=10, seed=1)
    assert all(dict(s) == ground for s in cold.samples())
    mixed = sampler.sample(bqm, initial_states=ground, num_reads=4, num_sweeps=0, seed=2)
    assert dict(next(iter(mixed.samples()))) == ground and len(mixed) == 4
    assert_sampleset_energies(mixed, bqm)
