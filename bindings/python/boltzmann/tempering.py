"""Parallel tempering and simulated annealing of Ising models.

>>> import boltzmann as bz
>>> glass = bz.IsingModel.sk(16, seed=3)
>>> pt = bz.parallel_tempering(glass, bz.beta_schedule("geometric", 0.3, 3.0, 8), 2000, seed=1)
>>> len(pt.results), pt.swap_acceptance.shape
(8, (7,))
>>> best = bz.anneal(glass, sweeps=20, reads=16, seed=1).best_energy
"""

import ctypes
from dataclasses import dataclass

import numpy as np

from ._display import Result
from . import _arrays as arr
from ._arrays import seed64
from ._handles import HandleOwner
from ._lib import i8p, lib
from ._progress import Progress
from .montecarlo import ALGORITHMS, _OBSERVABLES, Estimate, MonteCarloResults, _restore_sampler, _state_bytes

__all__ = ["ParallelTempering", "TemperingResults", "AnnealResults", "parallel_tempering", "anneal", "anneal_beta_range",
           "beta_schedule", "SCHEDULES"]

#: Beta schedules by name.
SCHEDULES = {"linear": 0, "geometric": 1}


def beta_schedule(kind, first, last, n):
    """``n`` inverse temperatures from ``first`` to ``last``.

    Parameters
    ----------
    kind : {"linear", "geometric"}
        Equal steps, or equal ratios (both ends > 0).
    first, last : float
        The ends, included.
    n : int
        How many (>= 2).

    Returns
    -------
    betas : ndarray, shape (n,)

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.beta_schedule("geometric", 0.1, 1.0, 3).round(6).tolist()
    [0.1, 0.316228, 1.0]
    """
    out = np.empty(int(n)) if int(n) > 0 else np.empty(1)
    lib.bz_beta_schedule(arr.code(SCHEDULES, kind, "kind"), float(first), float(last), int(n), arr.f64(out))
    return out


@dataclass(frozen=True, repr=False)
class TemperingResults(Result):
    """One :meth:`ParallelTempering.run`.

    Attributes
    ----------
    betas : ndarray
        The ladder.
    results : list of MonteCarloResults
        One per beta, over the replicas.
    swap_acceptance : ndarray, shape (len(betas) - 1,)
        Per neighbouring pair.
    round_trips : int
        Of all walkers so far (cold to hot and back).
    overlap : ndarray, shape (len(betas), N + 1), or None
        P(q) per beta, with two or more replicas.
    q_values : ndarray, shape (N + 1,), or None
        q = -1, -1 + 2/N, ..., 1.

    Examples
    --------
    >>> import boltzmann as bz
    >>> r = bz.parallel_tempering(bz.IsingModel.sk(16, seed=1), bz.beta_schedule("geometric", 0.3, 2.0, 6), 500)
    >>> len(r.results), r.overlap.shape, bool(abs(r.overlap.sum(axis=1) - 1).max() < 1e-9)
    (6, (6, 17), True)
    """

    betas: np.ndarray
    results: list
    swap_acceptance: np.ndarray
    round_trips: int
    overlap: np.ndarray = None
    q_values: np.ndarray = None

    def plot(self, **options):
        """Draw P(q) at each beta: :func:`boltzmann.plot.overlap_distribution` (its options)."""
        from .plot import overlap_distribution
        return overlap_distribution(self, **options)


