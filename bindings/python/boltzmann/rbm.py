"""Restricted Boltzmann machines, scikit-learn style, with honest log-likelihoods.

>>> import numpy as np, boltzmann as bz
>>> rng = np.random.default_rng(0)
>>> X = (rng.random((200, 8)) < 0.3).astype(np.float32)
>>> rbm = bz.RBM(8, 6, seed=1).fit(X, epochs=20, k=1)
>>> rbm.transform(X).shape
(200, 6)
>>> bool(rbm.log_likelihood(X).value > -8 * np.log(2))   # exact: log Z by enumerating 2^6 states
True
"""

import ctypes
from dataclasses import dataclass

import numpy as np

from ._arrays import f64
from ._handles import HandleOwner
from ._lib import f32p, lib, rbm_p
from ._progress import Progress
from .errors import InvalidArgument, ShapeError

__all__ = ["RBM", "LogEstimate"]


@dataclass(frozen=True)
class LogEstimate:
    """A log-scale estimate ``value ± stderr`` (log Z or a mean log-likelihood); exact
    ones have ``stderr`` 0. ``ess``: AIS's effective sample size."""

    value: float
    stderr: float = 0.0
    ess: float = float("nan")

    def __float__(self):
        return self.value

    def __str__(self):
        return f"{self.value:.6g} ± {self.stderr:.2g}"


def _rows(X, width, name):
    """A C-contiguous float32 (rows, width) array (a copy only when needed)."""
    a = np.ascontiguousarray(X, dtype=np.float32)
    if a.ndim == 1:
        a = a.reshape(1, -1)
    if a.ndim != 2 or a.shape[1] != width:
        raise ShapeError(f"{name} must have shape (n, {width}), got {np.shape(X)}")
    return a


def _f32(a):
    return a.ctypes.data_as(f32p)


