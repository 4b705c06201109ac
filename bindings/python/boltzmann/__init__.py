"""Boltzmann: statistical physics and energy-based models on libboltzmann.

>>> import boltzmann as bz
>>> t = bz.Spectrum([0.0, 1.0]).thermo([0.5, 1.0, 2.0])
>>> t.heat_capacity.shape
(3,)

Modules: :mod:`boltzmann.thermo` (spectra, thermodynamics, maximum entropy),
:mod:`boltzmann.microstates` (multiplicities, macrostates), :mod:`boltzmann.occupations`
(Fermi-Dirac, mean field), :mod:`boltzmann.ising` (Ising models: exact enumeration, 1D
chain, Kaufman, Onsager, mean field), :mod:`boltzmann.montecarlo` (Markov-chain sampling of Ising models with error bars),
:mod:`boltzmann.tempering` (parallel tempering, simulated annealing),
:mod:`boltzmann.rbm` (restricted and fully visible Boltzmann machines),
:mod:`boltzmann.hopfield` (classical and dense Hopfield networks, capacity, spurious states),
:mod:`boltzmann.diffusion` (forward SDEs, exact and empirical scores, samplers, the
scikit-learn density estimator ``DiffusionDensity``),
:mod:`boltzmann.metrics` (energy distance, MMD, sliced Wasserstein, mode coverage),
:mod:`boltzmann.datasets` (bars and stripes, digits, 2D toy sets),
:mod:`boltzmann.pbits` (p-bit Ising machines: invertible logic, factoring),
:mod:`boltzmann.plot` (figures, on matplotlib), :mod:`boltzmann.distributed` (sweeps on Dask
clusters or joblib workers), :mod:`boltzmann.ocean` (dimod samplers, imported on
demand: ``from boltzmann import ocean``), :mod:`boltzmann.errors` (exceptions).
"""

from ._arrays import outputs as _outputs
from ._lib import lib as _library
from ._progress import get_progress, set_progress
from .errors import (BoltzmannError, BoltzmannIOError, Busy, Cancelled, FormatError, InternalError,
                     InvalidArgument, InvalidHandle, LimitExceeded, NotConverged, NullPointerError,
                     NotFittedError, NumericError, OutOfMemory, ShapeError, Unsupported, WrongState)
from . import ising
from .ising import IsingModel, IsingThermo
from . import montecarlo
from .montecarlo import Estimate, MonteCarlo, MonteCarloResults
from . import datasets, pbits, rbm, tempering
from .rbm import RBM, BoltzmannMachine, LogEstimate
from . import hopfield
from . import diffusion, metrics
from .diffusion import DiffusionDensity, langevin
from .hopfield import DenseHopfield, Hopfield
from .tempering import anneal, anneal_beta_range, beta_schedule, parallel_tempering, ParallelTempering
from .pbits import PBitCircuit
from .microstates import (Macrostates, log_multiplicity, macrostate_count, macrostates,
                          microcanonical, occupation_energy)
from .occupations import MeanFieldResult, fermi_dirac, mean_field_occupations
from .thermo import Spectrum, Thermo, solve_beta
from . import plot
from . import distributed

__version__ = _library.bz_version_string().decode()


def set_num_threads(n):
    """Bound the threads the library uses for one call (its own workers and OpenBLAS's).

    The thread count never changes a result's bits (see the README's reproducibility
    notes); it only changes the speed.

    Parameters
    ----------
    n : int
        The bound (>= 1), or 0 to restore the default: ``BOLTZMANN_NUM_THREADS`` if set,
        else the number of online processors.

    Returns
    -------
    None

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.set_num_threads(1)
    >>> bz.get_num_threads()
    1
    >>> bz.set_num_threads(0)
    """
    _library.bz_set_num_threads(int(n))


def get_num_threads():
    """The current bound on the library's threads.

    Returns
    -------
    n : int
        At least 1.

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.get_num_threads() >= 1
    True
    """
    return _library.bz_get_num_threads()


#: Names of the library's limits and their ``BZ_LIMIT_*`` codes (see :func:`limits`).
LIMITS = {"count": 0, "iterations": 1, "steps": 2, "sampler_steps": 3, "batch": 4, "chains": 5, "betas": 6,
          "units": 7, "width": 8, "spins": 9, "couplings": 10, "pairwise_units": 11, "layers": 12,
          "measurements": 13, "dimension": 14, "blas": 15, "stored_values": 16}


def limits():
    """The largest value the library accepts under each named limit (``bz_limit``).

    The limits bound counts such as ``chains``, ``batch_size`` and ``k``; each keeps
    memory, byte counts or run time representable and says nothing about the physics.
    The header says which limit bounds which argument.

    Returns
    -------
    limits : dict of str to int
        By name, as in :data:`LIMITS`.

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.limits()["chains"]
    65536
    """
    return {name: _outputs(_library.bz_limit, code) for name, code in LIMITS.items()}


def library_path():
    """The path of the ``libboltzmann.so`` this binding loaded.

    Returns
    -------
    path : str

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.library_path().endswith("libboltzmann.so")
    True
    """
    return str(_library.path)
