"""Restricted Boltzmann machines, scikit-learn style, with honest log-likelihoods,
and fully visible Boltzmann machines.

>>> import numpy as np, boltzmann as bz
>>> X = bz.datasets.bars_and_stripes(3)          # 14 images, 9 pixels; optimum -ln 14
>>> rbm = bz.RBM(9, 16, seed=1).fit(np.tile(X, (10, 1)), epochs=300, k=5, batch_size=14,
...                                  learning_rate=0.1, final_learning_rate=0.0)
>>> rbm.transform(X).shape
(14, 16)
>>> bool(rbm.log_likelihood(X).value > -np.log(14) - 0.5)   # exact: log Z over 2^9 states
True
"""

import ctypes
import functools
from dataclasses import dataclass

import numpy as np

from ._display import Result
from ._arrays import code, f64, fields, options, outputs, rows, seed64
from ._handles import HandleOwner, Persistent
from ._lib import bz_rbm_train_options, f32p, i8p, lib
from ._progress import Progress
from .errors import InvalidArgument, ShapeError

__all__ = ["RBM", "LogEstimate", "BoltzmannMachine", "base_rates"]

_UNITS = {"bernoulli": 0, "gaussian": 1}
_METRICS = {None: 0, "none": 0, "reconstruction": 1, "pseudo_log_likelihood": 2}
#: Python names of bz_rbm_train_options fields that differ from the header's.
_RENAMED = {"persistent": "persistent_chains"}


@dataclass(frozen=True, repr=False)
class LogEstimate(Result):
    """A log-scale estimate ``value ± stderr``: log Z or a mean log-likelihood.

    Attributes
    ----------
    value : float
    stderr : float
        One standard error (0 for exact values).
    ess : float
        AIS's effective sample size (NaN for exact values).

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> rbm = bz.RBM(6, 3, seed=1)
    >>> exact, ais = rbm.log_partition(), rbm.log_partition("ais", runs=100, seed=2)
    >>> exact.stderr, bool(abs(ais.value - exact.value) < 4 * ais.stderr + 1e-3)
    (0.0, True)
    """

    value: float
    stderr: float = 0.0
    ess: float = float("nan")

    def __float__(self):
        return self.value

    def __str__(self):
        return f"{self.value:.6g} ± {self.stderr:.2g}"


def _rows(X, width, name):
    """A C-contiguous float32 (n, width) array (a copy only when needed)."""
    return rows(X, width, name)[0]


def _f32(a):
    return a.ctypes.data_as(f32p)


