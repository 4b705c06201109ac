"""D-Wave Ocean samplers on the engine: ``dimod.Sampler`` classes that take binary
quadratic models (SPIN or BINARY, any hashable labels) and return ``dimod.SampleSet``:
:class:`SimulatedAnnealingSampler`, :class:`ParallelTemperingSampler`,
:class:`PBitSampler` (Boltzmann samples at a given beta) and :class:`ExactSolver`.

Parameter names and meanings follow dwave-samplers, so code written for it runs with
our sampler swapped in; in particular ``num_sweeps`` counts all sweeps of a read
(``num_sweeps_per_beta`` at each of ``num_sweeps / num_sweeps_per_beta`` betas).
Energies in the sample set are the BQM's own (``bqm.energies``), offset included.

A BQM that is a periodic square lattice with one coupling and no field (labelled by
index, row-major, or by ``(row, column)``) is recognised and runs on the engine's
lattice kernel, as :meth:`boltzmann.IsingModel.square` does.

dimod is imported only here: ``pip install dimod``.
"""

import numpy as np

from .ising import IsingModel
from .montecarlo import MonteCarlo
from .tempering import ParallelTempering, anneal, anneal_beta_range
from .tempering import beta_schedule as _schedule  # `beta_schedule` is dwave-samplers' parameter

try:
    import dimod
except ImportError as e:  # pragma: no cover - exercised without dimod
    raise ImportError("boltzmann.ocean needs dimod: pip install dimod") from e

__all__ = ["SimulatedAnnealingSampler", "ParallelTemperingSampler", "PBitSampler", "ExactSolver", "ising_model"]

#: dwave-samplers' acceptance criteria and our single-spin algorithms.
_CRITERIA = {"Metropolis": "metropolis", "Gibbs": "heat_bath"}


