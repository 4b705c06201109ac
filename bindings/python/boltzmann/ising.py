"""Ising models, solved exactly where physics allows.

E(s) = - sum_{i<j} J_ij s_i s_j - sum_i h_i s_i over spins s_i in {-1, +1} (k_B = 1).
:class:`IsingModel` holds a model (lattices, complete graph, spin glasses, dense or
edge-list couplings, QUBO) and enumerates it exactly; the module functions give the
closed-form solutions: the 1D chain (transfer matrix), Kaufman's finite square lattice,
Onsager's infinite one, mean-field theory and the exact Curie-Weiss model. See the
"Ising" section of ``include/boltzmann.h`` for equations and guarantees.
"""

import ctypes
from dataclasses import dataclass

import numpy as np

from ._display import THERMO_LABELS, Result
from . import _arrays as arr
from ._arrays import seed64
from ._handles import HandleOwner
from ._lib import i8p, lib
from ._progress import Progress as _Progress
from .errors import InvalidArgument, ShapeError
from .thermo import Spectrum, Thermo

__all__ = ["IsingModel", "IsingThermo", "ChainThermo", "GroundState", "DensityOfStates",
           "Onsager", "MeanField", "Hysteresis", "chain_exact", "chain_correlation",
           "square_exact", "onsager", "critical_temperature", "mean_field",
           "mean_field_magnetization", "hysteresis", "curie_weiss", "enumeration_default_limit"]


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
        return model

    # -- lifetime

    def __reduce__(self):
        if hasattr(self, "_recipe"):
            return (_remake, self._recipe)
        i, j, v = self.couplings
        return (_rebuild, (self.n_spins, np.column_stack([i, j, v]), self.fields))

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

    # -- exact enumeration
    def exact(self, beta, max_spins=None, progress=None):
        """Exact log Z, F, U, S, C and <m>, <``|m|``>, <m^2> at every beta by visiting all 2^N states.

        Parameters
        ----------
        beta : float or array_like
        max_spins : int, optional
            Raise the enumeration cap (default :func:`enumeration_default_limit`, at most 40).
        progress : callable(done, total) or True, optional
            Called on this thread as states are visited; return False to stop
            (:class:`Cancelled`). True or False shows a bar or none; None follows
            :func:`boltzmann.set_progress` (a bar once the call looks like taking 1 s).
        """
        b = np.asarray(beta, dtype=np.float64)
        flat = np.ascontiguousarray(b.ravel())
        out = np.empty((8, flat.size))
        _Progress(progress, what="IsingModel.exact").run(
            lib.bz_ising_exact, self._h, arr.f64(flat), flat.size, _limit(max_spins), *(arr.f64(row) for row in out))
        return IsingThermo(b.copy(), *(row.reshape(b.shape) for row in out))

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
