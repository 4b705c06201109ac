"""Two-sample metrics for generated samples, computed in double precision. Read each
beside its floor: the same metric between two independent true samples of the same
sizes (``floor`` below).

>>> import numpy as np, boltzmann as bz
>>> rng = np.random.default_rng(0)
>>> x, y = rng.standard_normal((500, 2)), rng.standard_normal((500, 2)) + [1, 0]
>>> bool(bz.metrics.energy_distance(x, y) > 10 * abs(bz.metrics.energy_distance(x, rng.standard_normal((500, 2)))))
True
"""

import numpy as np

from ._arrays import seed64
from ._lib import f32p, f64p, lib
from ._progress import interruptible
from .errors import ShapeError

__all__ = ["energy_distance", "mmd", "sliced_wasserstein", "mode_coverage", "floor"]


def _pair(x, y):
    a, b = np.asarray(x), np.asarray(y)
    a = a.reshape(-1, 1) if a.ndim == 1 else a
    b = b.reshape(-1, 1) if b.ndim == 1 else b
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ShapeError(f"x and y must be (n, d) and (m, d) with the same d, got {np.shape(x)} and {np.shape(y)}")
    return np.ascontiguousarray(a, dtype=np.float32), np.ascontiguousarray(b, dtype=np.float32)


def energy_distance(x, y):
    """Squared energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| between two samples.

    The within-sample terms are unbiased, so it is about 0 for samples of one
    distribution (give or take the two-sample floor, :func:`floor`) and > 0 otherwise
    (Székely & Rizzo 2013). O(nm d) work, threaded.

    Parameters
    ----------
    x : array_like, shape (n, d) or (n,)
        Samples of one distribution.
    y : array_like, shape (m, d) or (m,)
        Samples of the other.

    Returns
    -------
    distance : float

    Examples
    --------
    >>> import boltzmann as bz
    >>> a, b = bz.datasets.eight_gaussians(2000, seed=1), bz.datasets.eight_gaussians(2000, seed=2)
    >>> bool(abs(bz.metrics.energy_distance(a, b)) < 5e-3), bool(bz.metrics.energy_distance(a, 2 * b) > 0.5)
    (True, True)
    """
    a, b = _pair(x, y)
    out = np.empty(1)
    interruptible(lib.bz_energy_distance, a.ctypes.data_as(f32p), a.shape[0], b.ctypes.data_as(f32p), b.shape[0],
                  a.shape[1], out.ctypes.data_as(f64p))
    return float(out[0])


def mmd(x, y, bandwidths=(0.1, 0.2, 0.5, 1.0, 2.0)):
    """Unbiased squared maximum mean discrepancy with a sum of Gaussian kernels.

    The kernel is sum_h exp(-``|u - v|^2`` / (2 h^2)) over ``bandwidths`` (Gretton et al. 2012).

    Parameters
    ----------
    x : array_like, shape (n, d) or (n,)
        Samples of one distribution.
    y : array_like, shape (m, d) or (m,)
        Samples of the other.
    bandwidths : sequence of float
        The kernels' widths h.

    Returns
    -------
    mmd2 : float

    Examples
    --------
    >>> import boltzmann as bz
    >>> a, b = bz.datasets.two_moons(1000, seed=1), bz.datasets.two_moons(1000, seed=2)
    >>> bool(abs(bz.metrics.mmd(a, b)) < 0.01), bool(bz.metrics.mmd(a, b + 1.0) > 0.1)
    (True, True)
    """
    a, b = _pair(x, y)
    h = np.ascontiguousarray(np.atleast_1d(bandwidths), dtype=np.float64)
    out = np.empty(1)
    interruptible(lib.bz_mmd, a.ctypes.data_as(f32p), a.shape[0], b.ctypes.data_as(f32p), b.shape[0], a.shape[1],
                  h.ctypes.data_as(f64p), h.size, out.ctypes.data_as(f64p))
    return float(out[0])


