"""Hopfield networks: associative memory over N neurons s_i = +-1 (classical), and
dense associative memories over continuous or binary states (modern).

>>> import numpy as np, boltzmann as bz
>>> rng = np.random.default_rng(0)
>>> patterns = rng.choice([-1, 1], size=(50, 1000)).astype(np.int8)   # alpha = 0.05
>>> net = bz.Hopfield(1000).store(patterns)
>>> cues = patterns * np.where(rng.random(patterns.shape) < 0.1, -1, 1)  # 10% of bits flipped
>>> recalled = net.recall(cues, seed=1)
>>> bool(np.diag(net.overlaps(recalled)).mean() > 0.99)
True

Dense retrieval is one step of attention, x <- X^T softmax(beta X x):

>>> memories = rng.standard_normal((10_000, 64)).astype(np.float32)
>>> dense = bz.DenseHopfield(memories, beta=1.0)
>>> queries = memories[:5] + 0.3 * rng.standard_normal((5, 64)).astype(np.float32)
>>> bool(np.abs(dense.retrieve(queries) - memories[:5]).max() < 1e-3)
True
"""

import ctypes
from dataclasses import dataclass

import numpy as np

from ._display import Result
from ._arrays import code, outputs, rows, seed64
from ._handles import HandleOwner
from ._lib import f32p, f64p, i8p, i32p, i64p, lib
from ._progress import Progress
from .errors import InvalidArgument, ShapeError

__all__ = ["DenseHopfield", "Hopfield", "SpuriousStates", "CapacityCurve", "capacity_curve", "spurious_states"]

_RULES = {"hebb": 0, "storkey": 1}
_STORAGE = {"auto": 0, "automatic": 0, "matrix": 1, "patterns": 2}
_DYNAMICS = {"async": 0, "sync": 1, "glauber": 2}
_OUTCOMES = np.array(["fixed_point", "two_cycle", "sweep_limit"])


