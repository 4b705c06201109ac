"""Ising models, solved exactly where physics allows.

E(s) = - sum_{i<j} J_ij s_i s_j - sum_i h_i s_i over spins s_i in {-1, +1} (k_B = 1).
:class:`IsingModel` holds a model (lattices, complete graph, spin glasses, dense or
edge-list couplings, QUBO) and enumerates it exactly; the module functions give the
closed-form solutions: the 1D chain (transfer matrix), Kaufman's finite square lattice,
Onsager's infinite one, mean-field theory and the exact Curie-Weiss model. See the
"Ising" section of ``include/boltzmann.h`` for equations and guarantees.
"""

import ctypes
import warnings
from dataclasses import dataclass

import numpy as np

from ._display import THERMO_LABELS, Result
from . import _arrays as arr
from ._arrays import seed64
from ._handles import HandleOwner
from ._lib import i8p, lib
from ._progress import Progress as _Progress
from .errors import InvalidArgument, ShapeError
from .thermo import LogEstimate, Spectrum, Thermo

__all__ = ["IsingModel", "IsingThermo", "AnnealedImportance", "PopulationAnnealing", "KasteleynMatrix", "WangLandauDOS", "WangLandauThermo", "ChainThermo", "GroundState", "DensityOfStates", "ExactDOS",
           "Onsager", "MeanField", "Hysteresis", "chain_exact", "chain_correlation",
           "square_exact", "square_dos", "onsager", "critical_temperature", "mean_field",
           "mean_field_magnetization", "hysteresis", "curie_weiss", "enumeration_default_limit",
           "transfer_default_limit"]


@dataclass(frozen=True, repr=False)
class IsingThermo(Thermo):
    """Exact thermodynamics of a whole Ising model, plus magnetisation statistics per spin.

    Attributes
    ----------
    beta, log_z, free_energy, energy, entropy, heat_capacity : ndarray
        As :class:`~boltzmann.Thermo`, for the whole model (not per spin).
    magnetization : ndarray
        <m>, m = (1/N) sum_i s_i.
    abs_magnetization : ndarray
        <``|m|``>.
    magnetization_sq : ndarray
        <m^2>.

    Examples
    --------
    >>> import boltzmann as bz
    >>> t = bz.IsingModel.square(4, 4).exact([0.0, 10.0])
    >>> t.abs_magnetization.round(4).tolist()  # ordered when cold
    [0.1964, 1.0]
    """

    magnetization: np.ndarray
    abs_magnetization: np.ndarray
    magnetization_sq: np.ndarray


@dataclass(frozen=True, repr=False)
class ChainThermo(Thermo):
    """Exact thermodynamics of a whole 1D chain, plus its magnetisation and bond correlation.

    Attributes
    ----------
    beta, log_z, free_energy, energy, entropy, heat_capacity : ndarray
        As :class:`~boltzmann.Thermo`, for the whole chain.
    magnetization : ndarray
        <m> per spin.
    nearest_neighbour : ndarray
        <s_i s_i+1> averaged over the bonds.

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> t = bz.ising.chain_exact(10**6, beta=0.5)
    >>> bool(np.isclose(t.nearest_neighbour, np.tanh(0.5)))
    True
    """

    magnetization: np.ndarray
    nearest_neighbour: np.ndarray


@dataclass(frozen=True, repr=False)
class GroundState(Result):
    """An exact ground state found by enumeration.

    Attributes
    ----------
    energy : float
        The lowest energy.
    degeneracy : int
        How many states have it.
    spins : ndarray of int8, shape (N,)
        One of them (±1).

    Examples
    --------
    >>> import boltzmann as bz
    >>> g = bz.IsingModel.square(4, 4).ground_state()
    >>> g.energy, g.degeneracy  # the two fully aligned states, 32 bonds
    (-32.0, 2)
    """

    energy: float
    degeneracy: int
    spins: np.ndarray


@dataclass(frozen=True, repr=False)
class DensityOfStates(Result):
    """Exact counts of states by energy, g(E) (and g(E, M)).

    Attributes
    ----------
    energies : ndarray of int64
        The energies that occur.
    counts : ndarray of int64
        g(E) > 0 at each, summing to 2^N.
    magnetizations : ndarray of int64
        M = -N, -N+2, ..., N.
    counts_by_magnetization : ndarray of int64, shape (len(energies), N + 1), or None
        g(E, M), when asked for.

    Examples
    --------
    >>> import boltzmann as bz
    >>> dos = bz.IsingModel.square(4, 4).density_of_states()
    >>> int(dos.counts.sum()) == 2**16, dos.energies[:3].tolist(), dos.counts[:3].tolist()
    (True, [-32, -24, -20], [2, 32, 64])
    """

    energies: np.ndarray
    counts: np.ndarray
    magnetizations: np.ndarray
    counts_by_magnetization: np.ndarray = None

    def spectrum(self):
        """The energy levels as a :class:`Spectrum` with degeneracies g(E)."""
        return Spectrum(self.energies.astype(np.float64), self.counts.astype(np.float64))

    def plot(self, **options):
        """Draw ln g(E): :func:`boltzmann.plot.density_of_states` (its options)."""
        from .plot import density_of_states
        return density_of_states(self, **options)

    def thermo(self, beta):
        """log Z, F, U, S, C at any beta from g(E)."""
        with self.spectrum() as s:
            return s.thermo(beta)


@dataclass(frozen=True, repr=False)
class Onsager(Result):
    """Onsager's exact infinite square lattice, per site.

    Attributes
    ----------
    beta : ndarray
    free_energy : ndarray
        F / N.
    energy : ndarray
        U / N.
    heat_capacity : ndarray
        C / N (infinite at T_c).
    magnetization : ndarray
        The spontaneous magnetisation (Yang): (1 - sinh(2 beta J)^-4)^(1/8) below T_c, else 0.

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.ising.onsager([0.4, 0.5]).magnetization.round(6).tolist()
    [0.0, 0.911319]
    """

    _table_axis = True
    _labels = THERMO_LABELS

    def plot(self, quantity="heat_capacity", **options):
        """Draw ``quantity`` against T or beta: :func:`boltzmann.plot.thermo` (its options)."""
        from .plot import thermo
        return thermo(self, quantity, **options)

    beta: np.ndarray
    free_energy: np.ndarray
    energy: np.ndarray
    heat_capacity: np.ndarray
    magnetization: np.ndarray


@dataclass(frozen=True, repr=False)
class MeanField(Result):
    """All solutions of the mean-field equation m = tanh(beta (z J m + h)), increasing.

    Attributes
    ----------
    magnetization : ndarray
        The roots m (one or three).
    free_energy : ndarray
        phi(m) per spin at each.
    stable : ndarray of bool
        phi''(m) > 0.
    critical_temperature : float
        z J.

    Examples
    --------
    >>> import boltzmann as bz
    >>> r = bz.ising.mean_field(0.5, J=1, z=4)  # T = 2 < T_c = 4: ordered
    >>> r.magnetization.round(6).tolist(), r.stable.tolist(), round(r.equilibrium, 6)
    ([-0.957504, 0.0, 0.957504], [True, False, True], 0.957504)
    """

    magnetization: np.ndarray
    free_energy: np.ndarray
    stable: np.ndarray
    critical_temperature: float

    @property
    def equilibrium(self):
        """The stable solution of least free energy (the positive one on a tie)."""
        candidates = [k for k in range(len(self.magnetization)) if self.stable[k]]
        best = min(candidates, key=lambda k: (self.free_energy[k], -self.magnetization[k]))
        return float(self.magnetization[best])


@dataclass(frozen=True, repr=False)
class Hysteresis(Result):
    """A mean-field field sweep that follows the stable branch.

    Attributes
    ----------
    field : ndarray
        h at each step.
    magnetization : ndarray
        m on the branch followed.
    jumped : ndarray of bool
        True where the branch ended and m jumped; :attr:`coercive_fields` are those fields.

    Examples
    --------
    >>> import boltzmann as bz
    >>> loop = bz.ising.hysteresis(0.5, n_steps=2001)
    >>> [round(float(h), 2) for h in loop.coercive_fields]  # the spinodal |h| = 1.0656 on a 0.006 grid
    [1.07, -1.07]
    """

    _table_axis = True

    field: np.ndarray
    magnetization: np.ndarray
    jumped: np.ndarray

    @property
    def coercive_fields(self):
        return self.field[self.jumped]


# --- progress and interrupts ------------------------------------------------------