class RBM(HandleOwner):
    """A Bernoulli-Bernoulli RBM: E(v, h) = -b.v - c.h - v^T W h, float32 parameters.

    Parameters
    ----------
    n_visible, n_hidden : int
    seed : int
        Seeds the initial weights, Normal(0, 0.01^2); biases start at 0.
    """

    _free_handle = staticmethod(lambda handle: lib.bz_rbm_free(handle))

    def __init__(self, n_visible, n_hidden, seed=0):
        handle = rbm_p()
        lib.bz_rbm_create(int(n_visible), int(n_hidden), int(seed) & (2**64 - 1), ctypes.byref(handle))
        self._own(handle)
        self.n_visible, self.n_hidden = int(n_visible), int(n_hidden)
        self.errors_ = np.empty(0)

    # -- parameters (numpy copies)
    def _parameters(self):
        w = np.empty((self.n_visible, self.n_hidden), np.float32)
        b, c = np.empty(self.n_visible, np.float32), np.empty(self.n_hidden, np.float32)
        lib.bz_rbm_parameters(self._h, _f32(w), _f32(b), _f32(c), self.n_visible, self.n_hidden)
        return w, b, c

    @property
    def weights_(self):
        return self._parameters()[0]

    @property
    def visible_bias_(self):
        return self._parameters()[1]

    @property
    def hidden_bias_(self):
        return self._parameters()[2]

    def set_parameters(self, weights=None, visible_bias=None, hidden_bias=None):
        """Replace any of W (n_visible, n_hidden), b, c; the rest stay."""
        w, b, c = self._parameters()
        w = _rows(w if weights is None else weights, self.n_hidden, "weights")
        b = _rows(b if visible_bias is None else visible_bias, self.n_visible, "visible_bias")
        c = _rows(c if hidden_bias is None else hidden_bias, self.n_hidden, "hidden_bias")
        if w.shape[0] != self.n_visible or b.shape[0] != 1 or c.shape[0] != 1:
            raise ShapeError("weights must be (n_visible, n_hidden), the biases vectors")
        lib.bz_rbm_set_parameters(self._h, _f32(w), _f32(b), _f32(c), self.n_visible, self.n_hidden)
        return self

    # -- training
    def fit(self, X, epochs=10, batch_size=10, learning_rate=0.05, k=1, persistent=0, momentum=0.5,
            weight_decay=0.0, seed=0, progress=None):
        """Train with CD-k (``persistent=0``) or PCD-k with ``persistent`` fantasy chains.
        Each epoch's reconstruction error goes to ``errors_``. Returns self."""
        data = _rows(X, self.n_visible, "X")
        errors = np.empty(max(int(epochs), 1))
        Progress(progress, unit="epochs").run(
            lib.bz_rbm_fit, self._h, _f32(data), data.shape[0], int(epochs), int(batch_size), float(learning_rate),
            int(k), int(persistent), float(momentum), float(weight_decay), int(seed) & (2**64 - 1), f64(errors))
        self.errors_ = errors[:int(epochs)]
        return self

    # -- inference
    def transform(self, X):
        """p(h = 1 | v) for each row: (n, n_hidden) float32."""
        v = _rows(X, self.n_visible, "X")
        out = np.empty((v.shape[0], self.n_hidden), np.float32)
        lib.bz_rbm_hidden_probabilities(self._h, _f32(v), v.shape[0], _f32(out))
        return out

    def visible_probabilities(self, H):
        """p(v = 1 | h) for each row of hidden values: (n, n_visible) float32."""
        h = _rows(H, self.n_hidden, "H")
        out = np.empty((h.shape[0], self.n_visible), np.float32)
        lib.bz_rbm_visible_probabilities(self._h, _f32(h), h.shape[0], _f32(out))
        return out

    def reconstruct(self, X):
        """p(v | p(h | v)): the mean-field reconstruction of each row."""
        return self.visible_probabilities(self.transform(X))

    def free_energy(self, X):
        """F(v) for each row (float64)."""
        v = _rows(X, self.n_visible, "X")
        out = np.empty(v.shape[0])
        lib.bz_rbm_free_energy(self._h, _f32(v), v.shape[0], f64(out))
        return out

    def log_partition(self, method="exact", runs=100, betas=None, base=None, seed=0, progress=None):
        """log Z as a :class:`LogEstimate`: "exact" enumerates the smaller layer (at most
        32 units); "ais" runs Annealed Importance Sampling with ``runs`` chains over
        ``betas`` (default: Salakhutdinov & Murray's 14,501) from a base model with
        visible biases ``base`` (default: uniform; ``"data"`` is not accepted here, pass
        logits of the data's marginals)."""
        if method == "exact":
            out = ctypes.c_double()
            Progress(progress, unit="states").run(lib.bz_rbm_log_partition_exact, self._h, ctypes.byref(out))
            return LogEstimate(out.value)
        if method != "ais":
            raise InvalidArgument(f"method must be 'exact' or 'ais', got {method!r}")
        schedule = None if betas is None else np.ascontiguousarray(betas, np.float64)
        start = None if base is None else _rows(base, self.n_visible, "base")
        value, stderr, ess = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        Progress(progress, unit="betas").run(
            lib.bz_rbm_log_partition_ais, self._h, int(runs), f64(schedule), 0 if schedule is None else schedule.size,
            None if start is None else _f32(start), int(seed) & (2**64 - 1), ctypes.byref(value), ctypes.byref(stderr),
            ctypes.byref(ess))
        return LogEstimate(value.value, stderr.value, ess.value)

    def log_likelihood(self, X, method="exact", **options):
        """The mean log-likelihood of the rows, -mean F(v) - log Z, as a :class:`LogEstimate`
        carrying log Z's error (``method``, ``options``: as :meth:`log_partition`)."""
        z = self.log_partition(method, **options)
        return LogEstimate(float(-self.free_energy(X).mean() - z.value), z.stderr, z.ess)

    def interrupt(self):
        """Stop a fit or log Z in progress (from another thread)."""
        lib.bz_interrupt(ctypes.cast(self._h, ctypes.c_void_p))

    def __repr__(self):
        return f"RBM(n_visible={self.n_visible}, n_hidden={self.n_hidden})"
