"""Hopfield networks: associative memory over N neurons s_i = +-1.

>>> import numpy as np, boltzmann as bz
>>> rng = np.random.default_rng(0)
>>> patterns = rng.choice([-1, 1], size=(50, 1000)).astype(np.int8)   # alpha = 0.05
>>> net = bz.Hopfield(1000).store(patterns)
>>> cues = patterns * np.where(rng.random(patterns.shape) < 0.1, -1, 1)  # 10% of bits flipped
>>> recalled = net.recall(cues, seed=1)
>>> bool(np.diag(net.overlaps(recalled)).mean() > 0.99)
True
"""

import ctypes

import numpy as np

from ._handles import HandleOwner
from ._lib import f64p, hopfield_p, i8p, i32p, i64p, ising_p, lib
from ._progress import Progress
from .errors import InvalidArgument, ShapeError

__all__ = ["Hopfield", "capacity_curve"]

_RULES = {"hebb": 0, "storkey": 1}
_STORAGE = {"auto": 0, "automatic": 0, "matrix": 1, "patterns": 2}
_DYNAMICS = {"async": 0, "sync": 1, "glauber": 2}
_OUTCOMES = np.array(["fixed_point", "two_cycle", "sweep_limit"])


def _states(states, n, name):
    """A C-contiguous int8 (rows, n) array of +-1 values (values are checked by the library)."""
    s = np.asarray(states)
    if s.dtype.kind == "f" and not np.all(np.isin(s, (-1.0, 1.0))):
        raise InvalidArgument(f"{name} must be -1 or +1")
    if s.dtype.kind == "b":
        s = np.where(s, 1, -1)
    s = np.ascontiguousarray(s, dtype=np.int8)
    if s.ndim == 1:
        s = s.reshape(1, -1)
    if s.ndim != 2 or s.shape[1] != n:
        raise ShapeError(f"{name} must have shape ({n},) or (k, {n}), got {np.shape(states)}")
    return s