@dataclass(frozen=True, repr=False)
class PopulationAnnealing(Result):
    """log Z and <E> along a schedule from :meth:`IsingModel.population_annealing`.

    Attributes
    ----------
    beta : ndarray
        The schedule (from 0).
    log_z, log_z_err : ndarray
        log of the mean of the populations' Z estimates, and its standard error.
    energy, energy_err : ndarray
        <E> over all replicas, and its standard error from the populations' spread.
    family_entropy : ndarray
        -sum nu_i ln nu_i over the initial replicas' families (mean over populations):
        e^S families survive; ln(replicas) at beta = 0.
    effective_fraction : ndarray
        The reweighting's (sum w)^2 / sum w^2 as a fraction of the replicas.

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> r = bz.IsingModel.sk(10, seed=1).population_annealing(np.linspace(0, 1, 20), replicas=50, populations=4)
    >>> bool(r.family_entropy[0] == np.log(50)), bool(r.family_entropy[-1] < np.log(50))
    (True, True)
    """

    beta: np.ndarray
    log_z: np.ndarray
    log_z_err: np.ndarray
    energy: np.ndarray
    energy_err: np.ndarray
    family_entropy: np.ndarray
    effective_fraction: np.ndarray


def _warn_if_few_effective(ess, runs):
    """AIS's delta-method error is honest when many runs carry weight; with a handful
    the mean weight is usually low and its error too small."""
    if ess < 0.1 * runs:
        warnings.warn(f"annealed importance sampling: the weights are dominated by a few runs (effective sample "
                      f"size {ess:.1f} of {runs}), so log Z is likely low and its error too small; use more betas "
                      f"or sweeps", RuntimeWarning, stacklevel=3)


#: log_partition's methods and their codes (BZ_LOG_Z_*).
_LOG_Z_METHODS = {"auto": 0, "enumerate": 1, "transfer": 2, "kaufman": 3, "ais": 4, "population": 5, "planar": 6,
                  "wang_landau": 7}


@dataclass(frozen=True, repr=False)
class WangLandauDOS(Result):
    """A density of states g(E) from :meth:`IsingModel.wang_landau`.

    Attributes
    ----------
    energies : ndarray
        Bin centres every run visited, ascending (exact levels for whole-number models).
    log_g, log_g_err : ndarray
        The mean over runs of ln g(E), each run normalised to sum g = 2^N, and its
        standard error.
    run_log_g : ndarray, shape (runs, bins)
        Each run's ln g.
    sweeps : ndarray of int64
        Sweeps each run took.
    converged : bool
        Whether every run reached ``final_log_f`` (else one stopped at ``max_sweeps``).

    Examples
    --------
    >>> import boltzmann as bz
    >>> dos = bz.IsingModel.square(4, 4).wang_landau(final_log_f=1e-4, seed=1)
    >>> dos.energies[:3], bool(dos.converged)
    (array([-32., -24., -20.]), True)
    >>> t = dos.thermo(0.44)
    >>> bool(abs(t.log_z - bz.IsingModel.square(4, 4).exact(0.44).log_z) < 4 * t.log_z_err + 1e-3)
    True
    """

    energies: np.ndarray
    log_g: np.ndarray
    log_g_err: np.ndarray
    run_log_g: np.ndarray
    sweeps: np.ndarray
    converged: bool

    def thermo(self, beta):
        """log Z(beta) (averaged over runs, with ``log_z_err`` its standard error), U and C.

        Returns
        -------
        WangLandauThermo
        """
        b = np.asarray(beta, dtype=np.float64)
        flat = np.ascontiguousarray(b.ravel())
        out = np.empty((4, flat.size))
        runs, bins = self.run_log_g.shape
        lib.bz_wang_landau_thermo(arr.f64(np.ascontiguousarray(self.energies)), arr.f64(np.ascontiguousarray(self.run_log_g)),
                                  runs, bins, arr.f64(flat), flat.size, *(arr.f64(row) for row in out))
        return WangLandauThermo(b.copy(), *(row.reshape(b.shape) for row in out))


@dataclass(frozen=True, repr=False)
class WangLandauThermo(Result):
    """Thermodynamics from a Wang-Landau g(E): :meth:`WangLandauDOS.thermo`.

    Attributes
    ----------
    beta, log_z, log_z_err, energy, heat_capacity : ndarray
        log Z per run averaged, its standard error over runs; U and C from the mean
        ln g (whole lattice).

    Examples
    --------
    >>> import boltzmann as bz
    >>> t = bz.IsingModel.square(4, 4).wang_landau(final_log_f=1e-4, seed=1).thermo([0.2, 0.5])
    >>> t.log_z.shape, bool((t.log_z_err > 0).all())
    ((2,), True)
    """

    beta: np.ndarray
    log_z: np.ndarray
    log_z_err: np.ndarray
    energy: np.ndarray
    heat_capacity: np.ndarray


@dataclass(frozen=True, repr=False)
class KasteleynMatrix(Result):
    """A skew-symmetric Kasteleyn matrix in coordinate form, from :meth:`IsingModel.kasteleyn`.

    Attributes
    ----------
    n_nodes : int
        The matrix's size: 6 (L + 1) (W + 1) for an open L x W lattice.
    rows, cols : ndarray of int64
    weights : ndarray
        K[rows[k], cols[k]] = weights[k] and K[cols[k], rows[k]] = -weights[k].
    log_prefactor : float
        log Z = ``log_prefactor`` + ln ``|Pf K|``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> k = bz.IsingModel.square(2, 2, periodic=False).kasteleyn(0.5)
    >>> k.n_nodes, k.weights.size
    (54, 74)
    """

    n_nodes: int
    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray
    log_prefactor: float

    def toarray(self):
        """The dense n_nodes x n_nodes matrix."""
        dense = np.zeros((self.n_nodes, self.n_nodes))
        dense[self.rows, self.cols] = self.weights
        dense[self.cols, self.rows] = -self.weights
        return dense

    def tosparse(self):
        """The matrix as ``scipy.sparse.csr_matrix`` (needs scipy)."""
        try:
            import scipy.sparse
        except ImportError as error:
            raise ImportError("KasteleynMatrix.tosparse needs scipy (pip install scipy)") from error
        rows = np.concatenate([self.rows, self.cols])
        cols = np.concatenate([self.cols, self.rows])
        return scipy.sparse.csr_matrix((np.concatenate([self.weights, -self.weights]), (rows, cols)),
                                       shape=(self.n_nodes, self.n_nodes))


@dataclass(frozen=True, repr=False)
class AnnealedImportance(Result):
    """log Z along an annealing schedule from :meth:`IsingModel.ais`.

    Attributes
    ----------
    beta : ndarray
        The schedule (from 0).
    log_z : ndarray
        N ln 2 + log of the mean weight at each beta.
    stderr : ndarray
        One standard error of each (delta method; 0 at beta = 0).
    ess : ndarray
        The effective sample size (sum w)^2 / sum w^2 at each beta.

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> r = bz.IsingModel.sk(10, seed=1).ais(np.linspace(0, 1, 50), runs=50)
    >>> float(r.log_z[0]) == 10 * float(np.log(2)), float(r.stderr[0]), float(r.ess[0])
    (True, 0.0, 50.0)
    """

    beta: np.ndarray
    log_z: np.ndarray
    stderr: np.ndarray
    ess: np.ndarray


def transfer_default_limit():
    """The default cap on B + K, log2 of the states each transfer-matrix step visits.

    Returns
    -------
    bits : int
        24 (a caller may raise it to 30 through ``max_bits``).

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.ising.transfer_default_limit()
    24
    """
    return lib.bz_ising_transfer_default_limit()


#: ``exact_sample(method="auto")`` takes the transfer matrix up to this plan width
#: (its memory is N 2^B doubles), the planar sampler beyond it where it applies.
EXACT_SAMPLE_TRANSFER_BITS = 14


def _limit(max_spins):
    return 0 if max_spins is None else int(max_spins)


def enumeration_default_limit():
    """The largest N that exact enumeration accepts unless ``max_spins`` raises it.

    Returns
    -------
    n : int
        30 (about 1e9 states).

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.ising.enumeration_default_limit()
    30
    """
    return lib.bz_ising_enumeration_default_limit()


def _uniform_or_array(h):
    """(scalar for the C constructor, per-site array or None)."""
    a = np.asarray(h, dtype=np.float64)
    return (float(a), None) if a.ndim == 0 else (0.0, a)


#: Edwards-Anderson coupling distributions and their ``BZ_COUPLINGS_*`` codes.
_COUPLINGS = {"bimodal": 0, "gaussian": 1}

