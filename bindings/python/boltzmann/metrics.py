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
    """Squared energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| (unbiased within-sample
    terms: about 0 for equal distributions, > 0 otherwise)."""
    a, b = _pair(x, y)
    out = np.empty(1)
    interruptible(lib.bz_energy_distance, a.ctypes.data_as(f32p), a.shape[0], b.ctypes.data_as(f32p), b.shape[0],
                  a.shape[1], out.ctypes.data_as(f64p))
    return float(out[0])


def mmd(x, y, bandwidths=(0.1, 0.2, 0.5, 1.0, 2.0)):
    """Unbiased squared MMD with the kernel sum_h exp(-|u - v|^2 / (2 h^2)) over ``bandwidths``."""
    a, b = _pair(x, y)
    h = np.ascontiguousarray(np.atleast_1d(bandwidths), dtype=np.float64)
    out = np.empty(1)
    interruptible(lib.bz_mmd, a.ctypes.data_as(f32p), a.shape[0], b.ctypes.data_as(f32p), b.shape[0], a.shape[1],
                  h.ctypes.data_as(f64p), h.size, out.ctypes.data_as(f64p))
    return float(out[0])


def sliced_wasserstein(x, y, projections=100, seed=0):
    """Sliced 2-Wasserstein distance over ``projections`` random directions (seeded)."""
    a, b = _pair(x, y)
    out = np.empty(1)
    interruptible(lib.bz_sliced_wasserstein, a.ctypes.data_as(f32p), a.shape[0], b.ctypes.data_as(f32p), b.shape[0],
                  a.shape[1], int(projections), seed64(seed), out.ctypes.data_as(f64p))
    return float(out[0])


def mode_coverage(samples, means, stds):
    """(fraction of samples within 3 standard deviations of a mode, per-mode fractions)
    for isotropic modes ``means`` (K, d) with standard deviations ``stds`` (K,)."""
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
    """The metric between two independent draws ``draw(n, seed)`` and ``draw(n, seed + 1)``
    of the true distribution: what a perfect sampler scores at this n."""
    return metric(draw(n, seed), draw(n, seed + 1), **kwargs)
