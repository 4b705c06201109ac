"""Restricted Boltzmann machines, scikit-learn style, with honest log-likelihoods,
and fully visible Boltzmann machines.

>>> import numpy as np, boltzmann as bz
>>> X = bz.datasets.bars_and_stripes(3)          # 14 images, 9 pixels; optimum -ln 14
>>> rbm = bz.RBM(16, n_iter=300, k=5, batch_size=14, learning_rate=0.1, final_learning_rate=0.0,
...              random_state=1).fit(np.tile(X, (10, 1)))
>>> rbm.transform(X).shape
(14, 16)
>>> bool(rbm.log_likelihood(X).value > -np.log(14) - 0.5)   # exact: log Z over 2^9 states
True
"""

import ctypes
import functools
import inspect
import time
import warnings
from dataclasses import dataclass

import numpy as np

from . import _display
from ._display import Result
from ._estimator import Estimator, random_seeds
from ._arrays import code, f64, fields, options, outputs, rows, seed64
from ._handles import HandleOwner, Persistent
from . import _lib
from ._lib import bz_rbm_train_options, f32p, i8p, lib
from ._progress import Progress
from .errors import InvalidArgument, NotFittedError, ShapeError
from .thermo import LogEstimate

__all__ = ["RBM", "LogEstimate", "BoltzmannMachine", "base_rates"]

_UNITS = {"bernoulli": 0, "gaussian": 1}
_METRICS = {"none": 0, "reconstruction": 1, "pseudo_log_likelihood": 2}
#: Python names of bz_rbm_train_options fields that differ from the header's.
_RENAMED = {"persistent": "persistent_chains"}


def _rows(X, width, name):
    """A C-contiguous float32 (n, width) array (a copy only when needed)."""
    return rows(X, width, name)[0]


def _f32(a):
    return a.ctypes.data_as(f32p)