class IsingModel(HandleOwner):
    """An Ising model: N spins, symmetric couplings J_ij (J > 0 ferromagnetic), fields h_i.

    Build one with a class method (:meth:`chain`, :meth:`square`, :meth:`cubic`,
    :meth:`complete`, :meth:`sk`, :meth:`edwards_anderson`, :meth:`from_dense`,
    :meth:`from_edges`, :meth:`from_qubo`). ``h`` may be a scalar (uniform) or an
    array of N per-site fields. Models are immutable and may be shared by threads.

    Examples
    --------
    >>> import boltzmann as bz
    >>> m = bz.IsingModel.square(4, 4)            # periodic 4 x 4, J = 1
    >>> round(float(m.exact(0.5).heat_capacity), 6) > 0
    True
    """

    _prefix = "ising"

    # -- construction
    @classmethod
    def _built(cls, create, *args, fields=None):
        """The model ``create(&out, *args)`` makes, with per-site ``fields`` if given. It
        remembers how it was made, so that a pickled copy is made the same way and keeps
        the lattice (a model rebuilt from its couplings is a general graph)."""
        model = cls._new(create, *args)
        if all(isinstance(a, (int, float)) for a in args):  # not arrays passed by pointer
            model._recipe = (create.__name__, args)
        if fields is not None:
            replaced = model.with_fields(fields)
            model.close()
            return replaced
        return model

    @classmethod
    def chain(cls, n, J=1.0, h=0.0, periodic=True):
        """A chain of n spins (a ring when ``periodic``)."""
        h0, per_site = _uniform_or_array(h)
        return cls._built(lib.bz_ising_create_chain, int(n), float(J), h0, int(bool(periodic)), fields=per_site)

    @classmethod
    def square(cls, rows, columns=None, J=1.0, h=0.0, periodic=True):
        """A rows x columns square lattice (square when ``columns`` is omitted)."""
        h0, per_site = _uniform_or_array(h)
        columns = rows if columns is None else columns
        return cls._built(lib.bz_ising_create_square, int(rows), int(columns), float(J), h0,
                           int(bool(periodic)), fields=per_site)

    @classmethod
    def cubic(cls, l, w=None, d=None, J=1.0, h=0.0, periodic=True):
        """An l x w x d simple cubic lattice (a cube when w, d are omitted)."""
        h0, per_site = _uniform_or_array(h)
        w = l if w is None else w
        d = l if d is None else d
        return cls._built(lib.bz_ising_create_cubic, int(l), int(w), int(d), float(J), h0,
                           int(bool(periodic)), fields=per_site)

    @classmethod
    def complete(cls, n, J=1.0, h=0.0):
        """The Curie-Weiss model: every pair of n spins coupled by J / n."""
        h0, per_site = _uniform_or_array(h)
        return cls._built(lib.bz_ising_create_complete, int(n), float(J), h0, fields=per_site)

    @classmethod
    def sk(cls, n, J=1.0, h=0.0, seed=0):
        """Sherrington-Kirkpatrick: J_ij ~ Normal(0, J^2 / n) for every pair, seeded."""
        h0, per_site = _uniform_or_array(h)
        return cls._built(lib.bz_ising_create_sk, int(n), float(J), h0, seed64(seed), fields=per_site)

    @classmethod
    def edwards_anderson(cls, shape, J=1.0, h=0.0, distribution="bimodal", periodic=True, seed=0):
        """Edwards-Anderson spin glass on a square (``shape`` (L, W)) or cubic ((L, W, D))
        lattice; nearest-neighbour couplings +-J (``"bimodal"``) or Normal(0, J^2)
        (``"gaussian"``), seeded."""
        shape = tuple(int(x) for x in np.atleast_1d(shape))
        if len(shape) not in (2, 3):
            raise ShapeError(f"shape must be (L, W) or (L, W, D), got {shape}")
        kind = arr.code(_COUPLINGS, distribution, "distribution")
        l, w, d = shape if len(shape) == 3 else (*shape, 1)
        h0, per_site = _uniform_or_array(h)
        return cls._built(lib.bz_ising_create_edwards_anderson, l, w, d, kind, float(J), h0,
                           int(bool(periodic)), seed64(seed), fields=per_site)

    @classmethod
    def from_dense(cls, J, h=None):
        """From a dense symmetric (N, N) coupling matrix with zero diagonal."""
        j = np.ascontiguousarray(J, dtype=np.float64)
        if j.ndim != 2 or j.shape[0] != j.shape[1]:
            raise ShapeError(f"J must be a square matrix, got shape {j.shape}")
        n = j.shape[0]
        hv = None if h is None else arr.vector(np.broadcast_to(np.asarray(h, dtype=np.float64), (n,)), "h")
        return cls._built(lib.bz_ising_create_dense, arr.f64(j), arr.f64(hv), n)

    @classmethod
    def from_edges(cls, n, edges, h=None):
        """From N and edges: an iterable of (i, j, J_ij) or an (E, 3) array. Repeated pairs
        add up; (i, i) is refused."""
        e = np.asarray(list(edges) if not isinstance(edges, np.ndarray) else edges, dtype=np.float64)
        if e.size == 0:
            e = e.reshape(0, 3)
        if e.ndim != 2 or e.shape[1] != 3:
            raise ShapeError(f"edges must be (i, j, J) triples, got shape {e.shape}")
        if not np.all(np.isfinite(e[:, :2])) or np.any(e[:, :2] != np.round(e[:, :2])):
            raise InvalidArgument("edge indices must be whole numbers")
        i = np.ascontiguousarray(e[:, 0], dtype=np.int64)
        j = np.ascontiguousarray(e[:, 1], dtype=np.int64)
        v = np.ascontiguousarray(e[:, 2])
        n = int(n)
        hv = None if h is None else arr.vector(np.broadcast_to(np.asarray(h, dtype=np.float64), (max(n, 0),)), "h")
        return cls._built(lib.bz_ising_create_edges, n, arr.i64(i), arr.i64(j), arr.f64(v), len(v), arr.f64(hv))

    @classmethod
    def from_qubo(cls, Q):
        """The Ising form of the QUBO x^T Q x (x in {0,1}, s = 2x - 1).

        Returns ``(model, offset)`` with x^T Q x = model.energy(s) + offset for every x.
        """
        q = np.ascontiguousarray(Q, dtype=np.float64)
        if q.ndim != 2 or q.shape[0] != q.shape[1]:
            raise ShapeError(f"Q must be a square matrix, got shape {q.shape}")
        offset = ctypes.c_double()
        model = cls._new(lib.bz_ising_create_qubo, arr.f64(q), q.shape[0], ctypes.byref(offset))
        return model, offset.value

    def with_fields(self, h):
        """A new model with these couplings and fields ``h`` (scalar or (N,))."""
        hv = arr.vector(np.broadcast_to(np.asarray(h, dtype=np.float64), (self.n_spins,)), "h")
        model = IsingModel._new(lib.bz_ising_with_fields, self._h, arr.f64(hv), len(hv))
        if hasattr(self, "_recipe"):
            model._recipe = self._recipe[:2] + (hv.copy(),)
        if hasattr(self, "_embedding"):
            model._embedding = self._embedding
        return model

    def with_embedding(self, embedding=None, positions=None):
        """A new model with a planar embedding of its couplings, for the planar Pfaffian.

        :meth:`exact` (``method="planar"``), :meth:`edge_correlations` and
        :meth:`log_partition` then give exact log Z, U, C and <s_i s_j> of a zero-field
        model on any planar graph (triangular, honeycomb, diluted or random planar
        graphs), not only the square lattice: one dense Pfaffian per connected
        component, about 6 nodes per spin, O(n^3) (a 1,000-spin graph in seconds).

        Parameters
        ----------
        embedding : "auto", networkx.PlanarEmbedding, mapping or sequence, optional
            The rotation system: ``embedding[i]`` lists spin i's neighbours in the
            cyclic order they sit around it in a drawing without crossings (all
            counter-clockwise or all clockwise). Pairs without a coupling may be
            listed. ``"auto"`` finds one with :func:`networkx.check_planarity`
            (networkx needed).
        positions : array_like, shape (N, 2), optional
            Instead: a straight-line drawing; each spin's neighbours are ordered by
            angle.

        Raises
        ------
        InvalidArgument
            When the rotation system is not planar (the genus it embeds with is
            named), does not list every coupled pair from both ends, or the graph is
            not planar (``"auto"``).

        Examples
        --------
        >>> import numpy as np, boltzmann as bz
        >>> rows = cols = 4                               # a triangular lattice: squares with one diagonal
        >>> site = lambda r, c: r * cols + c
        >>> edges = [(site(r, c), site(r, c + 1), 1.0) for r in range(rows) for c in range(cols - 1)]
        >>> edges += [(site(r, c), site(r + 1, c), 1.0) for r in range(rows - 1) for c in range(cols)]
        >>> edges += [(site(r, c), site(r + 1, c + 1), 1.0) for r in range(rows - 1) for c in range(cols - 1)]
        >>> xy = [(c + 0.5 * r, -r) for r in range(rows) for c in range(cols)]
        >>> tri = bz.IsingModel.from_edges(rows * cols, edges).with_embedding(positions=xy)
        >>> bool(np.isclose(tri.exact(0.5, method="planar").log_z, tri.exact(0.5, method="enumerate").log_z, rtol=1e-12))
        True
        """
        n = self.n_spins
        if (embedding is None) == (positions is None):
            raise InvalidArgument("give one of embedding (neighbour orders, a networkx.PlanarEmbedding or \"auto\") or positions")
        if positions is not None:
            xy = np.asarray(positions, dtype=np.float64)
            if xy.shape != (n, 2):
                raise ShapeError(f"positions must have shape ({n}, 2), got {xy.shape}")
            i, j, _ = self.couplings
            first, second = np.concatenate([i, j]), np.concatenate([j, i])
            angle = np.arctan2(xy[second, 1] - xy[first, 1], xy[second, 0] - xy[first, 0])
            order = np.lexsort((angle, first))
            lists = np.split(second[order], np.cumsum(np.bincount(first, minlength=n))[:-1])
        elif isinstance(embedding, str) and embedding == "auto":
            try:
                import networkx
            except ImportError:
                raise ImportError('with_embedding("auto") needs networkx: pip install networkx '
                                  '(or give the neighbour orders or positions)') from None
            graph = networkx.Graph()
            graph.add_nodes_from(range(n))
            graph.add_edges_from(zip(*(x.tolist() for x in self.couplings[:2])))
            planar, found = networkx.check_planarity(graph)
            if not planar:
                raise InvalidArgument("the coupling graph is not planar (networkx.check_planarity found a Kuratowski subgraph)")
            lists = [list(found.neighbors_cw_order(v)) for v in range(n)]
        elif hasattr(embedding, "neighbors_cw_order"):
            lists = [list(embedding.neighbors_cw_order(v)) if v in embedding else [] for v in range(n)]
        elif isinstance(embedding, dict):
            lists = [list(embedding.get(v, ())) for v in range(n)]
        else:
            lists = [list(row) for row in embedding]
        if len(lists) != n:
            raise ShapeError(f"embedding lists the neighbours of {len(lists)} spins but the model has {n}")
        start = np.zeros(n + 1, dtype=np.int64)
        start[1:] = np.cumsum([len(row) for row in lists])
        neighbours = np.ascontiguousarray(np.concatenate([np.asarray(row, dtype=np.int64) for row in lists] or [np.zeros(0, np.int64)]),
                                          dtype=np.int64)
        model = IsingModel._new(lib.bz_ising_with_embedding, self._h, arr.i64(start), n, arr.i64(neighbours), neighbours.size)
        if hasattr(self, "_recipe"):
            model._recipe = self._recipe
        model._embedding = (start, neighbours)
        return model

    # -- lifetime

    def __reduce__(self):
        if hasattr(self, "_recipe"):
            made = (_remake, self._recipe)
        else:
            i, j, v = self.couplings
            made = (_rebuild, (self.n_spins, np.column_stack([i, j, v]), self.fields))
        if hasattr(self, "_embedding"):
            return (_embedded, (made, *self._embedding))
        return made

    def _summary(self):
        return [("n_spins", self.n_spins), ("n_couplings", self.n_couplings)]

    # -- queries
    def _size(self):
        return arr.outputs(lib.bz_ising_size, self._h)

    @property
    def n_spins(self):
        return self._size()[0]

    @property
    def n_couplings(self):
        """Number of coupled pairs."""
        return self._size()[1]

    @property
    def couplings(self):
        """(first, second, J): the coupled pairs (first < second, sorted) and their couplings."""
        c = self.n_couplings
        i, j, v = np.empty(c, np.int64), np.empty(c, np.int64), np.empty(c)
        lib.bz_ising_couplings(self._h, arr.i64(i), arr.i64(j), arr.f64(v), c)
        return i, j, v

    @property
    def fields(self):
        """h, shape (N,)."""
        h = np.empty(self.n_spins)
        lib.bz_ising_fields(self._h, arr.f64(h), len(h))
        return h

    def coupling_matrix(self):
        """The dense symmetric (N, N) coupling matrix."""
        n = self.n_spins
        i, j, v = self.couplings
        dense = np.zeros((n, n))
        dense[i, j] = v
        dense[j, i] = v
        return dense

    def energy(self, spins):
        """E(s) of one configuration (N,) -> float, or a batch (k, N) -> (k,)."""
        s, single = arr.rows(spins, self.n_spins, "spins", spins=True)
        out = np.empty(s.shape[0])
        lib.bz_ising_energy(self._h, s.ctypes.data_as(i8p), s.shape[0], s.shape[1], arr.f64(out))
        return float(out[0]) if single else out

    def local_fields(self, spins):
        """f_i = sum_j J_ij s_j + h_i, the shape of ``spins``; flipping i changes E by 2 s_i f_i."""
        s, single = arr.rows(spins, self.n_spins, "spins", spins=True)
        out = np.empty(s.shape)
        lib.bz_ising_local_fields(self._h, s.ctypes.data_as(i8p), s.shape[0], s.shape[1], arr.f64(out))
        return out[0] if single else out

    def bipartition(self):
        """A 0/1 colouring (N,) with no coupling inside a colour, or None if the graph is not bipartite."""
        ok, colours = ctypes.c_int32(), np.empty(self.n_spins, np.int8)
        lib.bz_ising_bipartition(self._h, ctypes.byref(ok), colours.ctypes.data_as(i8p), len(colours))
        return colours if ok.value else None

    @property
    def is_bipartite(self):
        return self.bipartition() is not None

    def to_qubo(self):
        """``(Q, c)``: upper-triangular (N, N) Q and constant c with x^T Q x + c = E(2x - 1)."""
        n, m = self._size()
        diagonal, off, c = np.empty(n), np.empty(m), ctypes.c_double()
        lib.bz_ising_to_qubo(self._h, arr.f64(diagonal), n, arr.f64(off), m, ctypes.byref(c))
        i, j, _ = self.couplings
        q = np.diag(diagonal)
        q[i, j] = off
        return q, c.value

    # -- exact thermodynamics
    def exact(self, beta, max_spins=None, progress=None, method="auto", max_bits=None):
        """Exact log Z, F, U, S, C and <m>, <``|m|``>, <m^2> at every beta.

        Three exact methods:

        - ``"enumerate"`` visits all 2^N states (N up to ``max_spins``).
        - ``"transfer"`` runs a transfer matrix over the frontier of the last B spins
          in spin order, B the couplings' span (an L x W strip numbered row by row has
          B = W): O(N 2^B) per beta for any couplings and fields, so a 20 x 10 glass
          with fields takes milliseconds. Couplings longer than B among the first K
          spins (a strip periodic along its length) are conditioned on: 2^K runs.
          <``|m|``> is NaN (``|M|`` is no sum over spins). :meth:`transfer_plan` gives B
          and K.
        - ``"planar"`` sums the domain walls of a zero-field square lattice
          (:meth:`square`, :meth:`edwards_anderson`; any couplings; open, or periodic
          with sides >= 3) as the Pfaffian of a Kasteleyn matrix, by nested
          dissection: O(N^1.5) per beta, a 256 x 256 glass in about a second. U and C
          are exact derivatives; the magnetisations are NaN. Accuracy, measured
          against the transfer matrix and enumeration: open lattices keep log Z to
          1e-12 relative and C to 1e-7 up to beta J_rms = 3 in a frustrated model
          (no limit without frustration); on a torus four Pfaffians are combined, and
          when they cancel past 1 part in 1e4 (twisted boundary conditions
          dominating, as in a cold glass or an odd antiferromagnet) the call raises
          :class:`Unsupported`, as it does beyond beta J_rms = 3, rather than return
          lost digits. Any other planar graph once embedded (:meth:`with_embedding`):
          one dense Pfaffian per component, O(n^3) in its ~6N nodes (a 900-spin
          triangular glass: log Z in 1.4 s, U and C in 5 s), the same accuracy.
        - ``"auto"`` enumerates up to the enumeration cap (``max_spins``, default 30:
          it keeps <``|m|``>), else uses the transfer matrix when its plan fits
          ``max_bits``, else the planar Pfaffian when it applies at every beta, else
          raises :class:`LimitExceeded` naming each method's obstacle (the library
          chooses: ``bz_ising_exact_auto``).

        Parameters
        ----------
        beta : float or array_like
        max_spins : int, optional
            Raise the enumeration cap (default :func:`enumeration_default_limit`, at most 40).
        progress : callable(done, total) or True, optional
            Called on this thread as states (or, for the transfer matrix, spins) are
            visited; return False to stop (:class:`Cancelled`). True or False shows a
            bar or none; None follows :func:`boltzmann.set_progress` (a bar once the
            call looks like taking 1 s).
        method : {"auto", "enumerate", "transfer", "planar"}
        max_bits : int, optional
            Cap on B + K for the transfer matrix (default
            :func:`transfer_default_limit`, 24; at most 30).

        Examples
        --------
        >>> import boltzmann as bz
        >>> glass = bz.IsingModel.edwards_anderson((40, 6), distribution="gaussian", h=0.3, periodic=False, seed=1)
        >>> glass.transfer_plan()
        (6, 0)
        >>> t = glass.exact(1.0, method="transfer")
        >>> bool(t.log_z > 240 * 0.693)
        True
        >>> wide = bz.IsingModel.edwards_anderson((64, 64), distribution="gaussian", periodic=False, seed=1)
        >>> round(float(wide.exact(1.0, method="planar").log_z / wide.n_spins), 4)
        1.4097
        """
        if method not in ("auto", "enumerate", "transfer", "planar"):
            raise InvalidArgument(f'method must be "auto", "enumerate", "transfer" or "planar", got {method!r}')
        b = np.asarray(beta, dtype=np.float64)
        flat = np.ascontiguousarray(b.ravel())
        out = np.empty((8, flat.size))
        if method == "auto":
            _Progress(progress, unit="units", what="IsingModel.exact").run(
                lib.bz_ising_exact_auto, self._h, arr.f64(flat), flat.size, _limit(max_spins), _limit(max_bits),
                *(arr.f64(row) for row in out), None)
        elif method == "planar":
            out[5:] = np.nan
            _Progress(progress, unit="fronts", what="IsingModel.exact").run(
                lib.bz_ising_planar, self._h, arr.f64(flat), flat.size, *(arr.f64(row) for row in out[:5]))
        elif method == "enumerate":
            _Progress(progress, what="IsingModel.exact").run(
                lib.bz_ising_exact, self._h, arr.f64(flat), flat.size, _limit(max_spins), *(arr.f64(row) for row in out))
        else:
            _Progress(progress, unit="spins", what="IsingModel.exact").run(
                lib.bz_ising_transfer, self._h, arr.f64(flat), flat.size, _limit(max_bits), *(arr.f64(row) for row in out))
        return IsingThermo(b.copy(), *(row.reshape(b.shape) for row in out))

    def log_partition(self, beta, method="auto", runs=100, n_betas=1000, sweeps=1, algorithm="metropolis", seed=0,
                      max_spins=None, max_bits=None, populations=16, wang_landau=None, progress=None):
        """log Z(beta) as a :class:`LogEstimate` (value, stderr, ess, method, note).

        Parameters
        ----------
        beta : float
        method : {"auto", "enumerate", "transfer", "kaufman", "planar", "ais", "population", "wang_landau"}
            "auto" enumerates up to 24 spins, else runs the transfer matrix when its
            plan needs at most 2^16 states per spin (see :meth:`exact`), else
            Kaufman's solution when the model is a uniform periodic square lattice
            without field, else the planar Pfaffian for any zero-field square
            lattice or embedded planar graph (see :meth:`exact`), else the transfer matrix when its plan fits
            ``max_bits``, else annealed importance sampling; ``note`` then says why
            no exact method applied. "kaufman" needs a model built by :meth:`square`.
        runs, n_betas, sweeps, algorithm, seed
            Annealed importance sampling: ``runs`` runs over ``n_betas`` evenly spaced
            betas from 0, ``sweeps`` sweeps of ``algorithm`` ("metropolis" or
            "heat_bath") at each (see :meth:`ais`). Population annealing: ``runs``
            replicas in each of ``populations`` populations, the rest alike (see
            :meth:`population_annealing`).
        max_spins, max_bits
            The caps of enumeration and of the transfer matrix (None: defaults).
        wang_landau : dict, optional
            "wang_landau": the options of :meth:`wang_landau` (``bin_width``, ``runs``,
            ``final_log_f``, ``flatness``, ``max_sweeps``, ``seed``; ``seed`` defaults
            to this call's), their defaults otherwise. log Z is averaged over its runs
            and the error is their spread (:meth:`WangLandauDOS.thermo`).
        progress : callable, bool or None
            As for :meth:`exact`.

        Examples
        --------
        >>> import boltzmann as bz
        >>> z = bz.IsingModel.square(64, 64).log_partition(0.44)
        >>> z.method, z.stderr
        ('kaufman', 0.0)
        >>> glass = bz.IsingModel.edwards_anderson((30, 30), distribution="gaussian")
        >>> glass.log_partition(1.0).method
        'planar'
        >>> in_field = bz.IsingModel.edwards_anderson((30, 30), distribution="gaussian", h=0.1)
        >>> estimate = in_field.log_partition(1.0, runs=20, n_betas=200)
        >>> estimate.method, estimate.stderr > 0
        ('ais', True)
        >>> wl = bz.IsingModel.square(4, 4).log_partition(0.44, method="wang_landau", wang_landau={"final_log_f": 1e-4})
        >>> wl.method, bool(abs(wl.value - bz.IsingModel.square(4, 4).exact(0.44).log_z) < 4 * wl.stderr + 1e-3)
        ('wang_landau', True)
        """
        from ._lib import bz_log_z_options
        from .montecarlo import ALGORITHMS
        options = bz_log_z_options()
        lib.bz_log_z_options_init(ctypes.byref(options))
        options.method = arr.code(_LOG_Z_METHODS, method, "method")
        options.max_spins, options.max_bits = _limit(max_spins), _limit(max_bits)
        options.runs, options.n_betas, options.sweeps = int(runs), int(n_betas), int(sweeps)
        options.populations = int(populations)
        options.algorithm = arr.code(ALGORITHMS, algorithm, "algorithm")
        options.seed = seed64(seed)
        walks = dict(wang_landau or {})
        walks["seed"] = seed64(walks.get("seed", seed))
        options.wang_landau = arr.options(lib.bz_wang_landau_options_init, **walks)
        value, error, ess, used = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_int32()
        note = ctypes.create_string_buffer(1024)
        _Progress(progress, unit="units", what="IsingModel.log_partition").run(
            lib.bz_ising_log_partition, self._h, float(beta), ctypes.byref(options), ctypes.byref(value),
            ctypes.byref(error), ctypes.byref(ess), ctypes.byref(used), note, len(note))
        names = {code: name for name, code in _LOG_Z_METHODS.items()}
        estimate = LogEstimate(value.value, error.value, ess.value, names[used.value], note.value.decode())
        if estimate.method == "ais":
            _warn_if_few_effective(estimate.ess, int(runs))
        if estimate.method == "wang_landau" and estimate.note:
            warnings.warn(estimate.note, RuntimeWarning, stacklevel=2)
        return estimate

    def wang_landau(self, bin_width=0.0, runs=4, final_log_f=1e-6, flatness=0.8, max_sweeps=100_000_000, seed=0,
                    progress=None):
        """The density of states g(E) by Wang-Landau sampling with the 1/t refinement.

        Independent runs of single-spin flips accepted with min(1, g(E)/g(E')); ln f is
        halved at each flat histogram (every visited bin at least ``flatness`` of the
        mean) until it falls below 1/t (t in sweeps), then set to 1/t (Belardinelli and
        Pereyra 2007) until ``final_log_f``. The runs' spread gives the errors.

        Parameters
        ----------
        bin_width : float
            Energy bin width; 0 (default) bins exact levels of whole-number models.
        runs : int
            Independent runs, >= 2, in parallel (each on its own stream).
        final_log_f : float
            ln f at which a run ends: t = 1 / final_log_f sweeps, error ~ t^(-1/2).
        flatness : float
        max_sweeps : int
            A run stops here if it has not reached ``final_log_f`` (``converged`` False).
        seed : int
        progress : callable, bool or None
            As for :meth:`exact` (units: sweeps).

        Returns
        -------
        WangLandauDOS
        """
        options = arr.options(lib.bz_wang_landau_options_init, bin_width=bin_width, runs=runs, final_log_f=final_log_f,
                              flatness=flatness, max_sweeps=max_sweeps, seed=seed64(seed))
        capacity = ctypes.c_int64()
        lib.bz_ising_wang_landau_bins(self._h, float(bin_width), ctypes.byref(capacity))
        energies, log_g, log_g_err = (np.empty(capacity.value) for _ in range(3))
        run_log_g, sweeps = np.empty(max(0, int(runs)) * capacity.value), np.empty(max(1, int(runs)), dtype=np.int64)
        bins, converged = ctypes.c_int64(), ctypes.c_int32()
        _Progress(progress, unit="sweeps", what="IsingModel.wang_landau").run(
            lib.bz_ising_wang_landau, self._h, ctypes.byref(options), capacity.value, arr.f64(energies), arr.f64(log_g),
            arr.f64(log_g_err), arr.f64(run_log_g), arr.i64(sweeps), ctypes.byref(bins), ctypes.byref(converged))
        k = bins.value
        return WangLandauDOS(energies[:k].copy(), log_g[:k].copy(), log_g_err[:k].copy(),
                             run_log_g[:int(runs) * k].reshape(int(runs), k).copy(), sweeps[:int(runs)].copy(),
                             bool(converged.value))

    def exact_dos(self, max_bits=None, progress=None):
        """The exact density of states g(E), as exact integers, by the transfer matrix.

        For whole-number couplings and fields: with x = e^(-beta) kept symbolic, x^B Z
        (B the sum of the couplings' and fields' magnitudes) is a polynomial whose
        coefficients are the numbers of states; they are found modulo many primes
        (one modular run of the transfer matrix per point) and recovered by the
        Chinese remainder theorem, checked against one prime more. Any model whose frontier fits ``max_bits`` (see
        :meth:`exact`): strips with fields, tori by conditioning, beyond enumeration's
        2^40 states and int64 counts.

        Parameters
        ----------
        max_bits : int, optional
            The transfer matrix's cap (None: its default).
        progress : callable, bool or None
            As for :meth:`exact` (evaluations).

        Returns
        -------
        ExactDOS

        Examples
        --------
        >>> import boltzmann as bz
        >>> strip = bz.IsingModel.edwards_anderson((40, 5), distribution="bimodal", h=1, periodic=False, seed=1)
        >>> dos = strip.exact_dos()
        >>> sum(dos.counts) == 2**200, float(dos.energies[0]), dos.counts[0]  # every state; the ground level, its degeneracy
        (True, -329.0, 3808)
        """
        levels, words = ctypes.c_int64(), ctypes.c_int64()
        lib.bz_ising_transfer_dos_size(self._h, ctypes.byref(levels), ctypes.byref(words))
        return _exact_dos(_Progress(progress, unit="evaluations", what="IsingModel.exact_dos"), lib.bz_ising_transfer_dos,
                          (self._h, _limit(max_bits)), levels.value, words.value)

    def edge_correlations(self, beta, progress=None):
        """Exact <s_i s_j> on every coupling of a zero-field square lattice or embedded planar graph.

        The derivative d log Z / d(beta J_ij) from the planar Pfaffian: across each
        bond the dual's edge carries a domain wall with probability
        P = K[u, v] (K^-1)[v, u], read from the Kasteleyn matrix's inverse on the
        nested dissection's fronts (selected inversion); <s_i s_j> = 1 - 2 P. On a
        torus the four Pfaffians' shares are combined; on a graph embedded with
        :meth:`with_embedding` they come from the dense inverse. Limits as
        ``exact(method="planar")`` (a torus whose Pfaffians cancel is refused).

        Parameters
        ----------
        beta : float
        progress : callable, bool or None
            As for :meth:`exact` (fronts, twice each).

        Returns
        -------
        ndarray, shape (n_couplings,)
            In the order of :attr:`couplings`.

        Examples
        --------
        >>> import numpy as np, boltzmann as bz
        >>> glass = bz.IsingModel.edwards_anderson((64, 64), distribution="gaussian", periodic=False, seed=1)
        >>> c = glass.edge_correlations(1.0)
        >>> u = glass.exact(1.0, method="planar").energy
        >>> bool(np.isclose(-(glass.couplings[2] * c).sum(), u, rtol=1e-10))  # sum J <s s> = -U
        True
        """
        out = np.empty(self.n_couplings)
        _Progress(progress, unit="fronts", what="IsingModel.edge_correlations").run(
            lib.bz_ising_planar_correlations, self._h, float(beta), arr.f64(out), out.size)
        return out

    def kasteleyn(self, beta):
        """The Kasteleyn matrix behind ``exact(method="planar")`` on an open lattice.

        The dual of an open L x W lattice (its plaquettes, and the outside as a path of
        cities around a frame) as an (L + 1) x (W + 1) Fisher lattice: six nodes per city
        (ports north, east, south, west and two inner nodes), inner and frame edges of
        weight 1, each lattice bond's crossing edge e^(-2 beta J). With the orientation
        stored here, log Z = ``log_prefactor`` + ln ``|Pf K|``: for checking against
        other Pfaffian solvers (``bench/planar.py`` runs pfapack on it).

        Returns
        -------
        KasteleynMatrix

        Examples
        --------
        >>> import numpy as np, boltzmann as bz
        >>> model = bz.IsingModel.edwards_anderson((3, 3), periodic=False, seed=2)
        >>> k = model.kasteleyn(0.7)
        >>> dense = k.toarray()
        >>> dense.shape, bool(np.allclose(dense, -dense.T))
        ((96, 96), True)
        >>> sign, logdet = np.linalg.slogdet(dense)
        >>> bool(abs(k.log_prefactor + logdet / 2 - model.exact(0.7).log_z) < 1e-12)
        True
        """
        count, nodes, prefactor = ctypes.c_int64(), ctypes.c_int64(), ctypes.c_double()
        lib.bz_ising_kasteleyn(self._h, float(beta), 0, None, None, None, ctypes.byref(count),
                               ctypes.byref(nodes), ctypes.byref(prefactor))
        rows, cols = np.empty(count.value, dtype=np.int64), np.empty(count.value, dtype=np.int64)
        weights = np.empty(count.value)
        lib.bz_ising_kasteleyn(self._h, float(beta), count.value, arr.i64(rows), arr.i64(cols), arr.f64(weights),
                               ctypes.byref(count), None, None)
        return KasteleynMatrix(int(nodes.value), rows, cols, weights, float(prefactor.value))

    def ais(self, betas, runs=100, sweeps=1, algorithm="metropolis", seed=0, progress=None):
        """log Z along a whole schedule by annealed importance sampling from beta = 0.

        Each of ``runs`` runs starts from uniform spins (an exact sample at beta = 0,
        where Z = 2^N) and, at each beta of ``betas`` (from 0, increasing), adds
        -(beta_k - beta_{k-1}) E(s) to its log weight and takes ``sweeps`` sweeps of
        ``algorithm``; the mean weight estimates Z(beta_k) / 2^N at every k.

        Returns
        -------
        AnnealedImportance

        Examples
        --------
        >>> import numpy as np, boltzmann as bz
        >>> model = bz.IsingModel.square(4, 4)
        >>> r = model.ais(np.linspace(0, 0.44, 200), runs=200, seed=1)
        >>> exact = model.exact(0.44).log_z
        >>> bool(abs(r.log_z[-1] - exact) < 4 * r.stderr[-1] + 1e-3)
        True
        """
        from .montecarlo import ALGORITHMS
        b = arr.vector(betas, "betas")
        out = np.empty((3, b.size))
        _Progress(progress, unit="sweeps", what="IsingModel.ais").run(
            lib.bz_ising_ais, self._h, arr.f64(b), b.size, int(runs), int(sweeps), arr.code(ALGORITHMS, algorithm, "algorithm"),
            seed64(seed), *(arr.f64(row) for row in out))
        if b.size > 1:
            _warn_if_few_effective(out[2, -1], int(runs))
        return AnnealedImportance(b.copy(), *out)

    def population_annealing(self, betas, replicas=1000, populations=16, sweeps=1, algorithm="metropolis", seed=0,
                             progress=None):
        """log Z and <E> along a schedule by population annealing from beta = 0.

        ``populations`` independent populations of ``replicas`` replicas start from
        uniform spins; at each beta of ``betas`` (from 0, increasing) every replica is
        reweighted by e^{-(beta_k - beta_{k-1}) E}, the population resampled in
        proportion, and each replica swept ``sweeps`` times. The errors come from the
        spread of the populations; the family entropy and the reweighting's effective
        fraction are equilibration diagnostics.

        Returns
        -------
        PopulationAnnealing

        Examples
        --------
        >>> import numpy as np, boltzmann as bz
        >>> model = bz.IsingModel.square(4, 4)
        >>> r = model.population_annealing(np.linspace(0, 0.6, 60), replicas=200, seed=1)
        >>> exact = model.exact(0.6)
        >>> bool(abs(r.log_z[-1] - exact.log_z) < 4 * r.log_z_err[-1] + 1e-3)
        True
        """
        from .montecarlo import ALGORITHMS
        b = arr.vector(betas, "betas")
        out = np.empty((6, b.size))
        _Progress(progress, unit="sweeps", what="IsingModel.population_annealing").run(
            lib.bz_ising_population_annealing, self._h, arr.f64(b), b.size, int(replicas), int(populations), int(sweeps),
            arr.code(ALGORITHMS, algorithm, "algorithm"), seed64(seed), *(arr.f64(row) for row in out))
        return PopulationAnnealing(b.copy(), *out)

    def exact_sample(self, n, beta, seed=0, method="auto", max_bits=None, progress=None):
        """Exact, independent samples at beta: the reference for checking a Markov chain.

        Two exact samplers:

        - ``"transfer"``: forward filtering, backward sampling by the transfer matrix.
          The recursion of ``exact(method="transfer")`` is run once keeping every
          step's frontier weights (N 2^B doubles), then each sample draws the last
          frontier state and undoes the steps one spin at a time. Any couplings and
          fields, for any model whose plan fits ``max_bits`` (strips; periodic ones by
          conditioning).
        - ``"planar"``: zero-field models on open square lattices of any size the
          planar Pfaffian reaches (the 2D Edwards-Anderson glass). Each sample's domain
          walls are a perfect matching of the dual's Fisher lattice drawn top-down
          through the nested dissection, O(N^1.5) per sample after one elimination.
          Its conditioned inverses lose digits faster than log Z as beta grows: a
          draw whose probabilities miss summing to 1 by more than 1e-6 raises
          :class:`NotConverged` (+-J glasses sample to beta 2 at 16 x 16, 1.5 at
          32 x 32 and 48 x 48, 1.25 at 64 x 64; Gaussian ones to 1.5 up to 64 x 64).
          On a graph embedded with :meth:`with_embedding`: sequential conditioning
          on its bonds (each a rank-2 update of the dense inverse), O(m^3) per
          sample for m = 2 x the bonds (a 10 x 10 triangular glass in 5 ms, 16 x 16
          in 55 ms), the same precision check.
        - ``"auto"`` (default): the transfer matrix when its plan needs at most
          ``EXACT_SAMPLE_TRANSFER_BITS`` (14) bits, else the planar sampler where it
          applies, else the transfer matrix within ``max_bits``.

        Parameters
        ----------
        n : int
            Samples.
        beta : float
        seed : int
            Sample r draws from stream r: the samples do not depend on ``n`` or the
            thread count.
        method : {"auto", "transfer", "planar"}
        max_bits : int, optional
            The transfer matrix's cap (None: its default).
        progress : callable, bool or None
            As for :meth:`exact`.

        Returns
        -------
        ndarray of int8, shape (n, n_spins)

        Examples
        --------
        >>> import numpy as np, boltzmann as bz
        >>> glass = bz.IsingModel.edwards_anderson((30, 6), distribution="gaussian", periodic=False, seed=1)
        >>> s = glass.exact_sample(20000, 1.0, seed=1)
        >>> first, second, J = glass.couplings
        >>> c = glass.edge_correlations(1.0)  # exact, by the planar Pfaffian
        >>> z = (np.mean(s[:, first] * s[:, second], axis=0) - c) / np.sqrt((1 - c**2) / 20000)
        >>> bool(np.abs(z).max() < 5)  # every bond's sample mean within 5 standard errors
        True
        >>> big = bz.IsingModel.edwards_anderson((48, 48), distribution="bimodal", periodic=False, seed=2)
        >>> big.exact_sample(10, 0.8, seed=3).shape  # by the planar sampler
        (10, 2304)
        """
        if method not in ("auto", "transfer", "planar"):
            raise ValueError(f"method must be 'auto', 'transfer' or 'planar', got {method!r}")
        spins = np.empty((max(int(n), 0), self.n_spins), np.int8)
        reporter = _Progress(progress, unit="units", what="IsingModel.exact_sample")

        def planar():
            reporter.run(lib.bz_ising_planar_sample, self._h, float(beta), int(n), seed64(seed),
                         spins.ctypes.data_as(i8p), self.n_spins)

        def transfer():
            reporter.run(lib.bz_ising_transfer_sample, self._h, float(beta), int(n), _limit(max_bits), seed64(seed),
                         spins.ctypes.data_as(i8p), self.n_spins)

        if method == "auto" and sum(self.transfer_plan()) > EXACT_SAMPLE_TRANSFER_BITS:
            try:
                planar()
                return spins
            except InvalidArgument:  # not an open zero-field square lattice
                pass
        (planar if method == "planar" else transfer)()
        return spins

    def transfer_plan(self):
        """``(B, K)``: the transfer matrix's frontier width (the couplings' span in spin
        order) and the leading spins it conditions on; each step visits 2^(B + K) states."""
        frontier, conditioned = ctypes.c_int64(), ctypes.c_int64()
        lib.bz_ising_transfer_plan(self._h, ctypes.byref(frontier), ctypes.byref(conditioned))
        return frontier.value, conditioned.value

    def ground_state(self, max_spins=None, progress=None):
        """The exact ground state by enumeration: :class:`GroundState`."""
        e, g = ctypes.c_double(), ctypes.c_int64()
        spins = np.empty(self.n_spins, np.int8)
        _Progress(progress, what="IsingModel.ground_state").run(
            lib.bz_ising_ground_state, self._h, _limit(max_spins), ctypes.byref(e), ctypes.byref(g),
            spins.ctypes.data_as(i8p), len(spins))
        return GroundState(e.value, g.value, spins)

    def density_of_states(self, by_magnetization=False, max_spins=None, progress=None):
        """Exact g(E) (and g(E, M)) for whole-number couplings and fields: :class:`DensityOfStates`."""
        lo, bins = arr.outputs(lib.bz_ising_dos_range, self._h)
        n = self.n_spins
        counts = np.empty(bins, np.int64)
        by_m = np.empty((bins, n + 1), np.int64) if by_magnetization else None
        _Progress(progress, what="IsingModel.density_of_states").run(
            lib.bz_ising_density_of_states, self._h, _limit(max_spins), arr.i64(counts), bins,
            None if by_m is None else arr.i64(by_m.ravel()), n)
        keep = counts > 0
        energies = lo + np.nonzero(keep)[0].astype(np.int64)
        return DensityOfStates(energies, counts[keep], np.arange(-n, n + 1, 2, dtype=np.int64),
                               None if by_m is None else by_m[keep])