def _torus(bqm, labels):
    """(rows, columns, order) when the SPIN ``bqm`` is a periodic square lattice with one
    coupling and no field, ``order`` the labels in the lattice's row-major order; else None."""
    n = len(labels)
    if n < 9 or bqm.num_interactions != 2 * n or any(bias != 0 for bias in bqm.linear.values()):
        return None
    if len(set(bqm.quadratic.values())) != 1:
        return None
    def whole(v):
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

    shapes = []
    if all(whole(v) for v in labels) and set(labels) == set(range(n)):
        shapes = [(r, n // r, list(range(n))) for r in range(3, n // 3 + 1) if n % r == 0 and n // r >= 3]
    elif all(isinstance(v, tuple) and len(v) == 2 and whole(v[0]) and whole(v[1]) for v in labels):
        rows, columns = max(v[0] for v in labels) + 1, max(v[1] for v in labels) + 1
        if rows >= 3 and columns >= 3 and rows * columns == n and set(labels) == {(r, c) for r in range(rows)
                                                                                   for c in range(columns)}:
            shapes = [(rows, columns, [(r, c) for r in range(rows) for c in range(columns)])]
    for rows, columns, order in shapes:
        if all(bqm.adj[order[r * columns + c]].keys() >= {order[((r + 1) % rows) * columns + c],
                                                         order[r * columns + (c + 1) % columns]}
               for r in range(rows) for c in range(columns)):
            return rows, columns, order
    return None


def ising_model(bqm):
    """The engine's Ising model of a binary quadratic model.

    dimod's SPIN energy is E(s) = sum_i h_i s_i + sum_ij J_ij s_i s_j + offset; the
    engine's is -sum_ij J_ij s_i s_j - sum_i h_i s_i, so couplings and fields change sign.
    BINARY models are converted to SPIN first (x = (s + 1) / 2).

    Parameters
    ----------
    bqm : dimod.BinaryQuadraticModel

    Returns
    -------
    model : IsingModel
    labels : list
        The BQM's variable for each spin of the model.
    offset : float
        The SPIN model's constant energy.

    Examples
    --------
    >>> import dimod
    >>> from boltzmann.ocean import ising_model
    >>> bqm = dimod.BinaryQuadraticModel({"a": 1.0}, {("a", "b"): -2.0}, 0.5, "SPIN")
    >>> model, labels, offset = ising_model(bqm)
    >>> labels, float(offset), bool(model.energy([1, 1]) + offset == bqm.energy({"a": 1, "b": 1}))
    (['a', 'b'], 0.5, True)
    """
    spin = bqm.spin
    labels = list(spin.variables)
    torus = _torus(spin, labels)
    if torus is not None:
        rows, columns, order = torus
        coupling = -float(next(iter(spin.quadratic.values())))
        return IsingModel.square(rows, columns, J=coupling), order, float(spin.offset)
    linear, (rows, columns, couplings), offset = spin.to_numpy_vectors(variable_order=labels)
    edges = np.column_stack([rows, columns, -np.asarray(couplings, dtype=np.float64)])
    return IsingModel.from_edges(len(labels), edges, -np.asarray(linear, dtype=np.float64)), labels, float(offset)


class SimulatedAnnealingSampler(dimod.Sampler, dimod.Initialized):
    """Simulated annealing of binary quadratic models on the engine, as dwave-samplers'
    ``SimulatedAnnealingSampler`` does it: ``num_reads`` independent reads from random
    states (or ``initial_states``), each cooled along a schedule of betas with
    ``num_sweeps_per_beta`` sweeps at each (Metropolis or Gibbs single-spin updates in a
    fixed order).

    Examples
    --------
    >>> from boltzmann.ocean import SimulatedAnnealingSampler
    >>> sampler = SimulatedAnnealingSampler()
    >>> h = {"a": 0.0, "b": 0.0, "c": 0.0}
    >>> J = {("a", "b"): 1.0, ("b", "c"): 1.0, ("a", "c"): 1.0}
    >>> sampleset = sampler.sample_ising(h, J, num_reads=10, seed=1)
    >>> float(sampleset.first.energy)
    -1.0
    """

    parameters = {"beta_range": [], "num_reads": [], "num_sweeps": [], "num_sweeps_per_beta": [],
                  "beta_schedule_type": ["beta_schedule_options"], "beta_schedule": [], "seed": [],
                  "proposal_acceptance_criteria": [], "initial_states": [],
                  "initial_states_generator": ["initial_states_generators"]}
    properties = {"beta_schedule_options": ("linear", "geometric", "custom"),
                  "initial_states_generators": ("none", "tile", "random")}

    def sample(self, bqm, beta_range=None, num_reads=None, num_sweeps=None, num_sweeps_per_beta=1,
               beta_schedule_type="geometric", seed=None, beta_schedule=None, proposal_acceptance_criteria="Metropolis",
               initial_states=None, initial_states_generator="random", **kwargs):
        """Anneal ``bqm``: ``num_reads`` reads of ``num_sweeps`` sweeps each.

        Parameters
        ----------
        bqm : dimod.BinaryQuadraticModel
            SPIN or BINARY, any hashable labels.
        beta_range : (float, float), optional
            Hot and cold inverse temperatures (default: the largest single flip is
            accepted half the time at the hot end, the smallest one 1% at the cold end,
            :func:`boltzmann.anneal_beta_range`).
        num_reads : int, optional
            Independent reads (default 1).
        num_sweeps : int, optional
            Sweeps of each read in all (default 1000).
        num_sweeps_per_beta : int
            Sweeps at each beta; ``num_sweeps`` must be a multiple of it.
        beta_schedule_type : {"geometric", "linear", "custom"}
            How betas step from hot to cold; "custom" takes ``beta_schedule``.
        seed : int, optional
            Fixes every read (default: drawn at random).
        beta_schedule : array_like, optional
            The betas, with ``beta_schedule_type="custom"``.
        proposal_acceptance_criteria : {"Metropolis", "Gibbs"}
            Metropolis or heat-bath (Gibbs) single-spin updates.
        initial_states : samples-like, optional
            Starting states, one per read (default: random states drawn by the engine).
        initial_states_generator : {"random", "tile", "none"}
            How fewer initial states than ``num_reads`` are completed (dimod's rule:
            random states, repeats, or an error).
        **kwargs
            Other dwave-samplers options are refused with a clear error.

        Returns
        -------
        sampleset : dimod.SampleSet
            One row per read, in the BQM's vartype, with the BQM's energies;
            ``info`` holds the beta range and schedule used.

        Examples
        --------
        >>> import dimod
        >>> from boltzmann.ocean import SimulatedAnnealingSampler
        >>> bqm = dimod.BinaryQuadraticModel.from_qubo({(0, 0): -1, (1, 1): -1, (0, 1): 2})
        >>> float(SimulatedAnnealingSampler().sample(bqm, num_reads=8, seed=1).first.energy)
        -1.0
        """
        if kwargs:
            raise ValueError(f"unsupported options: {', '.join(sorted(kwargs))}")
        if proposal_acceptance_criteria not in _CRITERIA:
            raise ValueError(f'proposal_acceptance_criteria must be "Metropolis" or "Gibbs", '
                             f'got {proposal_acceptance_criteria!r}')
        if seed is None:
            seed = int(np.random.default_rng().integers(2**63))
        if initial_states is not None:
            parsed = self.parse_initial_states(bqm, initial_states, initial_states_generator, num_reads,
                                               seed=int(seed) % 2**32)
            num_reads, states = parsed.num_reads, parsed.initial_states
        num_reads = 1 if num_reads is None else int(num_reads)
        num_sweeps = 1000 if num_sweeps is None else int(num_sweeps)
        num_sweeps_per_beta = int(num_sweeps_per_beta)
        if num_reads < 1 or num_sweeps < 0 or num_sweeps_per_beta < 1:
            raise ValueError("num_reads and num_sweeps_per_beta must be >= 1 and num_sweeps >= 0")
        num_betas, remainder = divmod(num_sweeps, num_sweeps_per_beta)
        if remainder:
            raise ValueError(f"num_sweeps ({num_sweeps}) must be a multiple of num_sweeps_per_beta "
                             f"({num_sweeps_per_beta})")
        if bqm.num_variables == 0:
            return dimod.SampleSet.from_samples(([], []), bqm.vartype, energy=[])
        model, labels, offset = ising_model(bqm)
        starts = None
        if initial_states is not None:
            values = states.record.sample[:, [states.variables.index(v) for v in labels]]
            starts = values if states.vartype is dimod.SPIN else 2 * values - 1
        with model:
            if beta_schedule_type == "custom":
                if beta_schedule is None:
                    raise ValueError('beta_schedule_type="custom" needs a beta_schedule')
                betas = np.asarray(beta_schedule, dtype=np.float64)
            elif beta_schedule is not None:
                raise ValueError('beta_schedule needs beta_schedule_type="custom"')
            elif beta_schedule_type in ("geometric", "linear"):
                hot, cold = anneal_beta_range(model) if beta_range is None else map(float, beta_range)
                betas = _schedule(beta_schedule_type, hot, cold, num_betas) if num_betas > 1 else \
                    np.full(num_betas, cold)
            else:
                raise ValueError(f'beta_schedule_type must be "geometric", "linear" or "custom", '
                                 f'got {beta_schedule_type!r}')
            if betas.size == 0:  # no sweeps: the starting states themselves
                spins = starts if starts is not None else \
                    np.where(np.random.default_rng(seed).random((num_reads, len(labels))) < 0.5, -1, 1)
                energies = model.energy(spins)
            else:
                result = anneal(model, betas, sweeps=num_sweeps_per_beta, reads=num_reads, seed=seed,
                                algorithm=_CRITERIA[proposal_acceptance_criteria], initial=starts)
                spins, energies = result.spins, result.energies
        samples = spins if bqm.vartype is dimod.SPIN else (spins + 1) // 2
        info = {"beta_range": (float(betas[0]), float(betas[-1])) if betas.size else None,
                "beta_schedule_type": beta_schedule_type}
        # The engine's energies are the SPIN model's less its offset, in either vartype.
        return dimod.SampleSet.from_samples((samples.astype(np.int8), labels), bqm.vartype,
                                            energy=np.asarray(energies) + offset, info=info)


def _checked(kwargs, initial_states=None):
    """dwave-samplers' options this sampler does not take, refused by name."""
    if initial_states is not None:
        raise ValueError("initial_states is not supported: reads start from random states")
    if kwargs:
        raise ValueError(f"unsupported options: {', '.join(sorted(kwargs))}")


def _seed(seed):
    return int(np.random.default_rng().integers(2**63)) if seed is None else int(seed)


def _sampleset(spins, labels, bqm, info):
    """A SampleSet of engine spins (reads, N) in the BQM's vartype, with its energies."""
    samples = spins if bqm.vartype is dimod.SPIN else (spins + 1) // 2
    return dimod.SampleSet.from_samples_bqm((np.asarray(samples, dtype=np.int8), labels), bqm, info=info)


class ParallelTemperingSampler(dimod.Sampler):
    """Replica exchange on the engine as a dimod sampler: each read is one ladder of
    ``num_replicas`` chains at betas from ``beta_range`` (geometric), swept
    ``num_sweeps`` times with neighbour swaps every ``swap_every`` sweeps; the read is the
    coldest chain's final state. Ladders are independent and threaded.

    Examples
    --------
    >>> import dimod
    >>> from boltzmann.ocean import ParallelTemperingSampler
    >>> bqm = dimod.generators.ran_r(1, 12, seed=1)
    >>> ours = ParallelTemperingSampler().sample(bqm, num_reads=4, num_sweeps=500, seed=1)
    >>> bool(ours.first.energy == dimod.ExactSolver().sample(bqm).first.energy)
    True
    """

    parameters = {"num_reads": [], "num_sweeps": [], "num_replicas": [], "beta_range": [], "swap_every": [],
                  "seed": [], "proposal_acceptance_criteria": []}
    properties = {}

    def sample(self, bqm, num_reads=None, num_sweeps=1000, num_replicas=16, beta_range=None, swap_every=1, seed=None,
               proposal_acceptance_criteria="Metropolis", initial_states=None, **kwargs):
        """Run ``num_reads`` ladders of ``num_replicas`` betas for ``num_sweeps`` sweeps.

        Parameters
        ----------
        bqm : dimod.BinaryQuadraticModel
        num_reads : int, optional
            Independent ladders (default 1).
        num_sweeps : int
            Sweeps of every chain.
        num_replicas : int
            Betas in each ladder (>= 2).
        beta_range : (float, float), optional
            Hottest and coldest beta (default as :class:`SimulatedAnnealingSampler`).
        swap_every : int
            Sweeps between swap rounds.
        seed : int, optional
        proposal_acceptance_criteria : {"Metropolis", "Gibbs"}
        initial_states : None
            Not supported (a ValueError otherwise).
        **kwargs
            Refused with a clear error.

        Returns
        -------
        sampleset : dimod.SampleSet
            The coldest chain of each ladder; ``info`` holds the betas and each
            neighbour pair's swap acceptance.

        Examples
        --------
        >>> import dimod
        >>> from boltzmann.ocean import ParallelTemperingSampler
        >>> s = ParallelTemperingSampler().sample_ising({}, {(0, 1): -1.0}, num_reads=2, seed=1)
        >>> sorted(s.record.energy.tolist())
        [-1.0, -1.0]
        """
        _checked(kwargs, initial_states)
        if proposal_acceptance_criteria not in _CRITERIA:
            raise ValueError(f'proposal_acceptance_criteria must be "Metropolis" or "Gibbs", '
                             f'got {proposal_acceptance_criteria!r}')
        num_reads = 1 if num_reads is None else int(num_reads)
        if num_reads < 1 or int(num_sweeps) < 1 or int(num_replicas) < 2:
            raise ValueError("num_reads and num_sweeps must be >= 1 and num_replicas >= 2")
        if bqm.num_variables == 0:
            return dimod.SampleSet.from_samples(([], []), bqm.vartype, energy=[])
        model, labels, offset = ising_model(bqm)
        with model:
            hot, cold = anneal_beta_range(model) if beta_range is None else map(float, beta_range)
            betas = _schedule("geometric", hot, cold, int(num_replicas))
            with ParallelTempering(model, betas, algorithm=_CRITERIA[proposal_acceptance_criteria], replicas=num_reads,
                                   seed=_seed(seed)) as pt:
                result = pt.run(int(num_sweeps), swap_every=int(swap_every), progress=False)
                spins = pt.spins[:, -1, :]
        info = {"betas": betas, "swap_acceptance": result.swap_acceptance}
        return _sampleset(spins, labels, bqm, info)


class PBitSampler(dimod.Sampler):
    """A p-bit machine on the engine as a dimod sampler: Boltzmann samples of the BQM at
    inverse temperature ``beta`` (P(s) ~ exp(-beta E(s))). Each read is an independent
    chain of ``num_sweeps`` sweeps of p-bit updates, s_i = sgn(tanh(beta I_i) - u),
    u ~ U(-1, 1) (heat-bath), all spins of one colour class of the coupling graph at once
    as p-bit hardware updates them.

    Examples
    --------
    >>> from boltzmann.ocean import PBitSampler
    >>> s = PBitSampler().sample_ising({"a": -1.0}, {}, num_reads=4000, beta=0.5, seed=1)
    >>> bool(abs(s.record.sample.mean() - 0.4621) < 0.05)  # <s> = tanh(beta h)
    True
    """

    parameters = {"num_reads": [], "num_sweeps": [], "beta": [], "seed": []}
    properties = {}

    def sample(self, bqm, num_reads=None, num_sweeps=1000, beta=1.0, seed=None, initial_states=None, **kwargs):
        """Draw ``num_reads`` samples at ``beta``, each after ``num_sweeps`` sweeps.

        Parameters
        ----------
        bqm : dimod.BinaryQuadraticModel
        num_reads : int, optional
            Independent chains (default 1).
        num_sweeps : int
            Sweeps of each chain before its state is read.
        beta : float
            Inverse temperature, in the BQM's energy units.
        seed : int, optional
        initial_states : None
            Not supported (a ValueError otherwise).
        **kwargs
            Refused with a clear error.

        Returns
        -------
        sampleset : dimod.SampleSet

        Examples
        --------
        >>> from boltzmann.ocean import PBitSampler
        >>> len(PBitSampler().sample_qubo({(0, 1): 1.0}, num_reads=3, seed=2))
        3
        """
        _checked(kwargs, initial_states)
        num_reads = 1 if num_reads is None else int(num_reads)
        if num_reads < 1 or int(num_sweeps) < 1:
            raise ValueError("num_reads and num_sweeps must be >= 1")
        if bqm.num_variables == 0:
            return dimod.SampleSet.from_samples(([], []), bqm.vartype, energy=[])
        model, labels, offset = ising_model(bqm)
        with model, MonteCarlo(model, float(beta), "heat_bath", order="colored", chains=num_reads,
                               seed=_seed(seed)) as chains:
            spins = chains.sample(1, every=int(num_sweeps), progress=False)[:, 0]
        return _sampleset(spins, labels, bqm, {"beta": float(beta)})


class ExactSolver(dimod.Sampler):
    """Every state of a small BQM with its energy, as ``dimod.ExactSolver``, with the
    energies computed by the engine (2^N states, N <= 24).

    Examples
    --------
    >>> from boltzmann.ocean import ExactSolver
    >>> s = ExactSolver().sample_ising({"a": 1.0}, {("a", "b"): -1.0})
    >>> len(s), float(s.first.energy)
    (4, -2.0)
    """

    parameters = {}
    properties = {}

    #: The most variables it enumerates (2^24 states, 400 MB of samples).
    max_variables = 24

    def sample(self, bqm, **kwargs):
        """All 2^N states of ``bqm``.

        Parameters
        ----------
        bqm : dimod.BinaryQuadraticModel
        **kwargs
            Refused with a clear error.

        Returns
        -------
        sampleset : dimod.SampleSet
            One row per state, in binary counting order of the labels (first label most
            significant), with its energy.

        Examples
        --------
        >>> import dimod
        >>> from boltzmann.ocean import ExactSolver
        >>> bqm = dimod.BinaryQuadraticModel.from_qubo({(0, 1): -1.0})
        >>> ExactSolver().sample(bqm).record.energy.tolist()
        [0.0, 0.0, 0.0, -1.0]
        """
        _checked(kwargs)
        n = bqm.num_variables
        if n > self.max_variables:
            raise ValueError(f"{n} variables is more than the {self.max_variables} ExactSolver enumerates")
        if n == 0:
            return dimod.SampleSet.from_samples(([], []), bqm.vartype, energy=[])
        model, labels, offset = ising_model(bqm)
        variables = list(bqm.variables)
        bits = (np.arange(2**n, dtype=np.int64)[:, None] >> np.arange(n - 1, -1, -1)) & 1
        spins = np.ascontiguousarray(2 * bits[:, [variables.index(v) for v in labels]] - 1, dtype=np.int8)
        with model:
            energies = model.energy(spins) + offset
        samples = spins if bqm.vartype is dimod.SPIN else (spins + 1) // 2
        return dimod.SampleSet.from_samples((samples, labels), bqm.vartype, energy=energies)