class Hopfield(HandleOwner):
    """A classical Hopfield network of N ±1 neurons.

    Couplings J (symmetric, zero diagonal) are learned from stored patterns by ``rule``,
    with thresholds theta and energy E(s) = -1/2 s^T J s + theta^T s.

    Parameters
    ----------
    n : int
        Neurons.
    rule : {"hebb", "storkey"}
        "hebb": J = (1/N) sum xi xi^T, capacity alpha_c ~ 0.138 (Amit, Gutfreund &
        Sompolinsky 1985); "storkey": the incremental rule, higher capacity.
    storage : {"auto", "matrix", "patterns"}
        Where local fields come from: the N x N couplings (O(N) per flip), the patterns
        (storage-free, O(P) per update, Hebb only), or chosen by size.
    thresholds : array_like, shape (n,), optional
        theta (default 0).
    seed : int
        The default seed of :meth:`recall`.

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> patterns = np.random.default_rng(0).choice(np.array([-1, 1], np.int8), size=(20, 500))
    >>> net = bz.Hopfield(500).store(patterns)                    # alpha = 0.04
    >>> cues = np.where(np.random.default_rng(1).random(patterns.shape) < 0.1, -patterns, patterns)
    >>> float(np.diag(net.overlaps(net.recall(cues, seed=1))).mean())
    1.0
    """

    _prefix = "hopfield"

    def __init__(self, n, rule="hebb", storage="auto", thresholds=None, seed=0):
        self.seed = seed  # the default seed of recall
        self._storage, self._thresholds = storage, None
        self._create(lib.bz_hopfield_create, int(n), code(_RULES, rule, "rule"))
        self.set_storage(storage)
        if thresholds is not None:
            self.set_thresholds(thresholds)

    # -- shape
    def _size(self):
        return outputs(lib.bz_hopfield_size, self._h)

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
        return bool(outputs(lib.bz_hopfield_uses_matrix, self._h))

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
        x = rows(patterns, self.n, "patterns", spins=True)[0]
        lib.bz_hopfield_store(self._h, x.ctypes.data_as(i8p), x.shape[0], x.shape[1])
        return self

    def set_thresholds(self, thresholds):
        n = self.n
        t = np.ascontiguousarray(np.broadcast_to(np.asarray(thresholds, dtype=np.float64), (n,)))
        lib.bz_hopfield_set_thresholds(self._h, t.ctypes.data_as(f64p), n)
        self._thresholds = t.copy()
        return self

    def set_storage(self, storage):
        lib.bz_hopfield_set_storage(self._h, code(_STORAGE, storage, "storage"))
        self._storage = storage
        return self

    def __reduce__(self):
        """Pickles N, the rule, storage, thresholds and the stored patterns, which the copy
        stores again in the same order (the rules are deterministic)."""
        return (_rebuild_hopfield, (self.n, self.rule, self._storage, self._thresholds, self.seed, self.patterns_))

    # -- dynamics
    def recall(self, cues, mode="async", temperature=0.0, sweeps=100, seed=None, return_info=False, progress=None):
        """Run the dynamics from each cue and return the final states (int8, the
        cues' shape). ``mode``: "async" (random order, to a fixed point; the energy
        never rises), "sync" (all at once; 2-cycles detected) or "glauber"
        (stochastic at ``temperature`` > 0, for ``sweeps`` sweeps). With
        ``return_info``, also a dict of per-cue ``outcome`` ("fixed_point",
        "two_cycle", "sweep_limit") and ``sweeps``. Each sweep's update order is
        drawn from ``seed`` (default: the network's ``seed``) and shared by all cues
        (Glauber acceptances are per cue):
        results do not depend on the thread count, and an "async" cue's recall not
        on the other cues."""
        dynamics = code(_DYNAMICS, mode, "mode")
        states, single = rows(cues, self.n, "cues", spins=True)
        states = states.copy()
        count = states.shape[0]
        outcomes, taken = np.empty(count, np.int32), np.empty(count, np.int64)
        Progress(progress, unit="cues", what="Hopfield.recall").run(
            lib.bz_hopfield_recall, self._h, states.ctypes.data_as(i8p), count, states.shape[1], dynamics,
            float(temperature), int(sweeps), seed64(self.seed if seed is None else seed),
            outcomes.ctypes.data_as(i32p),
            taken.ctypes.data_as(i64p))
        result = states[0] if single else states
        if return_info:
            return result, {"outcome": _OUTCOMES[outcomes], "sweeps": taken}
        return result

    def energy(self, states):
        """E(s) = -1/2 s^T J s + theta^T s per state (a float for one state)."""
        s = rows(states, self.n, "states", spins=True)[0]
        out = np.empty(s.shape[0])
        lib.bz_hopfield_energy(self._h, s.ctypes.data_as(i8p), s.shape[0], s.shape[1], out.ctypes.data_as(f64p))
        return float(out[0]) if np.ndim(states) == 1 else out

    def overlaps(self, states):
        """m^mu = (1/N) xi^mu . s: (k, P) for k states, (P,) for one."""
        s = rows(states, self.n, "states", spins=True)[0]
        p = self.n_patterns
        out = np.zeros((s.shape[0], p))
        lib.bz_hopfield_overlaps(self._h, s.ctypes.data_as(i8p), s.shape[0], s.shape[1], out.ctypes.data_as(f64p), p)
        return out[0] if np.ndim(states) == 1 else out

    def to_ising(self):
        """The network as a :class:`boltzmann.IsingModel` (J_ij, fields -theta): same energies."""
        from .ising import IsingModel

        return IsingModel._new(lib.bz_hopfield_to_ising, self._h)

    def _summary(self):
        n, p, rule = self._size()
        return [("n", n), ("patterns", p), ("load", p / n), ("rule", self.rule)]


def _rebuild_hopfield(n, rule, storage, thresholds, seed, patterns):
    net = Hopfield(n, rule=rule, storage=storage, thresholds=thresholds, seed=seed)
    return net.store(patterns) if len(patterns) else net