def _rebuild(n, edges, fields):
    return IsingModel.from_edges(n, edges, fields)


def _embedded(made, start, neighbours):
    """A pickled model with its embedding: made as ``made`` says, then embedded again."""
    function, args = made
    model = function(*args)
    lists = [neighbours[start[i]:start[i + 1]] for i in range(len(start) - 1)]
    embedded = model.with_embedding(lists)
    model.close()
    return embedded


def _remake(create, args, fields=None):
    """A model made as ``IsingModel._built`` made the pickled one (lattice included)."""
    return IsingModel._built(getattr(lib, create), *args, fields=fields)


# --- exact solutions ----------------------------------------------------------------


def _betas(beta):
    b = np.asarray(beta, dtype=np.float64)
    return b, np.ascontiguousarray(b.ravel())


def chain_exact(n, J=1.0, h=0.0, beta=1.0, periodic=True):
    """The 1D Ising chain of n spins, exactly, by its transfer matrix.

    Parameters
    ----------
    n : int
        Spins, up to 1e15.
    J : float
        Nearest-neighbour coupling.
    h : float
        Uniform field.
    beta : float or array_like
        Inverse temperatures.
    periodic : bool
        A ring (True) or an open chain.

    Returns
    -------
    ChainThermo
        Arrays of beta's shape.

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> t = bz.ising.chain_exact(10**15, beta=0.5)  # log Z / N -> ln(2 cosh beta J)
    >>> bool(np.isclose(t.log_z / 1e15, np.log(2 * np.cosh(0.5))))
    True
    """
    b, flat = _betas(beta)
    out = np.empty((7, flat.size))
    lib.bz_ising_chain_exact(int(n), float(J), float(h), int(bool(periodic)), arr.f64(flat), flat.size,
                             *(arr.f64(row) for row in out))
    return ChainThermo(b.copy(), *(row.reshape(b.shape) for row in out))