class ParallelTempering(HandleOwner):
    """Replica exchange over a ladder of betas; the chains continue from run to run.

    Parameters
    ----------
    model : IsingModel
    betas : array_like
        Strictly increasing inverse temperatures.
    algorithm : str
        The update at each beta, as :class:`~boltzmann.MonteCarlo` takes it (cluster
        algorithms under their usual conditions).
    replicas : int
        Independent ladders; two or more give overlaps P(q).
    seed : int

    Examples
    --------
    >>> import boltzmann as bz
    >>> pt = bz.ParallelTempering(bz.IsingModel.sk(16, seed=1), bz.beta_schedule("geometric", 0.3, 2.0, 6))
    >>> r = pt.run(500, burn_in=50)
    >>> bool((r.swap_acceptance > 0).all())
    True
    """

    _prefix = "pt"

    def __init__(self, model, betas, algorithm="metropolis", replicas=2, seed=0):
        betas = arr.vector(betas, "betas")
        self._create(lib.bz_pt_create, model._h, arr.f64(betas), betas.size, arr.code(ALGORITHMS, algorithm, "algorithm"),
                     int(replicas), seed64(seed))
        self.betas = betas.copy()
        self.algorithm = algorithm
        self.model = model

    def __reduce__(self):
        """Pickles the model and the sampler's whole state (``bz_pt_serialize``): the copy's
        next run gives the same bits as this one's would."""
        state = _state_bytes(lib.bz_pt_serialized_size, lib.bz_pt_serialize, self._h)
        return (_restore_sampler, (ParallelTempering, self.model, state,
                                   {"betas": self.betas, "algorithm": self.algorithm}))

    def _summary(self):
        n_spins, _, replicas, _ = self._size()
        return [("n_spins", n_spins), ("betas", self.betas), ("replicas", replicas), ("algorithm", self.algorithm)]

    def _size(self):
        sizes = [ctypes.c_int64() for _ in range(4)]
        lib.bz_pt_size(self._h, *(ctypes.byref(s) for s in sizes))
        return [s.value for s in sizes]

    def run(self, sweeps, burn_in=0, swap_every=1, series=False, progress=None):
        """Sweep every chain ``burn_in + sweeps`` times, swapping every ``swap_every``
        sweeps and measuring before each swap past the burn-in."""
        Progress(progress, unit="sweeps", what="parallel tempering").run(lib.bz_pt_run, self._h, int(sweeps), int(burn_in), int(swap_every))
        return self.results(series=series)

    def results(self, series=False):
        n, k, replicas, measurements = self._size()
        per_beta = []
        for j in range(k):
            out = np.empty((4, len(_OBSERVABLES)))
            lib.bz_pt_results(self._h, j, *(arr.f64(row) for row in out), len(_OBSERVABLES))
            extra = {}
            if series:
                e, m = np.empty((replicas, measurements)), np.empty((replicas, measurements))
                lib.bz_pt_series(self._h, j, arr.f64(e), arr.f64(m), None, e.size)
                extra = {"energy_series": e, "magnetization_series": m}
            per_beta.append(MonteCarloResults(beta=float(self.betas[j]),
                                              **{name: Estimate(*map(float, out[:, i])) for i, name in enumerate(_OBSERVABLES)},
                                              **extra))
        rates, trips = np.empty(k - 1), ctypes.c_int64()
        lib.bz_pt_swaps(self._h, arr.f64(rates), k - 1, ctypes.byref(trips))
        overlap = q = None
        if replicas >= 2:
            overlap = np.empty((k, n + 1))
            for j in range(k):
                lib.bz_pt_overlap_distribution(self._h, j, arr.f64(overlap[j]), n + 1)
            q = np.linspace(-1, 1, n + 1)
        return TemperingResults(self.betas.copy(), per_beta, rates, trips.value, overlap, q)

    @property
    def spins(self):
        """Every chain's spins, (replicas, betas, N) int8."""
        n, k, replicas, _ = self._size()
        out = np.empty((replicas, k, n), dtype=np.int8)
        lib.bz_pt_spins(self._h, out.ctypes.data_as(i8p), out.size)
        return out