class Hopfield(HandleOwner):
    """A classical Hopfield network: couplings J (symmetric, zero diagonal) learned from
    stored patterns by ``rule`` ("hebb": J = (1/N) sum xi xi^T, capacity alpha_c ~ 0.138;
    "storkey": the incremental rule, higher capacity), thresholds theta, energy
    E(s) = -1/2 s^T J s + theta^T s.

    ``storage`` chooses where local fields come from: "matrix" (N x N couplings, O(N)
    per flip), "patterns" (storage-free, O(P) per update, Hebb only) or "auto".
    """

    _free_handle = staticmethod(lambda handle: lib.bz_hopfield_free(handle))

    def __init__(self, n, rule="hebb", storage="auto", thresholds=None):
        if rule not in _RULES:
            raise InvalidArgument(f"rule must be one of {sorted(_RULES)}, got {rule!r}")
        handle = hopfield_p()
        lib.bz_hopfield_create(int(n), _RULES[rule], ctypes.byref(handle))
        self._own(handle)
        self.set_storage(storage)
        if thresholds is not None:
            self.set_thresholds(thresholds)

    # -- shape
    def _size(self):
        n, p, rule = ctypes.c_int64(), ctypes.c_int64(), ctypes.c_int32()
        lib.bz_hopfield_size(self._h, ctypes.byref(n), ctypes.byref(p), ctypes.byref(rule))
        return n.value, p.value, rule.value

    @property
    def n(self):
        """Number of neurons N."""
        return self._size()[0]

    @property
    def n_patterns(self):
        """Number of stored patterns P."""
        return self._size()[1]

    @property
    def rule(self):
        return {v: k for k, v in _RULES.items()}[self._size()[2]]

    @property
    def load(self):
        """alpha = P / N."""
        n, p, _ = self._size()
        return p / n

    @property
    def uses_matrix(self):
        """Whether local fields come from the N x N matrix (else from the patterns)."""
        out = ctypes.c_int32()
        lib.bz_hopfield_uses_matrix(self._h, ctypes.byref(out))
        return bool(out.value)

    @property
    def patterns_(self):
        """The stored patterns, (P, N) int8 (a copy)."""
        n, p, _ = self._size()
        out = np.empty((p, n), np.int8)
        lib.bz_hopfield_patterns(self._h, out.ctypes.data_as(i8p), p, n)
        return out

    # -- learning
    def store(self, patterns):
        """Store more patterns ((P, N) or (N,), entries +-1) by the network's rule.
        Returns self."""
        x = _states(patterns, self.n, "patterns")
        lib.bz_hopfield_store(self._h, x.ctypes.data_as(i8p), x.shape[0], x.shape[1])
        return self

    def set_thresholds(self, thresholds):
        n = self.n
        t = np.ascontiguousarray(np.broadcast_to(np.asarray(thresholds, dtype=np.float64), (n,)))
        lib.bz_hopfield_set_thresholds(self._h, t.ctypes.data_as(f64p), n)
        return self

    def set_storage(self, storage):
        if storage not in _STORAGE:
            raise InvalidArgument(f"storage must be one of 'auto', 'matrix', 'patterns', got {storage!r}")
        lib.bz_hopfield_set_storage(self._h, _STORAGE[storage])
        return self

    # -- dynamics
    def recall(self, cues, mode="async", temperature=0.0, sweeps=100, seed=0, return_info=False, progress=None):
        """Run the dynamics from each cue and return the final states (int8, the
        cues' shape). ``mode``: "async" (random order, to a fixed point; the energy
        never rises), "sync" (all at once; 2-cycles detected) or "glauber"
        (stochastic at ``temperature`` > 0, for ``sweeps`` sweeps). With
        ``return_info``, also a dict of per-cue ``outcome`` ("fixed_point",
        "two_cycle", "sweep_limit") and ``sweeps``. Cue r draws from stream
        (seed, r): results do not depend on the thread count."""
        if mode not in _DYNAMICS:
            raise InvalidArgument(f"mode must be one of {sorted(_DYNAMICS)}, got {mode!r}")
        single = np.ndim(cues) == 1
        states = _states(cues, self.n, "cues").copy()
        rows = states.shape[0]
        outcomes, taken = np.empty(rows, np.int32), np.empty(rows, np.int64)
        Progress(progress, unit="cues").run(
            lib.bz_hopfield_recall, self._h, states.ctypes.data_as(i8p), rows, states.shape[1], _DYNAMICS[mode],
            float(temperature), int(sweeps), int(seed) & (2**64 - 1), outcomes.ctypes.data_as(i32p),
            taken.ctypes.data_as(i64p))
        result = states[0] if single else states
        if return_info:
            return result, {"outcome": _OUTCOMES[outcomes], "sweeps": taken}
        return result

    def energy(self, states):
        """E(s) = -1/2 s^T J s + theta^T s per state (a float for one state)."""
        s = _states(states, self.n, "states")
        out = np.empty(s.shape[0])
        lib.bz_hopfield_energy(self._h, s.ctypes.data_as(i8p), s.shape[0], s.shape[1], out.ctypes.data_as(f64p))
        return float(out[0]) if np.ndim(states) == 1 else out

    def overlaps(self, states):
        """m^mu = (1/N) xi^mu . s: (k, P) for k states, (P,) for one."""
        s = _states(states, self.n, "states")
        p = self.n_patterns
        out = np.zeros((s.shape[0], p))
        lib.bz_hopfield_overlaps(self._h, s.ctypes.data_as(i8p), s.shape[0], s.shape[1], out.ctypes.data_as(f64p), p)
        return out[0] if np.ndim(states) == 1 else out

    def to_ising(self):
        """The network as a :class:`boltzmann.IsingModel` (J_ij, fields -theta): same energies."""
        from .ising import IsingModel

        handle = ising_p()
        lib.bz_hopfield_to_ising(self._h, ctypes.byref(handle))
        return IsingModel._adopt(handle)

    def __repr__(self):
        n, p, rule = self._size()
        return f"Hopfield(n={n}, patterns={p}, rule={self.rule!r})"


def capacity_curve(n, alphas, noise=0.1, trials=5, rule="hebb", seed=0, mode="async", sweeps=100):
    """The retrieval curve: for each load alpha = P/N, store P = round(alpha N) random
    patterns (``trials`` independent draws), cue each with a fraction ``noise`` of its
    bits flipped, recall, and average the final overlap with the cued pattern.
    Returns (mean overlaps, standard errors over the trials), each of len(alphas).
    Hebb's curve collapses near alpha_c ~ 0.138 (Amit, Gutfreund & Sompolinsky)."""
    rng = np.random.default_rng(seed)
    means, errors = [], []
    for alpha in np.atleast_1d(alphas):
        p = max(1, int(round(float(alpha) * n)))
        per_trial = []
        for _ in range(trials):
            patterns = rng.choice(np.array([-1, 1], np.int8), size=(p, n))
            flip = np.zeros((p, n), bool)
            k = int(round(noise * n))
            for row in flip:
                row[rng.choice(n, k, replace=False)] = True
            cues = np.where(flip, -patterns, patterns).astype(np.int8)
            with Hopfield(n, rule=rule) as net:
                net.store(patterns)
                recalled = net.recall(cues, mode=mode, sweeps=sweeps, seed=int(rng.integers(2**63)))
                per_trial.append(float(np.mean(np.einsum("ij,ij->i", recalled.astype(np.float64), patterns) / n)))
        per_trial = np.array(per_trial)
        means.append(per_trial.mean())
        errors.append(per_trial.std(ddof=1) / np.sqrt(trials) if trials > 1 else float("nan"))
    return np.array(means), np.array(errors)