def chain_correlation(r, J=1.0, h=0.0, beta=1.0, n=None):
    """The spin-spin correlation <s_0 s_r> of a periodic chain.

    Parameters
    ----------
    r : int or array_like of int
        Distances.
    J, h, beta : float
        Coupling, field and inverse temperature.
    n : int, optional
        Spins of the ring (None: infinite).

    Returns
    -------
    correlation : float or ndarray
        Of ``r``'s shape.

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> bool(np.allclose(bz.ising.chain_correlation([1, 2, 3], beta=0.5), np.tanh(0.5) ** np.array([1, 2, 3])))
    True
    """
    d = np.asarray(r, dtype=np.int64)
    flat = np.ascontiguousarray(d.ravel())
    out = np.empty(flat.size)
    lib.bz_ising_chain_correlation(0 if n is None else int(n), float(J), float(h), float(beta),
                                   arr.i64(flat), flat.size, arr.f64(out))
    return float(out[0]) if d.ndim == 0 else out.reshape(d.shape)


def square_exact(m, n, beta, J=1.0):
    """Kaufman's exact log Z, F, U, S, C of the periodic m x n square lattice.

    Parameters
    ----------
    m, n : int
        Rows and columns (each >= 2).
    beta : float or array_like
        Inverse temperatures.
    J : float
        Coupling.

    Returns
    -------
    Thermo
        For the whole lattice.

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> kaufman = bz.ising.square_exact(4, 4, [0.3, 0.44])
    >>> enumerated = bz.IsingModel.square(4, 4).exact([0.3, 0.44])
    >>> bool(np.allclose(kaufman.heat_capacity, enumerated.heat_capacity, rtol=1e-10))
    True
    """
    b, flat = _betas(beta)
    out = np.empty((5, flat.size))
    lib.bz_ising_square_exact(int(m), int(n), float(J), arr.f64(flat), flat.size, *(arr.f64(row) for row in out))
    return Thermo(b.copy(), *(row.reshape(b.shape) for row in out))


