"""Sweeps beyond one process: a grid of runs on a Dask cluster, on joblib's loky
workers, or here.

A sweep is a function of keyword arguments (temperature, size, disorder seed, ...) run
at every point of a grid. :func:`sweep` sends the points to the workers and returns the
results in grid order. Each worker bounds the engine's threads by what it was given:
a Dask worker by its ``nthreads`` (the cores its scheduler counts it for), a loky worker
by the machine's cores over ``n_jobs``, so runs never oversubscribe the cores. The
engine's results do not depend on its thread count, so a sweep gives the same bits
wherever it runs: give every point its seed.

Dask (``pip install "dask[distributed]"``) is imported only when a client is used;
joblib is a scikit-learn dependency.

>>> import boltzmann as bz
>>> from boltzmann.distributed import grid, sweep
>>> def energy(size, beta, seed):
...     model = bz.IsingModel.edwards_anderson((size, size), seed=seed)
...     return bz.MonteCarlo(model, beta, seed=seed).run(200, burn_in=50).energy.mean
>>> points = grid(size=[4, 6], beta=[0.5, 1.0], seed=[1, 2])
>>> len(points), points[1]
(8, {'size': 4, 'beta': 0.5, 'seed': 2})
>>> results = sweep(energy, points, client="serial")
>>> results == sweep(energy, points, client="serial")
True
"""

import itertools
import os

__all__ = ["grid", "sweep"]


def grid(**axes):
    """Every combination of the axes' values, the last axis varying fastest.

    Parameters
    ----------
    **axes : iterables
        ``name=values`` for each argument of the swept function.

    Returns
    -------
    points : list of dict
        One ``{name: value}`` per point, in order.

    Examples
    --------
    >>> from boltzmann.distributed import grid
    >>> grid(L=[8, 16], seed=range(2))
    [{'L': 8, 'seed': 0}, {'L': 8, 'seed': 1}, {'L': 16, 'seed': 0}, {'L': 16, 'seed': 1}]
    """
    names = list(axes)
    return [dict(zip(names, values)) for values in itertools.product(*(list(axes[n]) for n in names))]


def sweep(fn, points, client=None, n_jobs=None, progress=None):
    """``fn(**point)`` at every point, on a Dask cluster, loky workers or here.

    Parameters
    ----------
    fn : callable
        A function of keyword arguments, picklable by cloudpickle (lambdas and local
        functions are); its result must pickle too.
    points : mapping or iterable of dict
        The points: a list of ``{name: value}`` (see :func:`grid`), or a mapping of axes
        that :func:`grid` expands.
    client : dask.distributed.Client, "loky", "serial" or None
        Where to run. None: the Dask client this process has (``Client(...)`` made last),
        else here, in order. A Dask client runs one task per point, named
        ``boltzmann-sweep-<fn>`` on the dashboard; "loky" runs ``n_jobs`` joblib worker
        processes.
    n_jobs : int, optional
        loky's workers (default: the usable cores).
    progress : bool, optional
        A bar counting finished points (default: for Dask and loky sweeps of more than
        one point).

    Returns
    -------
    results : list
        ``fn``'s results in the order of the points.

    Examples
    --------
    >>> from boltzmann.distributed import sweep
    >>> sweep(lambda a, b: a * b, {"a": [1, 2], "b": [10, 20]}, client="serial")
    [10, 20, 20, 40]
    """
    points = grid(**points) if hasattr(points, "keys") else [dict(p) for p in points]
    if client is None:
        client = _current_dask_client() or "serial"
    show = len(points) > 1 and client != "serial" if progress is None else bool(progress)
    if client == "serial":
        return [fn(**point) for point in _bar(points, show, "points")]
    if client == "loky":
        return _loky(fn, points, n_jobs, show)
    return _dask(client, fn, points, show)


def _bar(items, show, unit, total=None):
    from tqdm.auto import tqdm
    return tqdm(items, total=total, disable=not show, unit=f" {unit}", desc="boltzmann sweep", leave=False)


def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _run_with_threads(fn, point, threads):
    """``fn(**point)`` with the engine bounded to ``threads`` (per process; the engine's
    results do not depend on it)."""
    from . import set_num_threads
    set_num_threads(max(1, int(threads)))
    return fn(**point)


def _run_on_dask_worker(fn, point):
    """``fn(**point)`` on a Dask worker, the engine bounded by the worker's ``nthreads``:
    its tasks share those threads (a busy engine pool runs a task on its own thread)."""
    from distributed import get_worker
    return _run_with_threads(fn, point, get_worker().state.nthreads)


def _current_dask_client():
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:  # no client in this process
        return None


def _dask(client, fn, points, show):
    from distributed import as_completed
    name = getattr(fn, "__name__", "fn").replace("<", "").replace(">", "")
    futures = [client.submit(_run_on_dask_worker, fn, point, key=f"boltzmann-sweep-{name}-{k}-{client.id}-{id(points)}",
                             pure=False) for k, point in enumerate(points)]
    try:
        for _ in _bar(as_completed(futures), show, "points", total=len(futures)):
            pass
        return client.gather(futures)
    finally:
        for future in futures:
            future.release()


def _loky(fn, points, n_jobs, show):
    from joblib import Parallel, delayed
    jobs = max(1, min(int(n_jobs or _usable_cores()), len(points)))
    threads = max(1, _usable_cores() // jobs)
    run = Parallel(n_jobs=jobs, backend="loky", return_as="generator")
    results = run(delayed(_run_with_threads)(fn, point, threads) for point in points)
    return list(_bar(results, show, "points", total=len(points)))