def parallel_tempering(model, betas, sweeps, burn_in=None, swap_every=1, replicas=2, algorithm="metropolis",
                       seed=0, series=False, progress=None):
    """Run :class:`ParallelTempering` once.

    Parameters
    ----------
    model : IsingModel
    betas : array_like
        Strictly increasing ladder.
    sweeps : int
        Measured sweeps of every chain.
    burn_in : int, optional
        Unmeasured sweeps first (default: a tenth of ``sweeps``).
    swap_every : int
        Sweeps between swap passes.
    replicas : int
        Independent ladders (two or more give overlaps).
    algorithm : str
        As :class:`ParallelTempering` takes it.
    seed : int
    series : bool
        Keep the measured series.
    progress : callable, bool or None
        As for :meth:`MonteCarlo.run`.

    Returns
    -------
    TemperingResults

    Examples
    --------
    >>> import boltzmann as bz
    >>> r = bz.parallel_tempering(bz.IsingModel.sk(16, seed=1), bz.beta_schedule("geometric", 0.3, 2.0, 6), 500)
    >>> r.round_trips > 0
    True
    """
    with ParallelTempering(model, betas, algorithm, replicas, seed) as pt:
        return pt.run(sweeps, sweeps // 10 if burn_in is None else burn_in, swap_every, series, progress)


@dataclass(frozen=True, repr=False)
class AnnealResults(Result):
    """:func:`anneal`'s reads and the best of them.

    Attributes
    ----------
    spins : ndarray of int8, shape (reads, N)
        The final state of each read.
    energies : ndarray, shape (reads,)
    best : int
        The index of the lowest energy; :attr:`best_spins` and :attr:`best_energy` are its.
    betas : ndarray
        The schedule used.

    Examples
    --------
    >>> import boltzmann as bz
    >>> r = bz.anneal(bz.IsingModel.square(8, 8), sweeps=5, reads=8)
    >>> r.spins.shape, bool(r.best_energy == r.energies.min())
    ((8, 64), True)
    """

    spins: np.ndarray
    energies: np.ndarray
    best: int
    betas: np.ndarray

    @property
    def best_spins(self):
        return self.spins[self.best]

    @property
    def best_energy(self):
        return float(self.energies[self.best])


def anneal(model, betas=None, sweeps=1, reads=1, seed=0, algorithm="metropolis", n_betas=1000, progress=None,
           initial=None):
    """Simulated annealing: ``reads`` chains from hot starts, cooled along a schedule.

    Parameters
    ----------
    model : IsingModel
    betas : array_like, optional
        The schedule (default: geometric, ``n_betas`` over :func:`anneal_beta_range`).
    sweeps : int
        Sweeps at each beta.
    reads : int
        Independent chains, run in parallel.
    seed : int
    algorithm : {"metropolis", "heat_bath"}
    n_betas : int
        Length of the default schedule.
    progress : callable, bool or None
        As for :meth:`MonteCarlo.run`; counts sweeps over all reads.
    initial : array_like, shape (reads, N), optional
        Starting states (±1) instead of hot starts (``bz_anneal_from``).

    Returns
    -------
    AnnealResults

    Examples
    --------
    >>> import boltzmann as bz
    >>> glass = bz.IsingModel.sk(20, seed=5)
    >>> r = bz.anneal(glass, sweeps=20, reads=32)
    >>> abs(r.best_energy - glass.ground_state().energy) < 1e-9
    True
    """
    if betas is None:
        betas = beta_schedule("geometric", *anneal_beta_range(model), n_betas)
    betas = arr.vector(betas, "betas")
    n = model.n_spins
    spins = np.empty((int(reads), n), dtype=np.int8) if int(reads) > 0 else None
    energies = np.empty(int(reads)) if int(reads) > 0 else None
    best = ctypes.c_int64()
    outputs = (None if spins is None else spins.ctypes.data_as(i8p), arr.f64(energies), ctypes.byref(best))
    common = (model._h, arr.f64(betas), betas.size, int(sweeps), int(reads), arr.code(ALGORITHMS, algorithm, "algorithm"),
              seed64(seed))
    run = Progress(progress, unit="sweeps", what="anneal").run
    if initial is None:
        run(lib.bz_anneal, *common, *outputs)
    else:
        starts = arr.rows(initial, n, "initial", spins=True)[0]
        run(lib.bz_anneal_from, *common, starts.ctypes.data_as(i8p), starts.size, *outputs)
    return AnnealResults(spins, energies, best.value, betas)


def anneal_beta_range(model):
    """The default (hot, cold) ends of an annealing schedule.

    Hot: the largest single flip is accepted half the time; cold: the smallest one 1%.

    Parameters
    ----------
    model : IsingModel

    Returns
    -------
    hot, cold : float

    Examples
    --------
    >>> import boltzmann as bz
    >>> hot, cold = bz.anneal_beta_range(bz.IsingModel.square(8, 8))
    >>> 0 < hot < cold
    True
    """
    return arr.outputs(lib.bz_anneal_beta_range, model._h)