@dataclass(frozen=True, repr=False)
class ExactDOS(Result):
    """An exact density of states with g(E) as exact integers: Beale's of a periodic
    square lattice (:func:`square_dos`) or any whole-number model's by the transfer
    matrix (:meth:`IsingModel.exact_dos`).

    Attributes
    ----------
    energies : ndarray
        The energies that occur, ascending (E = J (4k - 2N) on Beale's torus).
    log_g : ndarray
        ln g(E), to double precision.
    counts : ndarray of object
        g(E) as exact Python integers (they pass 2^63 beyond 8 x 8), summing to 2^N.

    Examples
    --------
    >>> import boltzmann as bz
    >>> dos = bz.ising.square_dos(4, 4)
    >>> dos.energies[:3].tolist(), dos.counts[:3].tolist(), sum(dos.counts) == 2**16
    ([-32.0, -24.0, -20.0], [2, 32, 64], True)
    >>> big = bz.ising.square_dos(32, 32)
    >>> big.counts[1]  # 2N ways to flip one spin, from either ground state
    2048
    >>> bool(abs(big.thermo(0.4).log_z - bz.ising.square_exact(32, 32, 0.4).log_z) < 1e-9)
    True
    """

    energies: np.ndarray
    log_g: np.ndarray
    counts: np.ndarray

    def spectrum(self):
        """The levels as a :class:`Spectrum` (given by ln g, as g overflows a double)."""
        return Spectrum(self.energies, log_degeneracies=self.log_g)

    def plot(self, **options):
        """Draw ln g(E): :func:`boltzmann.plot.density_of_states` (its options)."""
        from .plot import density_of_states
        return density_of_states(self, **options)

    def thermo(self, beta):
        """log Z, F, U, S, C at any beta from g(E)."""
        with self.spectrum() as s:
            return s.thermo(beta)


