"""p-bit Ising machines: invertible logic from gate Hamiltonians (Camsari et al. 2017).

A gate is a small Ising model whose ground states are exactly its truth table
(+1 = true, -1 = false); a circuit sums its gates on shared nodes. Heat-bath
sampling is the p-bit update m_i = sgn(tanh(beta I_i) - r). Clamp the inputs to
compute forward, the outputs to run the circuit backwards:

>>> import boltzmann as bz
>>> gate = bz.pbits.and_gate().clamp({2: 1})          # output AND = 1
>>> s = gate.sample(2000, beta=1.0, seed=1)
>>> bool((s[:, :2] == 1).all(axis=1).mean() > 0.9)     # so both inputs are 1
True
>>> bz.pbits.factor(35, seed=1).factors
(5, 7)
"""

import ctypes
from dataclasses import dataclass

import numpy as np

from ._display import Result
from . import _arrays as arr
from ._arrays import seed64
from ._handles import HandleOwner
from ._lib import lib
from ._progress import Progress
from .errors import InvalidArgument
from .ising import IsingModel
from .montecarlo import MonteCarlo

__all__ = ["PBitCircuit", "Factorization", "GATES", "not_gate", "and_gate", "or_gate", "xor_gate",
           "half_adder", "full_adder", "multiplier", "factor"]

#: Gate kinds by name, with terminals in order: not (a, y); and, or, xor (a, b, y);
#: half_adder (a, b, sum, carry); full_adder (a, b, carry_in, sum, carry_out).
GATES = {"not": 0, "and": 1, "or": 2, "xor": 3, "half_adder": 4, "full_adder": 5}


class PBitCircuit(HandleOwner):
    """A circuit of invertible gates on numbered nodes, with clamps for sampling.

    Each gate adds an Ising model whose ground states are exactly its truth table, so
    sampling with inputs clamped computes the output, and with the output clamped samples
    the inputs (p-bit invertible logic, Camsari et al. 2017).

    Examples
    --------
    >>> import boltzmann as bz
    >>> c = bz.PBitCircuit()
    >>> c.add("and", 0, 1, 2)             # node 2 = node 0 AND node 1
    >>> c.add("not", 2, 3)                # node 3 = NAND
    >>> s = c.clamp({0: 1, 1: 1}).sample(2000, beta=2.0, seed=1)
    >>> bool((s[:, 3] == -1).mean() > 0.9)  # 1 NAND 1 = 0
    True
    """

    _prefix = "circuit"

    def __init__(self):
        self._create(lib.bz_circuit_create)
        self.clamps = {}
        self._made = None  # or the number of bits of multiplier(bits)
        self._gates = []   # what add() added, in order

    def __reduce__(self):
        """Pickles how the circuit was made: its gates (and clamps), added again in order."""
        return (_rebuild_circuit, (self._made, list(self._gates), dict(self.clamps)))

    def add(self, gate, *nodes):
        """Add ``gate`` (a name from :data:`GATES`) on its terminal ``nodes``; returns the
        index of its auxiliary spin (xor), else None."""
        nodes = arr.vector(nodes, "nodes", np.int64)
        aux = ctypes.c_int64()
        lib.bz_circuit_add_gate(self._h, arr.code(GATES, gate, "gate"), arr.i64(nodes), nodes.size, ctypes.byref(aux))
        self._gates.append((gate, tuple(int(i) for i in nodes)))
        return aux.value if aux.value >= 0 else None

    @property
    def n_nodes(self):
        return arr.outputs(lib.bz_circuit_size, self._h)[0]

    @property
    def n_gates(self):
        return arr.outputs(lib.bz_circuit_size, self._h)[1]

    def model(self):
        """The circuit's :class:`~boltzmann.IsingModel` (the sum of its gates)."""
        return IsingModel._new(lib.bz_circuit_model, self._h)

    def clamp(self, clamps):
        """Hold nodes at ±1 while sampling: ``{node: value}``, or booleans/0-1 bits
        (True/1 -> +1, False/0 -> -1). Adds to the clamps already set; returns self."""
        for node, value in dict(clamps).items():
            if value is True or value == 1:
                self.clamps[int(node)] = 1
            elif value is False or value in (0, -1):
                self.clamps[int(node)] = -1
            else:
                raise InvalidArgument(f"clamp value for node {node} must be ±1 or a bit, got {value!r}")
        return self

    def release(self):
        """Free every clamped node; returns self."""
        self.clamps = {}
        return self

    def sample(self, n_samples, beta=1.0, every=1, burn_in=100, chains=1, seed=0, order="colored", progress=None):
        """p-bit samples of the circuit at ``beta`` with the clamps applied: an int8
        array (chains * n_samples, n_nodes) of ±1, chain after chain."""
        with self.model() as model:
            mc = MonteCarlo(model, beta, "heat_bath", order, chains=chains, seed=seed)
        with mc:
            if self.clamps:
                mc.clamp(list(self.clamps), list(self.clamps.values()))
            return mc.sample(n_samples, every=every, burn_in=burn_in, progress=progress).reshape(-1, self.n_nodes)

    def _summary(self):
        return [("n_nodes", self.n_nodes), ("n_gates", self.n_gates), ("clamps", self.clamps)]


