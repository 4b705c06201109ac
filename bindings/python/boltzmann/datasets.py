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
    """Every ``side`` x ``side`` binary image whose rows or whose columns are all
    constant, once each (MacKay 2003): (2^(side+1) - 2, side^2) float32 in {0, 1}. A model
    that spreads its mass evenly over them has the best possible mean log-likelihood,
    -log(2^(side+1) - 2)."""
    rows = ctypes.c_int64()
    lib.bz_bars_and_stripes(int(side), ctypes.byref(rows), None, 0)
    out = np.empty((rows.value, int(side) ** 2), np.float32)
    lib.bz_bars_and_stripes(int(side), None, out.ctypes.data_as(f32p), rows.value)
    return out


def digits(binarize=True):
    """scikit-learn's bundled 8 x 8 digits (1797 images): (1797, 64) float32, pixels
    scaled to [0, 1], or with ``binarize`` thresholded at 0.5; and the labels. Needs
    scikit-learn."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise ImportError("bz.datasets.digits needs scikit-learn: pip install scikit-learn") from e
    bunch = load_digits()
    x = (bunch.data / 16.0).astype(np.float32)
    if binarize:
        x = (x > 0.5).astype(np.float32)
    return x, bunch.target


#: The 2D toy data sets by name and their ``BZ_TOY_*`` codes.
TOY_DATA = {"eight_gaussians": 0, "two_moons": 1, "swiss_roll": 2, "checkerboard": 3, "rings": 4}


def _toy(name, n, seed, scale):
    out = np.empty((int(n), 2), np.float32)
    lib.bz_toy_data(TOY_DATA[name], int(n), seed64(seed), -1.0 if scale is None else float(scale), out.ctypes.data_as(f32p))
    return out


def eight_gaussians(n, seed=0, std=0.1):
    """n points from eight equal Gaussians of standard deviation ``std`` at
    (2 cos(k pi/4), 2 sin(k pi/4)): (n, 2) float32."""
    return _toy("eight_gaussians", n, seed, std)


def two_moons(n, seed=0, noise=0.05):
    """n points on two interleaved half circles with Gaussian ``noise``."""
    return _toy("two_moons", n, seed, noise)


def swiss_roll(n, seed=0, noise=0.05):
    """n points on the spiral (t cos t, t sin t) / 5, t in [1.5 pi, 4.5 pi], with ``noise``."""
    return _toy("swiss_roll", n, seed, noise)


def checkerboard(n, seed=0):
    """n points uniform on the dark squares of a 4 x 4 checkerboard on [-2, 2]^2."""
    return _toy("checkerboard", n, seed, None)


def rings(n, seed=0, noise=0.02):
    """n points on four concentric circles of radii 0.5, 1, 1.5, 2 with ``noise``."""
    return _toy("rings", n, seed, noise)