def capacity_curve(n, alphas, noise=0.1, trials=5, rule="hebb", seed=0, mode="async", sweeps=100):
    """The retrieval curve of a Hopfield network against its load alpha = P/N.

    For each load, P = round(alpha N) random patterns are stored (``trials`` independent
    draws), each cued with a fraction ``noise`` of its bits flipped and recalled, and the
    final overlap with the cued pattern averaged. Hebb's curve collapses near
    alpha_c ~ 0.138 (Amit, Gutfreund & Sompolinsky).

    Parameters
    ----------
    n : int
        Neurons.
    alphas : array_like
        Loads.
    noise : float
        Fraction of each cue's bits flipped.
    trials : int
        Independent draws per load.
    rule : {"hebb", "storkey"}
    seed : int
    mode : {"async", "sync", "glauber"}
        The recall dynamics (see :meth:`Hopfield.recall`).
    sweeps : int
        Recall sweeps.

    Returns
    -------
    CapacityCurve

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.hopfield.capacity_curve(200, [0.05], trials=2).overlap.tolist()
    [1.0]
    """
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
    return CapacityCurve(np.atleast_1d(np.asarray(alphas, np.float64)).copy(), np.array(means), np.array(errors),
                         int(n), rule)


@dataclass(frozen=True, repr=False)
class CapacityCurve(Result):
    """:func:`capacity_curve`'s retrieval overlap by load; unpacks as ``overlap, error``.

    Attributes
    ----------
    alpha : ndarray
        Loads P/N.
    overlap : ndarray
        The mean final overlap with the pattern cued.
    error : ndarray
        Its standard error over the trials (NaN for one trial).
    n : int
        Neurons.
    rule : str
        The storage rule.

    Examples
    --------
    >>> import boltzmann as bz
    >>> curve = bz.hopfield.capacity_curve(200, [0.05, 0.3], trials=2)
    >>> overlap, error = curve
    >>> bool(overlap[0] > 0.95 and overlap[1] < 0.7)  # retrieval collapses past alpha_c
    True
    """

    _table_axis = True
    _labels = {"alpha": ("α = P/N", ""), "overlap": ("⟨m⟩", ""), "error": ("± error", "")}

    alpha: np.ndarray
    overlap: np.ndarray
    error: np.ndarray
    n: int
    rule: str

    def __iter__(self):
        return iter((self.overlap, self.error))

    def plot(self, **options):
        """Draw the overlap against the load: :func:`boltzmann.plot.capacity` (its options)."""
        from .plot import capacity
        return capacity(self, **options)


@dataclass(frozen=True, repr=False)
class SpuriousStates(Result):
    """What :func:`spurious_states` measured: energies per neuron (E / N) where states land.

    For Hebbian storage at small load, theory (Amit, Gutfreund & Sompolinsky 1985) gives
    E / N = -1/2 at a pattern and -3/8 at a symmetric 3-mixture, whose overlap with each
    of its components is 1/2.

    Attributes
    ----------
    pattern_energies : ndarray, shape (P,)
        At the fixed points reached from the patterns.
    mixture_energies : ndarray, shape (count,)
        At the fixed points reached from the mixtures.
    mixture_components : ndarray, shape (count, components)
        Pattern indices of each mixture.
    mixture_signs : ndarray, shape (count, components)
        The ±1 sign of each component.
    mixture_overlaps : ndarray, shape (count, components)
        sign x m^mu after relaxation.
    mixture_outcomes : ndarray, shape (count,)
        "fixed_point", ... as :meth:`Hopfield.recall` reports.

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> patterns = np.random.default_rng(0).choice(np.array([-1, 1], np.int8), size=(10, 1000))
    >>> s = bz.hopfield.spurious_states(bz.Hopfield(1000).store(patterns), count=10)
    >>> round(float(s.pattern_energies.mean()), 1), round(float(s.mixture_energies.mean()), 2)
    (-0.5, -0.37)
    """

    pattern_energies: np.ndarray    #: (P,) at the fixed points reached from the patterns
    mixture_energies: np.ndarray    #: (count,) at the fixed points reached from the mixtures
    mixture_components: np.ndarray  #: (count, components) pattern indices
    mixture_signs: np.ndarray       #: (count, components) the +-1 sign of each component
    mixture_overlaps: np.ndarray    #: (count, components) sign * m^mu after relaxation
    mixture_outcomes: np.ndarray    #: (count,) "fixed_point", ... as :meth:`Hopfield.recall`