class RBM(Estimator, Persistent, HandleOwner):
    """A restricted Boltzmann machine: a scikit-learn transformer, with honest log-likelihoods.

    E(v, h) = -b.v - c.h - v^T W h for ``visible="bernoulli"`` (inputs in [0, 1]), or
    ``|v - b|^2 / 2 - c.h - v^T W h`` for ``visible="gaussian"`` (unit variance: standardise
    the data). Hidden units are binary; W is (n_features, n_components), float32.
    Log-likelihoods are exact where the smaller layer can be enumerated (Gray code over
    2^min(n_features, n_components) states) and estimated by Annealed Importance
    Sampling, with an error bar, beyond.

    A drop-in for ``sklearn.neural_network.BernoulliRBM``: the parameters it shares mean
    the same and default the same; the others default (None) to the library's
    ``bz_rbm_train_options_init``. It follows scikit-learn's estimator contract
    (``get_params``, ``set_params``, ``clone``, pipelines, grid search) without needing
    scikit-learn installed. Input is float32: X is converted (ints, float64, sparse
    matrices, DataFrames), and ``transform`` returns float32. Bernoulli inputs outside
    [0, 1] are clipped into it with a warning (a Bernoulli unit's value is a
    probability; BernoulliRBM extrapolates silently).

    Parameters
    ----------
    n_components : int
        Hidden units.
    learning_rate : float
        SGD step on the mean gradient of a batch (BernoulliRBM's meaning).
    batch_size : int
        Rows per gradient step.
    n_iter : int
        Epochs (passes over the data) per :meth:`fit`.
    verbose : int
        Above 0: print each epoch's metric and the time, as BernoulliRBM does.
    random_state : None, int, RandomState or Generator
        Seeds the initial weights, Normal(0, 0.01^2) (biases start at 0), training's
        random draws and :meth:`partial_fit`'s stream. An int makes :meth:`fit`
        reproducible; None draws from numpy's global RandomState.
    visible : {"bernoulli", "gaussian"}
        Visible units.
    k : int or None
        Gibbs steps of the negative phase (CD-k / PCD-k).
    persistent : int or None
        Persistent fantasy chains (PCD); 0 for CD, where chains restart at the data.
    momentum, weight_decay : float or None
        SGD momentum in [0, 1); L2 penalty on W.
    final_learning_rate : float or None
        Each :meth:`fit` decays the rate linearly to this; None keeps it constant.
    metric : {"reconstruction", "pseudo_log_likelihood", "none"} or None
        What each epoch reports to ``metrics_``, ``verbose`` and callbacks.
    warm_start : bool
        :meth:`fit` continues from the current parameters instead of starting afresh.

    Attributes
    ----------
    components_ : ndarray of float32, shape (n_components, ``n_features_in_``)
        W transposed, as BernoulliRBM names it (``weights_`` is W itself).
    intercept_hidden_, intercept_visible_ : ndarray of float32
        c and b (``hidden_bias_`` and ``visible_bias_``).
    n_features_in_ : int
        Visible units.
    feature_names_in_ : ndarray of str
        The DataFrame column names :meth:`fit` saw (only when it saw some).
    metrics_ : ndarray
        Each epoch's metric in the last :meth:`fit`.

    Examples
    --------
    Bars and stripes on 3 x 3 pixels: 14 images, so the best mean log-likelihood is -ln 14.

    >>> import numpy as np, boltzmann as bz
    >>> X = np.tile(bz.datasets.bars_and_stripes(3), (10, 1))
    >>> rbm = bz.RBM(16, n_iter=1000, batch_size=14, learning_rate=0.1, k=5, random_state=1).fit(X)
    >>> ll = rbm.log_likelihood(X)  # exact: log Z over 2^9 states
    >>> bool(-np.log(14) - 0.5 < ll.value <= -np.log(14))
    True
    >>> rbm.transform(X[:2]).shape
    (2, 16)
    """

    _prefix = "rbm"

    def __init__(self, n_components=256, *, learning_rate=0.1, batch_size=10, n_iter=10, verbose=0, random_state=None,
                 visible="bernoulli", k=None, persistent=None, momentum=None, weight_decay=None,
                 final_learning_rate=None, metric=None, warm_start=False):
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.verbose = verbose
        self.random_state = random_state
        self.visible = visible
        self.k = k
        self.persistent = persistent
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.final_learning_rate = final_learning_rate
        self.metric = metric
        self.warm_start = warm_start

    # -- the machine in the library
    @property
    def _h(self):
        if "_finalizer" not in self.__dict__:
            self._check_fitted()  # raises NotFittedError
        return HandleOwner._h.fget(self)

    def __sklearn_is_fitted__(self):
        return "_finalizer" in self.__dict__

    def _make_machine(self, n_features, seed):
        """A fresh machine of n_features visible units with the hyper-parameters' training
        options; the old one is released only once the new one stands (a bad
        hyper-parameter raises and leaves the estimator as it was)."""
        wanted = self._training()
        handle = _lib.rbm_p()
        lib.bz_rbm_create(ctypes.byref(handle), int(n_features), int(self.n_components),
                          code(_UNITS, self.visible, "visible"), seed64(seed))
        try:
            lib.bz_rbm_set_training(handle, ctypes.byref(wanted))
        except BaseException:
            lib.bz_rbm_free(handle)
            raise
        if "_finalizer" in self.__dict__:
            self._finalizer()
        self._own(handle)
        self._trained_with, self.metrics_ = wanted, np.empty(0)

    def _loaded(self):
        """Hyper-parameters and fitted attributes of a machine made from a file or bytes."""
        n_visible, n_hidden = outputs(lib.bz_rbm_size, self._handle)
        units = outputs(lib.bz_rbm_visible_units, self._handle)
        defaults = {name: p.default for name, p in inspect.signature(RBM.__init__).parameters.items() if name != "self"}
        self.__dict__.update(defaults)
        self.__dict__.update(self.training_options())
        self.n_components = n_hidden
        self.visible = next(name for name, code in _UNITS.items() if code == units)
        self.n_features_in_, self.metrics_ = n_visible, np.empty(0)
        self._trained_with = self._training()
        return self

    def initialize(self, n_features):
        """Make the parameters for ``n_features`` visible units without training, as
        :meth:`fit` does first: W ~ Normal(0, 0.01^2), zero biases, from ``random_state``.
        Returns self (a machine to set parameters on, sample or take log Z of)."""
        self._make_machine(n_features, random_seeds(self.random_state, 2)[0])
        self.n_features_in_ = int(n_features)
        self.__dict__.pop("feature_names_in_", None)
        return self

    def _training(self):
        """The hyper-parameters as the library's training options (None: its default)."""
        final = self.final_learning_rate
        return options(lib.bz_rbm_train_options_init, learning_rate=self.learning_rate,
                       final_learning_rate=-1.0 if final is None else final, k=self.k,
                       persistent_chains=self.persistent, momentum=self.momentum,
                       weight_decay=self.weight_decay, batch_size=self.batch_size,
                       metric=None if self.metric is None else code(_METRICS, self.metric, "metric"))

    def _apply_training(self):
        """Hand the hyper-parameters to the machine when they changed (changing
        ``persistent`` restarts the chains, so an unchanged value is not handed again)."""
        wanted = self._training()
        if self._trained_with is None or fields(wanted) != fields(self._trained_with):
            lib.bz_rbm_set_training(self._h, ctypes.byref(wanted))
            self._trained_with = wanted

    def _input(self, X, reset):
        """X validated as scikit-learn does; Bernoulli values clipped into [0, 1]."""
        data = self._validate_X(X, reset)
        if self.visible == "bernoulli" and (data.min() < 0 or data.max() > 1):
            warnings.warn(f"{type(self).__name__}: X has values outside [0, 1]; they are clipped into it (a Bernoulli "
                          "unit's value is a probability)", UserWarning, stacklevel=3)
            data = np.clip(data, 0, 1)
        return data

    # -- parameters (numpy copies)
    @property
    def n_visible(self):
        """Visible units (``n_features_in_``)."""
        return outputs(lib.bz_rbm_size, self._h)[0]

    @property
    def n_hidden(self):
        """Hidden units of the machine (``n_components`` when it was made)."""
        return outputs(lib.bz_rbm_size, self._h)[1]

    def _parameters(self):
        n_visible, n_hidden = outputs(lib.bz_rbm_size, self._h)
        w = np.empty((n_visible, n_hidden), np.float32)
        b, c = np.empty(n_visible, np.float32), np.empty(n_hidden, np.float32)
        lib.bz_rbm_parameters(self._h, _f32(w), _f32(b), _f32(c), n_visible, n_hidden)
        return w, b, c

    @property
    def weights_(self):
        """W, (``n_features_in_``, n_components) float32."""
        return self._parameters()[0]

    @property
    def visible_bias_(self):
        """b, (``n_features_in_``,) float32."""
        return self._parameters()[1]

    @property
    def hidden_bias_(self):
        """c, (n_components,) float32."""
        return self._parameters()[2]

    @property
    def components_(self):
        """W^T, (n_components, ``n_features_in_``) float32: BernoulliRBM's name."""
        return np.ascontiguousarray(self.weights_.T)

    @property
    def intercept_visible_(self):
        """b: BernoulliRBM's name."""
        return self.visible_bias_

    @property
    def intercept_hidden_(self):
        """c: BernoulliRBM's name."""
        return self.hidden_bias_

    def set_parameters(self, weights=None, visible_bias=None, hidden_bias=None):
        """Replace any of W (n_visible, n_hidden), b, c; the rest stay. Returns self."""
        w, b, c = self._parameters()
        n_visible, n_hidden = w.shape
        w = _rows(w if weights is None else weights, n_hidden, "weights")
        b = _rows(b if visible_bias is None else visible_bias, n_visible, "visible_bias")
        c = _rows(c if hidden_bias is None else hidden_bias, n_hidden, "hidden_bias")
        if w.shape[0] != n_visible or b.shape[0] != 1 or c.shape[0] != 1:
            raise ShapeError("weights must be (n_visible, n_hidden), the biases vectors")
        lib.bz_rbm_set_parameters(self._h, _f32(w), _f32(b), _f32(c), n_visible, n_hidden)
        return self

    # -- training
    def training_options(self):
        """The machine's current training options (the library's names, Python values)."""
        current = bz_rbm_train_options()
        lib.bz_rbm_get_training(self._h, ctypes.byref(current))
        return _python_options(fields(current))

    @staticmethod
    def default_training():
        """The library's default training options (``bz_rbm_train_options_init``)."""
        return _python_options(fields(options(lib.bz_rbm_train_options_init)))

    def fit(self, X, y=None, *, callback=None, progress=None):
        """Train for ``n_iter`` epochs on the rows of X (n_samples, n_features) by CD-k
        (``persistent=0``) or PCD-k with ``persistent`` fantasy chains: minibatch SGD with
        momentum and L2 ``weight_decay``, the rate falling linearly to
        ``final_learning_rate`` when set. Starts from fresh parameters drawn from
        ``random_state`` (unless ``warm_start``); momentum and chains always start
        afresh. Each epoch's ``metric`` goes to ``metrics_`` and to
        ``callback(epoch, metric)``; ``callback`` or ``progress(done, total)`` returning
        False stops early, keeping the batches taken and in ``metrics_`` the epochs
        completed. ``y`` is ignored. Returns self."""
        if not isinstance(self.n_iter, (int, np.integer)) or self.n_iter < 1:
            raise InvalidArgument(f"n_iter (epochs) must be an integer >= 1, got {self.n_iter!r}")
        with self._input_record_kept():
            data = self._input(X, reset=True)
            init_seed, train_seed = random_seeds(self.random_state, 2)
            reuse = (self.warm_start and "_finalizer" in self.__dict__ and self._finalizer.alive
                     and outputs(lib.bz_rbm_size, self._handle) == (data.shape[1], self.n_components)
                     and outputs(lib.bz_rbm_visible_units, self._handle) == code(_UNITS, self.visible, "visible"))
            if reuse:
                self._apply_training()
            else:
                self._make_machine(data.shape[1], init_seed)
        epochs = int(self.n_iter)
        metrics = np.full(max(epochs, 1), np.nan)
        run = Progress(progress, unit="epochs", callback=self._reporter(callback), what=f"{type(self).__name__}.fit",
                       metric=self.training_options()["metric"])
        run.run(lib.bz_rbm_fit, self._h, _f32(data), data.shape[0], epochs, seed64(train_seed), f64(metrics),
                early_stop=True)
        # Stopped early, the library wrote no metrics: the reports carried them.
        self.metrics_ = np.array(run.metrics[:run.done]) if run.stopped else metrics[:epochs]
        return self

    def _reporter(self, callback):
        """``callback``, printing each epoch first when ``verbose``."""
        if not self.verbose:
            return callback
        start, metric = time.perf_counter(), self.training_options()["metric"]

        def report(epoch, value):
            print(f"[{type(self).__name__}] Iteration {epoch}, {metric} = {value:.4f}, "
                  f"time = {time.perf_counter() - start:.2f}s", flush=True)
            return None if callback is None else callback(epoch, value)
        return report

    def partial_fit(self, X, y=None):
        """One gradient step on the rows of X as one batch, continuing the momentum and
        chains of earlier calls (the first call makes the parameters, as :meth:`fit`
        does). Returns self; the batch's reconstruction error goes to ``last_error_``."""
        fitted = self.__sklearn_is_fitted__()
        data = self._input(X, reset=not fitted)
        if fitted:
            self._apply_training()
        else:
            try:
                self._make_machine(data.shape[1], random_seeds(self.random_state, 2)[0])
            except BaseException:
                self.__dict__.pop("n_features_in_", None)
                raise
        error = ctypes.c_double()
        lib.bz_rbm_partial_fit(self._h, _f32(data), data.shape[0], ctypes.byref(error))
        self.last_error_ = error.value
        return self

    # -- inference
    def transform(self, X):
        """p(h = 1 | v) for each row of X: (n_samples, n_components) float32."""
        v = self._input(X, reset=False)
        out = np.empty((v.shape[0], self.n_hidden), np.float32)
        lib.bz_rbm_hidden_probabilities(self._h, _f32(v), v.shape[0], _f32(out))
        return out

    def fit_transform(self, X, y=None, **fit_params):
        """:meth:`fit`, then :meth:`transform` of the same X."""
        return self.fit(X, y, **fit_params).transform(X)

    def visible_probabilities(self, H):
        """E[v | h] for each row of hidden values: p(v = 1 | h) for Bernoulli units, the
        mean b + W h for Gaussian ones. (n, n_visible) float32."""
        n_visible, n_hidden = outputs(lib.bz_rbm_size, self._h)
        h = _rows(H, n_hidden, "H")
        out = np.empty((h.shape[0], n_visible), np.float32)
        lib.bz_rbm_visible_probabilities(self._h, _f32(h), h.shape[0], _f32(out))
        return out

    def reconstruct(self, X):
        """E[v | p(h | v)]: the mean-field reconstruction of each row."""
        return self.visible_probabilities(self.transform(X))

    def free_energy(self, X):
        """F(v) for each row (float64)."""
        v = self._input(X, reset=False)
        out = np.empty(v.shape[0])
        lib.bz_rbm_free_energy(self._h, _f32(v), v.shape[0], f64(out))
        return out

    def pseudo_log_likelihood(self, X):
        """``sum_i log p(v_i | v_-i)`` for each row, over every unit (float64; Bernoulli
        units)."""
        v = self._input(X, reset=False)
        out = np.empty(v.shape[0])
        lib.bz_rbm_pseudo_log_likelihood(self._h, _f32(v), v.shape[0], f64(out))
        return out

    def score_samples(self, X):
        """The pseudo-log-likelihood of each row, exactly: the sum over every unit of
        ``log p(v_i | v_-i)`` (float64). BernoulliRBM's ``score_samples`` estimates the
        same quantity from one random unit per row (times n_features), so it varies from
        call to call; this one does not. For the likelihood itself see
        :meth:`log_likelihood`."""
        return self.pseudo_log_likelihood(X)

    def sample(self, n, steps=1000, start=None, means=False, seed=0, progress=None):
        """``n`` block-Gibbs chains of ``steps`` sweeps from the rows of ``start`` (default:
        random states); the final visible states, or with ``means`` E[v | h] of the last
        sweep: (n, n_visible) float32."""
        n_visible = self.n_visible
        initial = None if start is None else _rows(start, n_visible, "start")
        out = np.empty((int(n), n_visible), np.float32)
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
            return LogEstimate(out.value, method="exact")
        if method != "ais":
            raise InvalidArgument(f"method must be 'exact' or 'ais', got {method!r}")
        schedule = None if betas is None else np.ascontiguousarray(betas, np.float64)
        start = None if base is None else _rows(base, self.n_visible, "base")
        value, stderr, ess = ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
        Progress(progress, unit="betas", what="RBM.log_partition (AIS)").run(
            lib.bz_rbm_log_partition_ais, self._h, int(runs), f64(schedule), 0 if schedule is None else schedule.size,
            None if start is None else _f32(start), seed64(seed), ctypes.byref(value), ctypes.byref(stderr),
            ctypes.byref(ess))
        return LogEstimate(value.value, stderr.value, ess.value, method="ais")

    def log_likelihood(self, X, method="exact", **options):
        """The mean log-likelihood of the rows, -mean F(v) - log Z, as a :class:`LogEstimate`
        carrying log Z's error (``method``, ``options``: as :meth:`log_partition`)."""
        z = self.log_partition(method, **options)
        return LogEstimate(float(-self.free_energy(X).mean() - z.value), z.stderr, z.ess, z.method)

    # -- persistence: save(path), RBM.load(path), to_bytes(), RBM.from_bytes(data), in the
    # RBM format (see the header), from Persistent; a loaded machine's hyper-parameters
    # are its training options.
    def __reduce__(self):
        """Pickles the hyper-parameters and, once fitted, the machine (the library's file
        format) with ``metrics_``, ``last_error_`` and ``feature_names_in_``."""
        fitted = {name: getattr(self, name) for name in ("metrics_", "last_error_", "feature_names_in_")
                  if name in self.__dict__}
        machine = self.to_bytes() if self.__sklearn_is_fitted__() else None
        return (_unpickle_estimator, (type(self), self.get_params(deep=False), machine, fitted))

    def _summary(self):
        changed = self._changed_params()
        if not self.__sklearn_is_fitted__():
            return [("n_components", self.n_components), *[kv for kv in changed if kv[0] != "n_components"]]
        trained = [("epochs_trained", len(self.metrics_)), ("last_metric", self.metrics_[-1])] if len(self.metrics_) else []
        return [("n_features_in", self.n_features_in_), ("n_components", self.n_hidden),
                *[kv for kv in changed if kv[0] != "n_components"], *trained]

    def __repr__(self):
        if "_finalizer" in self.__dict__ and not self._finalizer.alive:
            return f"{type(self).__name__}(<closed>)"
        return _display.key_value_text(type(self).__name__, self._summary())

    def _repr_html_(self):
        if "_finalizer" in self.__dict__ and not self._finalizer.alive:
            return _display.key_value_html(type(self).__name__, [("state", "closed")])
        return _display.key_value_html(type(self).__name__, self._summary())

    def _tags(self, tags):
        tags.transformer_tags = _transformer_tags()
        return tags