def _gate(name):
    circuit = PBitCircuit()
    circuit.add(name, *range(arr.outputs(lib.bz_gate_info, GATES[name])[0]))
    return circuit


def not_gate():
    """NOT on nodes (a, y): a ready-made :class:`PBitCircuit`.

    Returns
    -------
    PBitCircuit

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.pbits.not_gate().n_nodes
    2
    """
    return _gate("not")


def and_gate():
    """AND on nodes (a, b, y): a ready-made :class:`PBitCircuit`.

    Returns
    -------
    PBitCircuit

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.pbits.and_gate().n_nodes
    3
    """
    return _gate("and")


def or_gate():
    """OR on nodes (a, b, y): a ready-made :class:`PBitCircuit`.

    Returns
    -------
    PBitCircuit

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.pbits.or_gate().n_gates
    1
    """
    return _gate("or")


def xor_gate():
    """XOR on nodes (a, b, y), with an auxiliary spin on node 3,: a ready-made :class:`PBitCircuit`.

    Returns
    -------
    PBitCircuit

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.pbits.xor_gate().n_nodes
    4
    """
    return _gate("xor")


def half_adder():
    """Half adder on nodes (a, b, sum, carry): a ready-made :class:`PBitCircuit`.

    Returns
    -------
    PBitCircuit

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.pbits.half_adder().n_nodes
    4
    """
    return _gate("half_adder")


def full_adder():
    """Full adder on nodes (a, b, carry_in, sum, carry_out): a ready-made :class:`PBitCircuit`.

    Returns
    -------
    PBitCircuit

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.pbits.full_adder().n_nodes
    5
    """
    return _gate("full_adder")


def multiplier(bits):
    """A ``bits`` x ``bits`` array multiplier of AND gates and adders.

    Parameters
    ----------
    bits : int
        Bits per factor (>= 2). Node layout: a on nodes 0 .. bits-1, b on
        bits .. 2 bits-1, the product on 2 bits .. 4 bits-1, least significant bit first.

    Returns
    -------
    PBitCircuit

    Examples
    --------
    Forward: clamp a = 5 and b = 6 and read the product.

    >>> import numpy as np, boltzmann as bz
    >>> m = bz.pbits.multiplier(3)
    >>> bits = {i: bit == "1" for i, bit in enumerate(reversed(f"{6:03b}{5:03b}"))}
    >>> s = m.clamp(bits).sample(3000, beta=1.0, chains=2, seed=4)
    >>> product = ((s[:, 6:12] > 0) * 2 ** np.arange(6)).sum(axis=1)
    >>> int(np.bincount(product).argmax())
    30
    """
    circuit = PBitCircuit._new(lib.bz_circuit_create_multiplier, int(bits))
    circuit.clamps, circuit._made, circuit._gates = {}, int(bits), []
    return circuit


def _rebuild_circuit(made, gates, clamps):
    circuit = PBitCircuit() if made is None else multiplier(made)
    for gate, nodes in gates:
        circuit.add(gate, *nodes)
    circuit.clamps = clamps
    return circuit


@dataclass(frozen=True, repr=False)
class Factorization(Result):
    """:func:`factor`'s answer.

    Attributes
    ----------
    n : int
    factors : tuple of int
        (a, b) with a <= b, the most frequent sampled factorisation ((0, 0) if none).
    probability : float
        The fraction of all samples (every sweep of every chain) that factor n.
    mean_first_hit : float
        The mean sweep of each chain's first hit (NaN if none).
    chains_hit : int
        Chains that ever sampled a factorisation.
    chains, sweeps : int
        As run.

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.pbits.factor(35).factors
    (5, 7)
    """

    n: int
    factors: tuple
    probability: float
    mean_first_hit: float
    chains_hit: int
    chains: int
    sweeps: int


def factor(n, bits=0, beta=1.0, sweeps=20_000, chains=4, seed=0, progress=None):
    """Factor ``n`` by running a p-bit multiplier backwards.

    The multiplier's product nodes are clamped to n's bits and ``chains`` heat-bath chains
    sample its inputs; every sweep's (a, b) is a sample.

    Parameters
    ----------
    n : int
        In [4, 2^62).
    bits : int
        Bits per factor; 0 picks the narrowest multiplier whose largest product,
        (2^bits - 1)^2, reaches n (a lopsided n may need more).
    beta : float
        Inverse temperature.
    sweeps : int
        Sweeps of each chain.
    chains : int
        Independent chains, run in parallel.
    seed : int
    progress : callable, bool or None
        As for :meth:`MonteCarlo.run`; counts sweeps over all chains.

    Returns
    -------
    Factorization

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.pbits.factor(143).factors
    (11, 13)
    """
    a, b, hits = ctypes.c_int64(), ctypes.c_int64(), ctypes.c_int64()
    p, first = ctypes.c_double(), ctypes.c_double()
    Progress(progress, unit="sweeps", what="factor").run(lib.bz_pbit_factor, int(n), int(bits), float(beta), int(sweeps), int(chains),
                                          seed64(seed), ctypes.byref(a), ctypes.byref(b), ctypes.byref(p),
                                          ctypes.byref(first), ctypes.byref(hits))
    return Factorization(int(n), (a.value, b.value), p.value, first.value, hits.value, int(chains), int(sweeps))