def sliced_wasserstein(x, y, projections=100, seed=0):
    """Sliced 2-Wasserstein distance over random directions.

    The root mean over ``projections`` directions of the squared 1D Wasserstein-2
    distance between the projected samples.

    Parameters
    ----------
    x : array_like, shape (n, d) or (n,)
        Samples of one distribution.
    y : array_like, shape (m, d) or (m,)
        Samples of the other.
    projections : int
        Random directions (seeded).
    seed : int

    Returns
    -------
    distance : float

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> a = bz.datasets.eight_gaussians(2000, seed=1)
    >>> round(bz.metrics.sliced_wasserstein(a, a + np.float32(0.5), projections=200), 2)  # E[(0.5 (cos + sin))^2] = 0.25
    0.5
    """
    a, b = _pair(x, y)
    out = np.empty(1)
    interruptible(lib.bz_sliced_wasserstein, a.ctypes.data_as(f32p), a.shape[0], b.ctypes.data_as(f32p), b.shape[0],
                  a.shape[1], int(projections), seed64(seed), out.ctypes.data_as(f64p))
    return float(out[0])


def mode_coverage(samples, means, stds):
    """How many samples fall near a mode, overall and per mode.

    A sample covers a mode when it lies within 3 standard deviations of its mean.

    Parameters
    ----------
    samples : array_like, shape (n, d)
    means : array_like, shape (K, d)
        The modes (isotropic).
    stds : float or array_like, shape (K,)
        Their standard deviations.

    Returns
    -------
    covered : float
        The fraction of samples within 3 standard deviations of some mode.
    per_mode : ndarray, shape (K,)
        The fraction of samples at each mode.

    Examples
    --------
    >>> import boltzmann as bz
    >>> means = bz.diffusion.GaussianMixtureScore.eight_gaussians().means
    >>> covered, per_mode = bz.metrics.mode_coverage(bz.datasets.eight_gaussians(8000, seed=1), means, 0.1)
    >>> round(covered, 3), per_mode.round(1).tolist() == [0.1] * 8  # 1 - exp(-9/2) in 2D
    (0.989, True)
    """
    s = np.asarray(samples)
    s = np.ascontiguousarray(s.reshape(-1, 1) if s.ndim == 1 else s, dtype=np.float32)
    mu = np.ascontiguousarray(np.atleast_2d(means), dtype=np.float64)
    sd = np.ascontiguousarray(np.broadcast_to(np.asarray(stds, np.float64), (mu.shape[0],)))
    if mu.shape[1] != s.shape[1]:
        raise ShapeError(f"means must have {s.shape[1]} columns like the samples, got {mu.shape}")
    covered, weights = np.empty(1), np.empty(mu.shape[0])
    lib.bz_mode_coverage(s.ctypes.data_as(f32p), s.shape[0], s.shape[1], mu.ctypes.data_as(f64p),
                         sd.ctypes.data_as(f64p), mu.shape[0], covered.ctypes.data_as(f64p), weights.ctypes.data_as(f64p))
    return float(covered[0]), weights


def floor(metric, draw, n, seed=0, **kwargs):
    """The metric between two independent draws of the true distribution.

    What a perfect sampler scores at this n: compare a sampler's metric with it.

    Parameters
    ----------
    metric : callable
        ``metric(x, y, **kwargs)``, e.g. :func:`energy_distance`.
    draw : callable
        ``draw(n, seed)``: n samples of the true distribution.
    n : int
        Samples per draw.
    seed : int
        The draws use ``seed`` and ``seed + 1``.
    **kwargs
        Passed to ``metric``.

    Returns
    -------
    value : float

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.metrics.floor(bz.metrics.energy_distance, bz.datasets.eight_gaussians, 2000) < 5e-3
    True
    """
    return metric(draw(n, seed), draw(n, seed + 1), **kwargs)
