"""p-bit circuits: gate Hamiltonians against enumeration, sampling against exact probabilities."""

import itertools

import numpy as np
import pytest

import boltzmann as bz


def boltzmann_weights(model, beta):
    """Every state of a small model (rows of ±1, spin 0 first) and its exact probability."""
    states = np.array(list(itertools.product([-1, 1], repeat=model.n_spins)), dtype=np.int8)[:, ::-1]
    log_w = -beta * model.energy(states)
    log_z = float(model.exact(beta).log_z)
    return states, np.exp(log_w - log_z)


def test_and_gate_valid_rows_match_enumeration():
    """At beta = 1 the sampled P(valid truth-table row) is 0.9864 ± 0.005, the exact value."""
    gate = bz.pbits.and_gate()
    with gate.model() as model:
        states, p = boltzmann_weights(model, 1.0)
    valid = (states[:, 2] == 1) == ((states[:, 0] == 1) & (states[:, 1] == 1))
    exact = p[valid].sum()
    assert exact == pytest.approx(4 * np.e**3 / (4 * np.e**3 + 3 / np.e + np.e**-9), rel=1e-12)
    s = gate.sample(20_000, beta=1.0, chains=4, seed=1)
    sampled = ((s[:, 2] == 1) == ((s[:, 0] == 1) & (s[:, 1] == 1))).mean()
    assert abs(sampled - exact) < 0.005, (sampled, exact)


def test_clamped_output_samples_inputs_with_the_exact_conditional():
    gate = bz.pbits.and_gate()
    with gate.model() as model:
        states, p = boltzmann_weights(model, 1.0)
    out = states[:, 2] == 1
    exact = p[out & (states[:, 0] == 1) & (states[:, 1] == 1)].sum() / p[out].sum()
    s = gate.clamp({2: 1}).sample(20_000, beta=1.0, chains=4, seed=2)
    assert np.all(s[:, 2] == 1)
    sampled = ((s[:, 0] == 1) & (s[:, 1] == 1)).mean()
    assert abs(sampled - exact) < 0.005, (sampled, exact)


@pytest.mark.parametrize("name,rule", [
    ("not_gate", lambda t: t[1] != t[0]),
    ("or_gate", lambda t: t[2] == (t[0] or t[1])),
    ("xor_gate", lambda t: t[2] == (t[0] != t[1])),
    ("full_adder", lambda t: t[3] == (sum(t[:3]) % 2 == 1) and t[4] == (sum(t[:3]) >= 2)),
])
def test_gate_ground_states_are_the_truth_table(name, rule):
    circuit = getattr(bz.pbits, name)()
    with circuit.model() as model:
        states = np.array(list(itertools.product([-1, 1], repeat=model.n_spins)), dtype=np.int8)
        e = model.energy(states)
    ground = states[e == e.min()]
    arity = {"not_gate": 2, "or_gate": 3, "xor_gate": 3, "full_adder": 5}[name]
    rows = {tuple(r[:arity] > 0) for r in ground}
    assert len(ground) == len(rows) == 2 ** (arity - (1 if name != "full_adder" else 2))
    assert all(rule([bool(x) for x in r]) for r in rows)
    assert np.sort(e)[len(ground)] - e.min() >= 4


def test_composed_circuit_and_forward_mode():
    """NAND from AND + NOT; clamped inputs (1, 1) read output -1 almost always at beta = 2."""
    c = bz.PBitCircuit()
    assert c.add("and", 0, 1, 2) is None
    c.add("not", 2, 3)
    assert (c.n_nodes, c.n_gates) == (4, 2)
    s = c.clamp({0: True, 1: 1}).sample(4000, beta=2.0, seed=3)
    assert (s[:, 3] == -1).mean() > 0.95
    assert bz.pbits.xor_gate().n_nodes == 4


# 15 needs a 3-bit multiplier (3 x 3 = 9 < 15): the automatic width must reach n.
@pytest.mark.parametrize("n,factors", [(15, (3, 5)), (35, (5, 7)), (143, (11, 13))])
def test_multiplier_factors_semiprimes(n, factors):
    r = bz.pbits.factor(n, beta=1.0, sweeps=20_000, chains=4, seed=5)
    assert r.factors == factors and r.chains_hit == 4, r
    assert r.probability > 0.5 and r.mean_first_hit >= 1


def test_multiplier_layout():
    m = bz.pbits.multiplier(3)
    s = m.clamp({i: (bit == "1") for i, bit in enumerate(reversed(f"{6:03b}{5:03b}"))}).sample(3000, beta=1.0, chains=2, seed=4)
    products = (s[:, 6:12] > 0) @ (1 << np.arange(6))
    assert np.bincount(products, minlength=64).argmax() == 30


def test_errors_are_named():
    c = bz.PBitCircuit()
    with pytest.raises(bz.InvalidArgument, match="gate"):
        c.add("nand", 0, 1, 2)
    with pytest.raises(bz.ShapeError, match="arity"):
        c.add("and", 0, 1)
    with pytest.raises(bz.InvalidArgument, match="repeats"):
        c.add("and", 0, 1, 1)
    with pytest.raises(bz.InvalidArgument, match="no gates"):
        c.model()
    with pytest.raises(bz.InvalidArgument, match="must be ±1"):
        c.clamp({0: 2})
    with pytest.raises(bz.InvalidArgument, match="bits"):
        bz.pbits.multiplier(1)
    with pytest.raises(bz.InvalidArgument, match="largest product of a 2-bit multiplier"):
        bz.pbits.factor(35, bits=2)
    with pytest.raises(bz.InvalidArgument, match="n must be"):
        bz.pbits.factor(3)
    g = bz.pbits.and_gate().clamp({0: 1, 1: 1, 2: 1})
    with pytest.raises(bz.WrongState, match="clamped"):
        g.sample(10)
