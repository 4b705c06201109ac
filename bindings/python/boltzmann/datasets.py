"""Small data sets for generative models: bars and stripes (exact optimum known) and
scikit-learn's bundled digits.

>>> import boltzmann as bz
>>> bz.datasets.bars_and_stripes(3).shape     # 2^4 - 2 images of 3 x 3 pixels
(14, 9)
"""

import ctypes

import numpy as np

from ._lib import f32p, lib

__all__ = ["bars_and_stripes", "digits"]


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