class RBM(Persistent, HandleOwner):
    """A restricted Boltzmann machine with float32 parameters W (n_visible, n_hidden), b, c.

    E(v, h) = -b.v - c.h - v^T W h for ``visible="bernoulli"`` (inputs in [0, 1]), or
    ``|v - b|^2 / 2 - c.h - v^T W h`` for ``visible="gaussian"`` (unit variance: standardise
    the data). Hidden units are binary. Log-likelihoods are exact where the smaller layer
    can be enumerated (Gray code over 2^min(n_visible, n_hidden) states) and estimated by
    Annealed Importance Sampling, with an error bar, beyond.

    Parameters
    ----------
    n_visible, n_hidden : int
        Layer widths.
    visible : {"bernoulli", "gaussian"}
        Visible units.
    seed : int
        Seeds the initial weights, Normal(0, 0.01^2) (biases start at 0), and the stream
        that :meth:`partial_fit` draws from.

    Examples
    --------
    Bars and stripes on 3 x 3 pixels: 14 images, so the best mean log-likelihood is -ln 14.

    >>> import numpy as np, boltzmann as bz
    >>> X = np.tile(bz.datasets.bars_and_stripes(3), (10, 1))
    >>> rbm = bz.RBM(9, 16, seed=1).fit(X, epochs=1000, batch_size=14, learning_rate=0.1, k=5)
    >>> ll = rbm.log_likelihood(X)  # exact: log Z over 2^9 states
    >>> bool(-np.log(14) - 0.5 < ll.value <= -np.log(14))
    True
    """

    _prefix = "rbm"

    def __init__(self, n_visible, n_hidden, visible="bernoulli", seed=0):
        self._create(lib.bz_rbm_create, int(n_visible), int(n_hidden), code(_UNITS, visible, "visible"), seed64(seed))._loaded()

    def _loaded(self):
        """Read the sizes and kind of a new or loaded machine."""
        self.n_visible, self.n_hidden = outputs(lib.bz_rbm_size, self._h)
        units = outputs(lib.bz_rbm_visible_units, self._h)
        self.visible = next(name for name, code in _UNITS.items() if code == units)
        self.metrics_ = np.empty(0)
        return self

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
    def set_training(self, **training):
        """Change training options, kept until changed again; the rest stay as they are.
        ``learning_rate``; ``final_learning_rate`` (each :meth:`fit` decays the rate
        linearly to it; None: constant); ``k``; ``persistent`` (PCD chains; 0 for CD);
        ``momentum``; ``weight_decay``; ``batch_size``; ``metric`` ("reconstruction",
        "pseudo_log_likelihood" or None). A bad value changes nothing. The defaults are
        the library's (``bz_rbm_train_options_init``), see :meth:`training_options`."""
        current = bz_rbm_train_options()
        lib.bz_rbm_get_training(self._h, ctypes.byref(current))
        given = {_RENAMED.get(name, name): value for name, value in training.items()}
        if "final_learning_rate" in given and given["final_learning_rate"] is None:
            given["final_learning_rate"] = -1.0
        if "metric" in given:
            given["metric"] = code(_METRICS, given["metric"], "metric")
        changed = options(lib.bz_rbm_train_options_init, **{**fields(current), **given})  # checked as options() checks
        lib.bz_rbm_set_training(self._h, ctypes.byref(changed))
        return self

    def training_options(self):
        """The current training options, as :meth:`set_training` takes them."""
        current = bz_rbm_train_options()
        lib.bz_rbm_get_training(self._h, ctypes.byref(current))
        return _python_options(fields(current))

    def fit(self, X, epochs=10, seed=0, callback=None, progress=None, **training):
        """Train for ``epochs`` passes over the rows of X by CD-k (``persistent=0``) or
        PCD-k with ``persistent`` fantasy chains: minibatch SGD with momentum and L2
        ``weight_decay``, the rate falling linearly to ``final_learning_rate`` when set.
        ``training`` options (as :meth:`set_training`) are set first and kept; the
        others keep their values (the library's defaults until set:
        ``RBM.default_training()``). The parameters are kept (call again to train
        further); momentum and chains start afresh, drawn from ``seed``. Each epoch's
        ``metric`` goes to ``metrics_`` and to ``callback(epoch, metric)``. ``callback``
        or ``progress(done, total)`` returning False stops early: ``fit`` returns, the
        machine keeps the batches taken and ``metrics_`` the epochs completed. Returns
        self."""
        data = _rows(X, self.n_visible, "X")
        if training:
            self.set_training(**training)
        metrics = np.full(max(int(epochs), 1), np.nan)
        run = Progress(progress, unit="epochs", callback=callback, what="RBM.fit",
                       metric=self.training_options()["metric"])
        run.run(lib.bz_rbm_fit, self._h, _f32(data), data.shape[0], int(epochs), seed64(seed), f64(metrics),
                early_stop=True)
        # Stopped early, the library wrote no metrics: the reports carried them.
        self.metrics_ = np.array(run.metrics[:run.done]) if run.stopped else metrics[:int(epochs)]
        return self

    @staticmethod
    def default_training():
        """The library's default training options (``bz_rbm_train_options_init``)."""
        return _python_options(fields(options(lib.bz_rbm_train_options_init)))

    def __reduce__(self):
        """Pickles the machine (the library's file format) with its training options,
        ``metrics_`` and ``last_error_``."""
        state = {"options": self.training_options(), "metrics_": self.metrics_}
        if hasattr(self, "last_error_"):
            state["last_error_"] = self.last_error_
        return (_unpickle_rbm, (self.to_bytes(), state))

    def partial_fit(self, X):
        """One gradient step on the rows of X as one batch, with the current training
        options, continuing the momentum and chains of earlier calls. Returns self
        (the batch's reconstruction error goes to ``last_error_``)."""
        data = _rows(X, self.n_visible, "X")
        error = ctypes.c_double()
        lib.bz_rbm_partial_fit(self._h, _f32(data), data.shape[0], ctypes.byref(error))
        self.last_error_ = error.value
        return self

    # -- inference
    def transform(self, X):
        """p(h = 1 | v) for each row: (n, n_hidden) float32."""
        v = _rows(X, self.n_visible, "X")
        out = np.empty((v.shape[0], self.n_hidden), np.float32)
        lib.bz_rbm_hidden_probabilities(self._h, _f32(v), v.shape[0], _f32(out))
        return out

    def visible_probabilities(self, H):
        """E[v | h] for each row of hidden values: p(v = 1 | h) for Bernoulli units, the
        mean b + W h for Gaussian ones. (n, n_visible) float32."""
        h = _rows(H, self.n_hidden, "H")
        out = np.empty((h.shape[0], self.n_visible), np.float32)
        lib.bz_rbm_visible_probabilities(self._h, _f32(h), h.shape[0], _f32(out))
        return out

    def reconstruct(self, X):
        """E[v | p(h | v)]: the mean-field reconstruction of each row."""
        return self.visible_probabilities(self.transform(X))

    def free_energy(self, X):
        """F(v) for each row (float64)."""
        v = _rows(X, self.n_visible, "X")
        out = np.empty(v.shape[0])
        lib.bz_rbm_free_energy(self._h, _f32(v), v.shape[0], f64(out))
        return out

    def pseudo_log_likelihood(self, X):
        """``sum_i log p(v_i | v_-i)`` for each row, over every unit (float64). scikit-learn's
        ``score_samples`` is a one-random-unit estimate of the same quantity."""
        v = _rows(X, self.n_visible, "X")
        out = np.empty(v.shape[0])
        lib.bz_rbm_pseudo_log_likelihood(self._h, _f32(v), v.shape[0], f64(out))
        return out

    score_samples = pseudo_log_likelihood

    def sample(self, n, steps=1000, start=None, means=False, seed=0, progress=None):
        """``n`` block-Gibbs chains of ``steps`` sweeps from the rows of ``start`` (default:
        random states); the final visible states, or with ``means`` E[v | h] of the last
        sweep: (n, n_visible) float32."""
        initial = None if start is None else _rows(start, self.n_visible, "start")
        out = np.empty((int(n), self.n_visible), np.float32)
        Progress(progress, unit="sweeps", what="RBM.sample").run(
            lib.bz_rbm_sample, self._h, int(n), int(steps), None if initial is None else _f32(initial), int(bool(means)),
            seed64(seed), _f32(out))
        return out

    def log_partition(self, method="exact", runs=100, betas=None, base=None, seed=0, progress=None):
        """log Z as a :class:`LogEstimate`: "exact" enumerates the smaller layer (at most
        32 units; the hidden one for Gaussian visibles); "ais" runs Annealed Importance
        Sampling with ``runs`` chains over ``betas`` (default: Salakhutdinov & Murray's
        14,501) from a base model with visible biases ``base`` (Bernoulli units only;
        default uniform; pass logits of the data's marginals, see :func:`base_rates`)."""
        if method == "exact":
            out = ctypes.c_double()
            Progress(progress, unit="states", what="RBM.log_partition").run(lib.bz_rbm_log_partition_exact, self._h, ctypes.byref(out))
            return LogEstimate(out.value)
        if method != "ais":
            raise InvalidArgument(f"method must be 'exact' or 'ais', got {method!r}")
        schedule = None if betas is None else np.ascontiguousarray(betas, np.float64)
        start = None if base is None else _rows(base, self.n_visible, "base")
        value, stderr, ess = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        Progress(progress, unit="betas", what="RBM.log_partition (AIS)").run(
            lib.bz_rbm_log_partition_ais, self._h, int(runs), f64(schedule), 0 if schedule is None else schedule.size,
            None if start is None else _f32(start), seed64(seed), ctypes.byref(value), ctypes.byref(stderr),
            ctypes.byref(ess))
        return LogEstimate(value.value, stderr.value, ess.value)

    def log_likelihood(self, X, method="exact", **options):
        """The mean log-likelihood of the rows, -mean F(v) - log Z, as a :class:`LogEstimate`
        carrying log Z's error (``method``, ``options``: as :meth:`log_partition`)."""
        z = self.log_partition(method, **options)
        return LogEstimate(float(-self.free_energy(X).mean() - z.value), z.stderr, z.ess)

    # -- persistence: save(path), RBM.load(path), to_bytes(), RBM.from_bytes(data) and
    # pickling, in the RBM format (see the header), from Persistent.

    def _summary(self):
        trained = [("epochs_trained", len(self.metrics_)), ("last_metric", self.metrics_[-1])] if len(self.metrics_) else []
        return [("n_visible", self.n_visible), ("n_hidden", self.n_hidden), ("visible", self.visible), *trained]