def _transformer_tags():
    from sklearn.utils import TransformerTags
    return TransformerTags(preserves_dtype=["float32"])


def _python_options(raw):
    """bz_rbm_train_options fields as the binding names them."""
    names = {header: python for python, header in _RENAMED.items()}
    out = {names.get(name, name): value for name, value in raw.items()}
    out.pop("version", None)
    out["final_learning_rate"] = None if out["final_learning_rate"] < 0 else out["final_learning_rate"]
    out["metric"] = next(name for name, code in _METRICS.items() if code == out["metric"])
    return out


def _unpickle_estimator(cls, params, machine, fitted):
    estimator = cls(**params) if machine is None else cls.from_bytes(machine).set_params(**params)
    if machine is not None:
        estimator._apply_training()
    estimator.__dict__.update(fitted)
    return estimator


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


class BoltzmannMachine(Estimator):
    """The fully visible Boltzmann machine (Ackley, Hinton & Sejnowski 1985): a
    scikit-learn density estimator for ±1 data.

    :meth:`fit` learns an Ising model p(s) = exp(-E(s)) / Z, E(s) = -sum_{i<j} J_ij s_i s_j
    - sum_i h_i s_i, by the Boltzmann-machine rule dJ_ij = <s_i s_j>_data - <s_i s_j>_model,
    dh_i = <s_i>_data - <s_i>_model, with heavy-ball momentum. Parameters left None take
    the library's defaults (``bz_bm_options_init``). Follows scikit-learn's estimator
    contract without needing scikit-learn (see :class:`RBM`).

    Parameters
    ----------
    learning_rate, momentum : float or None
        Gradient step; heavy-ball momentum in [0, 1).
    n_iter : int or None
        At most this many gradient steps.
    tolerance : float or None
        Stop once every gradient component is below it (exact statistics only).
    chains : int or None
        0: exact model statistics over all 2^N states (N <= 20); more: that many
        persistent heat-bath chains.
    sweeps : int or None
        Sweeps of every chain per step.
    random_state : None, int, RandomState or Generator
        Seeds the chains.
    verbose : int
        Above 0: a progress bar with the largest gradient component.
    binarize : float or None
        Threshold making spins of real data: +1 above it, -1 otherwise (as
        ``BernoulliNB``'s ``binarize``). None: X must already hold -1 and +1 (or booleans).

    Attributes
    ----------
    model_ : IsingModel
        The learned model (``J`` and ``h`` at beta = 1).
    couplings_ : ndarray, shape (``n_features_in_``, ``n_features_in_``)
        J, symmetric with a zero diagonal.
    fields_ : ndarray, shape (``n_features_in_``,)
        h.
    n_iter_ : int
        Gradient steps taken.
    gradient_ : float
        The last gradient's largest component.
    n_features_in_ : int
        Spins.

    Examples
    --------
    Independent spins with <s> = 0.4: the fit matches the data's moments exactly (the
    gradient vanishes), with couplings near 0 and fields near atanh(0.4) = 0.42.

    >>> import numpy as np, boltzmann as bz
    >>> s = np.where(np.random.default_rng(0).random((20000, 4)) < 0.7, 1, -1).astype(np.int8)
    >>> bm = bz.BoltzmannMachine().fit(s)
    >>> bm.gradient_ < 1e-5, bool(np.abs(bm.couplings_).max() < 0.05)
    (True, True)
    >>> bool(np.allclose(bm.fields_, 0.42, atol=0.03))
    True
    >>> bool(abs(bm.score(s) - 4 * (0.7 * np.log(0.7) + 0.3 * np.log(0.3))) < 0.01)  # mean log p = -4 H(0.7)
    True
    """

    def __init__(self, *, learning_rate=None, momentum=None, n_iter=None, tolerance=None, chains=None, sweeps=None,
                 random_state=None, verbose=0, binarize=None):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.n_iter = n_iter
        self.tolerance = tolerance
        self.chains = chains
        self.sweeps = sweeps
        self.random_state = random_state
        self.verbose = verbose
        self.binarize = binarize

    def _spins(self, X, reset):
        """X as int8 spins: thresholded at ``binarize``, or checked to be -1 or +1
        (booleans: True is +1)."""
        a = X if hasattr(X, "toarray") or hasattr(X, "columns") else np.asarray(X)
        a = np.where(a, 1, -1) if getattr(a, "dtype", None) == np.bool_ else a
        data = self._validate_X(a, reset, dtype=np.float64)
        if self.binarize is not None:
            data = np.where(data > self.binarize, 1.0, -1.0)
        elif not np.all((data == 1) | (data == -1)):
            raise InvalidArgument(f"{type(self).__name__}: X must hold spins, every value -1 or +1 (or set binarize)")
        return np.ascontiguousarray(data, dtype=np.int8)

    def fit(self, X, y=None, *, progress=None):
        """Learn J and h from the rows of X (n_samples, N) of ±1. ``y`` is ignored.
        Returns self."""
        from .ising import IsingModel

        data = self._spins(X, reset=True)
        settings = options(lib.bz_bm_options_init, learning_rate=self.learning_rate, momentum=self.momentum,
                           iterations=self.n_iter, tolerance=self.tolerance, chains=self.chains, sweeps=self.sweeps)
        iterations_done, gradient = ctypes.c_int64(), ctypes.c_double()
        shown = progress if progress is not None or not self.verbose else True
        self.model_ = IsingModel._new(
            functools.partial(Progress(shown, unit="iterations", what=f"{type(self).__name__}.fit",
                                       metric="max |gradient|").run, lib.bz_bm_fit), data.ctypes.data_as(i8p),
            data.shape[0], data.shape[1], ctypes.byref(settings), seed64(random_seeds(self.random_state, 1)[0]),
            ctypes.byref(iterations_done), ctypes.byref(gradient))
        self.couplings_, self.fields_ = self.model_.coupling_matrix(), self.model_.fields
        self.n_iter_, self.gradient_ = iterations_done.value, gradient.value
        return self

    def score_samples(self, X, max_spins=None):
        """log p(s) of each row, exactly: -E(s) - log Z with log Z by enumeration over all
        2^N states (``max_spins`` raises the cap, as :meth:`IsingModel.exact`). Nats, float64."""
        s = self._spins(X, reset=False)
        return -self.model_.energy(s) - float(self.model_.exact(1.0, max_spins=max_spins).log_z)

    def score(self, X, y=None):
        """The mean log-likelihood of the rows, nats (what ``GridSearchCV`` maximises)."""
        return float(np.mean(self.score_samples(X)))

    def pseudo_log_likelihood(self, X):
        """``sum_i log p(s_i | s_-i)`` of each row, where
        ``p(s_i | s_-i) = 1 / (1 + exp(-2 s_i f_i))`` and ``f_i = sum_j J_ij s_j + h_i``: no
        log Z needed, for any N."""
        s = self._spins(X, reset=False)
        return -np.logaddexp(0.0, -2.0 * s * self.model_.local_fields(s)).sum(axis=1)

    def sample(self, n, sweeps=1000, seed=0):
        """``n`` independent heat-bath chains of ``sweeps`` sweeps from random states: the
        final spins, (n, ``n_features_in_``) int8 (see :class:`boltzmann.MonteCarlo`)."""
        from .montecarlo import MonteCarlo

        self._check_fitted()
        with MonteCarlo(self.model_, beta=1.0, algorithm="heat_bath", chains=int(n), seed=seed) as chains:
            return chains.sample(1, every=int(sweeps))[:, 0]

    def __repr__(self):
        changed = [(name, value) for name, value in self.get_params(deep=False).items()
                   if value is not None and not (name == "verbose" and value == 0)]
        fitted = [("n_features_in", self.n_features_in_), ("n_iter", self.n_iter_), ("gradient", self.gradient_)] \
            if self.__sklearn_is_fitted__() else []
        return _display.key_value_text(type(self).__name__, changed + fitted)