def spurious_states(net, count=20, components=3, seed=0, sweeps=100):
    """Spurious mixture states next to the stored patterns.

    Relaxes each pattern and ``count`` odd mixtures sign(±xi^a ± xi^b ± xi^c ...) of
    ``components`` distinct patterns (chosen at random, seeded) under asynchronous
    dynamics, and reports the energies per neuron of where they land. Mixtures are local
    minima above the patterns: the energies show it.

    Parameters
    ----------
    net : Hopfield
        A network with at least ``components`` stored patterns.
    count : int
        Mixtures to relax.
    components : int
        Patterns per mixture (odd, >= 3).
    seed : int
    sweeps : int
        Recall sweeps.

    Returns
    -------
    SpuriousStates

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> patterns = np.random.default_rng(0).choice(np.array([-1, 1], np.int8), size=(10, 1000))
    >>> s = bz.hopfield.spurious_states(bz.Hopfield(1000).store(patterns), count=5)
    >>> s.mixture_overlaps.shape
    (5, 3)
    """
    components = int(components)
    if components < 3 or components % 2 == 0:
        raise InvalidArgument(f"components must be odd and >= 3, got {components}")
    n, p = net.n, net.n_patterns
    if p < components:
        raise InvalidArgument(f"a {components}-mixture needs at least {components} stored patterns, the network has {p}")
    rng = np.random.default_rng(seed)
    patterns = net.patterns_
    relaxed_patterns = net.recall(patterns, sweeps=sweeps, seed=int(rng.integers(2**63)))
    chosen = np.array([rng.choice(p, components, replace=False) for _ in range(int(count))], dtype=np.int64)
    chosen = chosen.reshape(int(count), components)
    signs = rng.choice(np.array([-1, 1], np.int8), size=chosen.shape)
    sums = np.einsum("rc,rcn->rn", signs.astype(np.int32), patterns[chosen].astype(np.int32))
    mixtures = np.where(sums > 0, 1, -1).astype(np.int8)
    relaxed, info = net.recall(mixtures, sweeps=sweeps, seed=int(rng.integers(2**63)), return_info=True)
    overlaps = np.take_along_axis(net.overlaps(relaxed), chosen, axis=1) * signs if count else np.zeros(chosen.shape)
    return SpuriousStates(
        pattern_energies=net.energy(relaxed_patterns) / n,
        mixture_energies=net.energy(relaxed) / n if count else np.zeros(0),
        mixture_components=chosen, mixture_signs=signs, mixture_overlaps=overlaps,
        mixture_outcomes=info["outcome"])


_SEPARATIONS = {"softmax": 0, "polynomial": 1}


