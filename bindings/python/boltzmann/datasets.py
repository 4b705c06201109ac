"""Small data sets for generative models: bars and stripes (exact optimum known),
scikit-learn's bundled digits, and 2D toy distributions for diffusion (eight Gaussians,
two moons, swiss roll, checkerboard, rings; row r from stream (seed, r)).

>>> import boltzmann as bz
>>> bz.datasets.bars_and_stripes(3).shape     # 2^4 - 2 images of 3 x 3 pixels
(14, 9)
"""

import ctypes

import numpy as np

from ._arrays import seed64
from ._lib import f32p, lib

__all__ = ["bars_and_stripes", "digits", "eight_gaussians", "two_moons", "swiss_roll", "checkerboard", "rings"]


def bars_and_stripes(side):
    """Every ``side`` x ``side`` binary image whose rows or whose columns are all constant, once each.

    A model that spreads its mass evenly over them has the best possible mean
    log-likelihood, -log(2^(side+1) - 2) (MacKay 2003).

    Parameters
    ----------
    side : int
        Image side (>= 2).

    Returns
    -------
    images : ndarray of float32, shape (2^(side+1) - 2, side^2)
        Pixels in {0, 1}, row-major.

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.datasets.bars_and_stripes(3).shape
    (14, 9)
    """
    rows = ctypes.c_int64()
    lib.bz_bars_and_stripes(int(side), ctypes.byref(rows), None, 0)
    out = np.empty((rows.value, int(side) ** 2), np.float32)
    lib.bz_bars_and_stripes(int(side), None, out.ctypes.data_as(f32p), rows.value)
    return out


def digits(binarize=True, signed=False):
    """scikit-learn's bundled 8 x 8 handwritten digits (1797 images, 17 grey levels). Needs scikit-learn.

    The default (0/1 pixels) suits RBMs and Hopfield networks; diffusion models want
    ``digits(binarize=False, signed=True)``, the grey levels scaled to [-1, 1].

    Parameters
    ----------
    binarize : bool
        Threshold the pixels at half their range.
    signed : bool
        Scale to [-1, 1] (binarized: -1/+1) instead of [0, 1] (0/1).

    Returns
    -------
    images : ndarray of float32, shape (1797, 64)
        Pixels v / 16 in [0, 1], or 2 v / 16 - 1 in [-1, 1] when ``signed``.
    labels : ndarray of int, shape (1797,)

    Examples
    --------
    >>> import boltzmann as bz
    >>> X, y = bz.datasets.digits()
    >>> X.shape, sorted(set(X.ravel().tolist())), int(y.max())
    ((1797, 64), [0.0, 1.0], 9)
    >>> X, y = bz.datasets.digits(binarize=False, signed=True)
    >>> float(X.min()), float(X.max()), len(set(X.ravel().tolist()))
    (-1.0, 1.0, 17)
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise ImportError("bz.datasets.digits needs scikit-learn: pip install scikit-learn") from e
    bunch = load_digits()
    x = (bunch.data / 16.0).astype(np.float32)
    if binarize:
        x = (x > 0.5).astype(np.float32)
    if signed:
        x = 2 * x - 1
    return x, bunch.target


#: The 2D toy data sets by name and their ``BZ_TOY_*`` codes.
TOY_DATA = {"eight_gaussians": 0, "two_moons": 1, "swiss_roll": 2, "checkerboard": 3, "rings": 4}


def _toy(name, n, seed, scale):
    out = np.empty((int(n), 2), np.float32)
    lib.bz_toy_data(TOY_DATA[name], int(n), seed64(seed), -1.0 if scale is None else float(scale), out.ctypes.data_as(f32p))
    return out


def eight_gaussians(n, seed=0, std=0.1):
    """Points from eight equal Gaussians on the circle of radius 2.

    The means are (2 cos(k pi/4), 2 sin(k pi/4)), k = 0 .. 7.

    Parameters
    ----------
    n : int
        Points.
    seed : int
    std : float
        Each Gaussian's standard deviation.

    Returns
    -------
    points : ndarray of float32, shape (n, 2)

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> x = bz.datasets.eight_gaussians(10000, seed=1)
    >>> round(float(np.hypot(x[:, 0], x[:, 1]).mean()), 1)
    2.0
    """
    return _toy("eight_gaussians", n, seed, std)


def two_moons(n, seed=0, noise=0.05):
    """Points on two interleaved half circles, with Gaussian noise.

    Parameters
    ----------
    n : int
        Points.
    seed : int
    noise : float
        The noise's standard deviation.

    Returns
    -------
    points : ndarray of float32, shape (n, 2)

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.datasets.two_moons(100, seed=1).shape
    (100, 2)
    """
    return _toy("two_moons", n, seed, noise)


def swiss_roll(n, seed=0, noise=0.05):
    """Points on the spiral (t cos t, t sin t) / 5, t in [1.5 pi, 4.5 pi], with noise.

    Parameters
    ----------
    n : int
        Points.
    seed : int
    noise : float
        The noise's standard deviation.

    Returns
    -------
    points : ndarray of float32, shape (n, 2)

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> r = np.hypot(*bz.datasets.swiss_roll(1000, seed=1, noise=0.0).T)
    >>> bool(1.5 * np.pi / 5 - 1e-5 <= r.min() and r.max() <= 4.5 * np.pi / 5 + 1e-5)
    True
    """
    return _toy("swiss_roll", n, seed, noise)


def checkerboard(n, seed=0):
    """Points uniform on the dark squares of a 4 x 4 checkerboard on [-2, 2]^2.

    Parameters
    ----------
    n : int
        Points.
    seed : int

    Returns
    -------
    points : ndarray of float32, shape (n, 2)

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> x = bz.datasets.checkerboard(1000, seed=1)
    >>> bool(np.abs(x).max() <= 2)
    True
    """
    return _toy("checkerboard", n, seed, None)


def rings(n, seed=0, noise=0.02):
    """Points on four concentric circles of radii 0.5, 1, 1.5 and 2, with noise.

    Parameters
    ----------
    n : int
        Points.
    seed : int
    noise : float
        The noise's standard deviation.

    Returns
    -------
    points : ndarray of float32, shape (n, 2)

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> r = np.hypot(*bz.datasets.rings(1000, seed=1, noise=0.0).T)
    >>> sorted(set(np.round(r, 3).tolist()))
    [0.5, 1.0, 1.5, 2.0]
    """
    return _toy("rings", n, seed, noise)