def square_dos(m, n, J=1.0, progress=None):
    """Beale's exact density of states g(E) of the periodic m x n square lattice.

    Kaufman's partition function is a polynomial in exp(-2 beta J) whose coefficients
    are the numbers of states g(E); they are computed exactly (modulo many primes,
    then the Chinese remainder theorem, checked against one more prime), the reference
    any estimate of g(E) -- Wang-Landau, multicanonical -- can be judged against.

    Parameters
    ----------
    m, n : int
        Rows and columns (each >= 3).
    J : float
        The coupling (non-zero, no field); energies are J (4k - 2N).
    progress : None, bool or callable
        Progress over primes (see :func:`boltzmann.set_progress`).

    Returns
    -------
    ExactDOS

    Notes
    -----
    Cost grows as N^2.5: a 32 x 32 torus takes well under a second, 64 x 64 seconds,
    128 x 128 minutes. P. D. Beale, Phys. Rev. Lett. 76, 78 (1996).

    Examples
    --------
    >>> import boltzmann as bz
    >>> dos = bz.ising.square_dos(6, 6)
    >>> dos.counts[:4].tolist()
    [2, 72, 144, 1620]
    """
    levels, words = ctypes.c_int64(), ctypes.c_int64()
    lib.bz_ising_square_dos_size(int(m), int(n), ctypes.byref(levels), ctypes.byref(words))
    return _exact_dos(_Progress(progress, unit="primes", what="square_dos"), lib.bz_ising_square_dos,
                      (int(m), int(n), float(J)), levels.value, words.value)