class DenseHopfield(HandleOwner):
    """A dense (modern) Hopfield network on stored patterns X, (n, d).

    ``separation="softmax"`` (continuous states, Ramsauer et al. 2020): the update
    x <- X^T softmax(beta X x), one step of attention with keys and values X, and the
    energy E(x) = -lse(beta, X x) + ``|x|^2``/2 + log(n)/beta + M^2/2 (M the largest
    pattern norm; E >= 0 and never rises along updates). Random patterns are retrieved in
    one step far beyond the classical capacity.

    ``separation="polynomial"`` (binary states, Krotov & Hopfield 2016): patterns and
    states ±1, E(s) = -sum_mu (xi^mu . s)^degree, asynchronous sweeps to the sign that
    lowers E; degree 2 is the classical Hebbian network, capacity grows as d^(degree-1).

    Parameters
    ----------
    patterns : array_like, shape (n, d)
        The memories (float32; ±1 for "polynomial").
    beta : float, optional
        Inverse temperature of the softmax (default 1).
    separation : {"softmax", "polynomial"}
    degree : int
        The polynomial's degree (>= 2).

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> memories = np.random.default_rng(2).standard_normal((5000, 64)).astype(np.float32)
    >>> dense = bz.DenseHopfield(memories, beta=1.0)
    >>> noisy = memories[:10] + 0.3 * np.random.default_rng(3).standard_normal((10, 64)).astype(np.float32)
    >>> bool(np.abs(dense.retrieve(noisy) - memories[:10]).max() < 1e-3)
    True
    """

    _prefix = "dense_hopfield"

    def __init__(self, patterns, beta=None, separation="softmax", degree=3):
        code(_SEPARATIONS, separation, "separation")  # a known name, or InvalidArgument
        x = np.asarray(patterns)
        if x.ndim != 2:
            raise ShapeError(f"patterns must have shape (n, d), got {x.shape}")
        x = np.ascontiguousarray(x, dtype=np.float32)
        if separation == "softmax":
            self._create(lib.bz_dense_hopfield_create, x.ctypes.data_as(f32p), x.shape[0], x.shape[1],
                         1.0 if beta is None else float(beta))
        else:
            if beta is not None:
                raise InvalidArgument("beta belongs to separation='softmax'; the polynomial family takes a degree")
            self._create(lib.bz_dense_hopfield_create_polynomial, x.ctypes.data_as(f32p), x.shape[0], x.shape[1],
                         int(degree))
        self._patterns = x.copy()
        self._patterns.setflags(write=False)

    def __reduce__(self):
        """Pickles the patterns and the separation (beta may have been changed since)."""
        softmax = self.separation == "softmax"
        return (DenseHopfield, (self._patterns, self.beta if softmax else None, self.separation,
                                self.degree if not softmax else 3))

    def _info(self):
        n, d, kind, beta, degree = (ctypes.c_int64(), ctypes.c_int64(), ctypes.c_int32(), ctypes.c_double(),
                                    ctypes.c_int32())
        lib.bz_dense_hopfield_info(self._h, *(ctypes.byref(v) for v in (n, d, kind, beta, degree)))
        return n.value, d.value, kind.value, beta.value, degree.value

    @property
    def n_patterns(self):
        return self._info()[0]

    @property
    def dim(self):
        return self._info()[1]

    @property
    def separation(self):
        return {v: k for k, v in _SEPARATIONS.items()}[self._info()[2]]

    @property
    def degree(self):
        """The polynomial degree (None for softmax)."""
        degree = self._info()[4]
        return degree or None

    @property
    def beta(self):
        """The softmax inverse temperature (settable; None for polynomial)."""
        n, d, kind, beta, degree = self._info()
        return beta if kind == 0 else None

    @beta.setter
    def beta(self, value):
        lib.bz_dense_hopfield_set_beta(self._h, float(value))

    @property
    def patterns_(self):
        """The stored patterns, (n, d) float32 (read-only)."""
        return self._patterns

    def retrieve(self, queries, steps=1, progress=None):
        """Run ``steps`` updates from each query ((k, d) or (d,)) and return the states:
        float32 for softmax; int8 +-1 for polynomial, where ``steps`` bounds the
        sweeps (a sweep that flips nothing ends a query)."""
        s, single = rows(queries, self.dim, "queries")
        s = s.copy()
        Progress(progress, unit="queries", what="DenseHopfield.retrieve").run(
            lib.bz_dense_hopfield_retrieve, self._h, s.ctypes.data_as(f32p), s.shape[0], s.shape[1], int(steps))
        if self._info()[2] == 1:
            s = s.astype(np.int8)
        return s[0] if single else s

    def energy(self, states):
        """E per state (a float for one state), in double precision."""
        s, single = rows(states, self.dim, "states")
        out = np.empty(s.shape[0])
        lib.bz_dense_hopfield_energy(self._h, s.ctypes.data_as(f32p), s.shape[0], s.shape[1], out.ctypes.data_as(f64p))
        return float(out[0]) if single else out

    def _summary(self):
        n, d, kind, beta, degree = self._info()
        return [("n_patterns", n), ("dim", d), ("separation", self.separation),
                ("beta", beta) if kind == 0 else ("degree", degree)]