def _python_options(raw):
    """bz_rbm_train_options fields as the binding names them."""
    names = {header: python for python, header in _RENAMED.items()}
    out = {names.get(name, name): value for name, value in raw.items()}
    out["final_learning_rate"] = None if out["final_learning_rate"] < 0 else out["final_learning_rate"]
    out["metric"] = next(name for name, code in _METRICS.items() if code == out["metric"] and name != "none")
    return out


def _unpickle_rbm(data, state):
    rbm = RBM.from_bytes(data)
    rbm.set_training(**state["options"])
    rbm.metrics_ = np.asarray(state["metrics_"])
    if "last_error_" in state:
        rbm.last_error_ = state["last_error_"]
    return rbm


def base_rates(X, smoothing=0.05):
    """Visible biases of the AIS base model from the data's marginals.

    log(p / (1 - p)) of the column means p, kept off 0 and 1 by ``smoothing``
    pseudo-counts (Salakhutdinov & Murray 2008).

    Parameters
    ----------
    X : array_like, shape (n, n_visible)
        Data in [0, 1].
    smoothing : float
        Pseudo-counts added to each column's ones and zeros.

    Returns
    -------
    biases : ndarray of float32, shape (n_visible,)

    Examples
    --------
    >>> import numpy as np
    >>> from boltzmann.rbm import base_rates
    >>> [round(float(b), 4) for b in base_rates(np.array([[1, 0], [1, 1], [0, 0]]), smoothing=0.0)]  # ln 2, ln 1/2
    [0.6931, -0.6931]
    """
    v = np.asarray(X, dtype=np.float64)
    p = (v.sum(axis=0) + smoothing) / (v.shape[0] + 2 * smoothing)
    return np.log(p / (1 - p)).astype(np.float32)