def _exact_dos(progress, function, arguments, levels, words):
    """Call a ``bz_*_dos`` function (its leading ``arguments``, then capacity, words and
    the outputs) and make its levels an :class:`ExactDOS` with Python integers."""
    energies, log_g = np.empty(levels), np.empty(levels)
    counts = np.zeros((levels, words), np.uint64)
    found = ctypes.c_int64()
    progress.run(function, *arguments, levels, words, arr.f64(energies), arr.f64(log_g),
                 counts.ctypes.data_as(ctypes.POINTER(ctypes.c_uint64)), ctypes.byref(found))
    k = found.value
    exact = np.empty(k, dtype=object)
    for i in range(k):
        exact[i] = int.from_bytes(counts[i].astype("<u8").tobytes(), "little")
    return ExactDOS(energies[:k].copy(), log_g[:k].copy(), exact)


def onsager(beta, J=1.0):
    """Onsager's infinite square lattice per site, with Yang's spontaneous magnetisation.

    Parameters
    ----------
    beta : float or array_like
        Inverse temperatures.
    J : float
        Coupling.

    Returns
    -------
    Onsager

    Examples
    --------
    >>> import boltzmann as bz
    >>> round(float(bz.ising.onsager(0.5).magnetization), 6)
    0.911319
    """
    b, flat = _betas(beta)
    out = np.empty((4, flat.size))
    lib.bz_ising_onsager(float(J), arr.f64(flat), flat.size, *(arr.f64(row) for row in out))
    return Onsager(b.copy(), *(row.reshape(b.shape) for row in out))


def critical_temperature(J=1.0):
    """T_c = 2 J / ln(1 + sqrt 2) of the infinite square lattice.

    Parameters
    ----------
    J : float
        Coupling.

    Returns
    -------
    T_c : float

    Examples
    --------
    >>> import boltzmann as bz
    >>> round(bz.ising.critical_temperature(), 6)
    2.269185
    """
    return arr.outputs(lib.bz_ising_onsager_critical_temperature, float(J))


def mean_field(beta, J=1.0, z=4, h=0.0):
    """All solutions of the mean-field equation m = tanh(beta (z J m + h)).

    Parameters
    ----------
    beta : float
        Inverse temperature.
    J : float
        Coupling.
    z : float
        Neighbours per spin.
    h : float
        Field.

    Returns
    -------
    MeanField

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.ising.mean_field(0.2, J=1, z=4).magnetization.tolist()  # T = 5 > T_c = 4
    [0.0]
    """
    m, f, stable, count = np.empty(3), np.empty(3), np.empty(3, np.int32), ctypes.c_int64()
    lib.bz_ising_mean_field(float(beta), float(J), float(z), float(h), arr.f64(m), arr.f64(f),
                            stable.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)), ctypes.byref(count))
    k = count.value
    return MeanField(m[:k].copy(), f[:k].copy(), stable[:k].astype(bool), float(z) * float(J))


def mean_field_magnetization(beta, J=1.0, z=4, h=0.0):
    """The equilibrium mean-field magnetisation at every beta: the curve m(T).

    Parameters
    ----------
    beta : float or array_like
        Inverse temperatures.
    J, z, h : float
        Coupling, neighbours per spin, field.

    Returns
    -------
    m : float or ndarray
        Of beta's shape.

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.ising.mean_field_magnetization([0.2, 0.5]).round(6).tolist()
    [0.0, 0.957504]
    """
    b, flat = _betas(beta)
    out = np.empty(flat.size)
    lib.bz_ising_mean_field_magnetization(float(J), float(z), float(h), arr.f64(flat), flat.size, arr.f64(out))
    return float(out[0]) if b.ndim == 0 else out.reshape(b.shape)


def hysteresis(beta, J=1.0, z=4, h_max=None, n_steps=401, fields=None):
    """Sweep the field up and back, following the stable mean-field branch.

    Parameters
    ----------
    beta : float
        Inverse temperature.
    J, z : float
        Coupling and neighbours per spin.
    h_max : float, optional
        The sweep runs -h_max to h_max and back (default 1.5 z J).
    n_steps : int
        Fields on each leg.
    fields : array_like, optional
        The fields to visit instead.

    Returns
    -------
    Hysteresis

    Examples
    --------
    >>> import boltzmann as bz
    >>> loop = bz.ising.hysteresis(0.5, n_steps=101)
    >>> len(loop.field), int(loop.jumped.sum())
    (202, 2)
    """
    if fields is None:
        h_max = 1.5 * abs(z * J) if h_max is None else float(h_max)
        up = np.linspace(-h_max, h_max, int(n_steps))
        fields = np.concatenate([up, up[::-1]])
    h = arr.vector(fields, "fields")
    m, jumped = np.empty(len(h)), np.empty(len(h), np.int32)
    lib.bz_ising_hysteresis(float(beta), float(J), float(z), arr.f64(h), len(h), arr.f64(m),
                            jumped.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)))
    return Hysteresis(h, m, jumped.astype(bool))


def curie_weiss(n, beta, J=1.0, h=0.0):
    """The Curie-Weiss model (all pairs coupled, J/n) exactly, in O(n) per beta.

    Parameters
    ----------
    n : int
        Spins.
    beta : float or array_like
        Inverse temperatures.
    J, h : float
        Coupling (divided by n) and field.

    Returns
    -------
    IsingThermo

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> a = bz.ising.curie_weiss(8, [0.5, 1.5])
    >>> b = bz.IsingModel.complete(8).exact([0.5, 1.5])  # complete() couples by J / n too
    >>> bool(np.allclose(a.log_z, b.log_z, rtol=1e-12))
    True
    """
    b, flat = _betas(beta)
    out = np.empty((8, flat.size))
    lib.bz_ising_curie_weiss(int(n), float(J), float(h), arr.f64(flat), flat.size, *(arr.f64(row) for row in out))
    return IsingThermo(b.copy(), *(row.reshape(b.shape) for row in out))