class BoltzmannMachine:
    """The fully visible Boltzmann machine (Ackley, Hinton & Sejnowski 1985).

    An Ising model learned from ±1 data by the Boltzmann-machine rule
    dJ_ij = <s_i s_j>_data - <s_i s_j>_model, dh_i = <s_i>_data - <s_i>_model:
    use :meth:`fit`.

    Examples
    --------
    Independent spins with <s> = 0.4: the fit matches the data's moments exactly (the
    gradient vanishes), with couplings near 0 and fields near atanh(0.4) = 0.42.

    >>> import numpy as np, boltzmann as bz
    >>> s = np.where(np.random.default_rng(0).random((20000, 4)) < 0.7, 1, -1).astype(np.int8)
    >>> model = bz.BoltzmannMachine.fit(s)
    >>> model.fit_gradient_ < 1e-5, bool(np.abs(model.coupling_matrix()).max() < 0.05)
    (True, True)
    >>> bool(np.allclose(model.fields, 0.42, atol=0.03))
    True
    """

    @staticmethod
    def fit(spins, learning_rate=None, momentum=None, iterations=None, tolerance=None, chains=None, sweeps=None, seed=0,
            progress=None):
        """Learn J and h from ``spins`` (n_samples, N) of ±1. ``chains=0``: exact model
        statistics over all 2^N states (N <= 20), until every gradient component is below
        ``tolerance``; otherwise that many persistent heat-bath chains, ``sweeps`` each per
        iteration. At most ``iterations`` steps of ``learning_rate`` with ``momentum``. An
        option left None takes the library's default (``bz_bm_options_init``). Returns a
        :class:`boltzmann.IsingModel` (``fit_iterations_``, ``fit_gradient_`` attached)."""
        from .ising import IsingModel

        data = np.ascontiguousarray(spins, dtype=np.int8)
        if data.ndim != 2:
            raise ShapeError(f"spins must have shape (n_samples, N), got {np.shape(spins)}")
        settings = options(lib.bz_bm_options_init, learning_rate=learning_rate, momentum=momentum, iterations=iterations,
                           tolerance=tolerance, chains=chains, sweeps=sweeps)
        iterations_done, gradient = ctypes.c_int64(), ctypes.c_double()
        model = IsingModel._new(
            functools.partial(Progress(progress, unit="iterations", what="BoltzmannMachine.fit",
                                       metric="max |gradient|").run, lib.bz_bm_fit), data.ctypes.data_as(i8p),
            data.shape[0], data.shape[1], ctypes.byref(settings), seed64(seed), ctypes.byref(iterations_done),
            ctypes.byref(gradient))
        model.fit_iterations_, model.fit_gradient_ = iterations_done.value, gradient.value
        return model
