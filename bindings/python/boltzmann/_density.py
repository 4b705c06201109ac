"""A score-based diffusion model as a scikit-learn density estimator.

:class:`DiffusionDensity` wraps what :mod:`boltzmann.diffusion` already does (an
:class:`MLPScore` trained by denoising score matching, exact log-likelihoods through the
probability-flow ODE, reverse-time sampling) behind the interface of scikit-learn's
``KernelDensity`` and ``GaussianMixture``: ``fit(X)``, ``score_samples(X)``, ``score(X)``
and ``sample(n_samples)``. So a diffusion model can sit in a ``Pipeline``, be chosen by
``GridSearchCV`` on held-out log-likelihood, be cloned and pickled.
"""

import numpy as np

from . import _display
from ._estimator import Estimator, random_seeds
from .diffusion import DDPM, MLPScore, SDE, SubVPSDE, VESDE, VPSDE, log_likelihood, sample
from .errors import InvalidArgument

#: The forward processes ``sde`` may name.
_PROCESSES = {"vp": VPSDE, "subvp": SubVPSDE, "sub_vp": SubVPSDE, "ve": VESDE, "ddpm": DDPM}


class DiffusionDensity(Estimator):
    """A score-based diffusion model of the rows of X, with exact log-likelihoods: a
    scikit-learn density estimator.

    ``fit`` standardises each feature (``standardize``) and trains an :class:`MLPScore`
    on the standardised rows by denoising score matching on the forward process ``sde``.
    ``score_samples`` gives each row's log-density in nats, log p(x) = log q(z) -
    sum_j log scale_j with z = (x - mean) / scale and log q the model's density, through
    the probability-flow ODE with the network's exact divergence (adaptive Dormand-Prince
    under ``rtol``/``atol``; see :func:`log_likelihood`): deterministic, and each row's
    value does not depend on the other rows. The density is that of the data at the
    process's time epsilon = 1e-5, a continuous one: data on a grid (counts, grey
    levels) should be dequantised first for the numbers to mean bits of information.
    ``sample`` draws rows by a reverse-time sampler.

    Parameters
    ----------
    hidden : sequence of int
        Widths of the network's SiLU hidden layers.
    sde : {"vp", "subvp", "ve", "ddpm"} or SDE
        The forward process (its defaults), or one of :mod:`boltzmann.diffusion`'s.
    prediction : {"edm", "epsilon", "data", "score"}
        What the network outputs (see :class:`MLPScore`). "edm" (Karras et al.'s
        preconditioning) uses sigma_data = 1, the standardised data's scale (the data's
        overall standard deviation without ``standardize``). Held-out nats per row,
        "edm" against "epsilon": dequantised digits (3 x 256, 8000 steps) 64.7 against
        48.0; at the defaults, two moons -0.71 against -0.83 and eight sharp Gaussians
        -0.71 against -0.60 from the truth; a 2-D Gaussian (64 x 64, 2000 steps) +0.002
        against -0.006 from the truth.
    embedding_size, embedding_scale : int, float
        The network's Fourier time features (see :class:`MLPScore`).
    steps, batch_size, learning_rate, final_learning_rate, ema : optional
        Training: Adam steps on batches of rows drawn with replacement, its rate (moving
        linearly to ``final_learning_rate`` when given) and the EMA decay of the
        parameters used afterwards. None takes the library's default
        (``bz_train_options_init``: 5000 steps of 256 rows at 1e-3, EMA 0.999).
    standardize : bool
        Train on (x - mean) / scale, scale the features' standard deviations (1 where
        one is 0); the log-densities are then mapped back exactly.
    rtol, atol : float, optional
        The likelihood ODE's tolerances (None: 1e-5).
    sample_method : str
        :func:`sample`'s ``method`` for :meth:`sample`.
    sample_steps : int, optional
        Its ``steps`` (None: the method's default).
    random_state : None, int, RandomState or Generator
        Draws the initial weights and the training stream; an int makes ``fit``
        reproducible on any thread count.

    Attributes
    ----------
    score_ : MLPScore
        The trained network, on standardised data.
    sde_ : SDE
        The forward process it was trained on.
    mean_, scale_ : ndarray, shape (n_features,)
        The standardisation (0 and 1 without ``standardize``).
    losses_ : ndarray
        Each training step's loss.
    n_features_in_ : int
    feature_names_in_ : ndarray
        When X had string column names.

    Examples
    --------
    >>> import boltzmann as bz
    >>> x = bz.datasets.eight_gaussians(2000, seed=0)
    >>> density = bz.DiffusionDensity(hidden=(64, 64), steps=300, random_state=0).fit(x)
    >>> density.score_samples(x[:3]).shape
    (3,)
    >>> density.sample(5, random_state=0).shape
    (5, 2)
    """

    def __init__(self, hidden=(128, 128, 128), *, sde="vp", prediction="edm", embedding_size=16,
                 embedding_scale=4.0, steps=None, batch_size=None, learning_rate=None, final_learning_rate=None,
                 ema=None, standardize=True, rtol=None, atol=None, sample_method="euler_maruyama", sample_steps=None,
                 random_state=None):
        self.hidden = hidden
        self.sde = sde
        self.prediction = prediction
        self.embedding_size = embedding_size
        self.embedding_scale = embedding_scale
        self.steps = steps
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.final_learning_rate = final_learning_rate
        self.ema = ema
        self.standardize = standardize
        self.rtol = rtol
        self.atol = atol
        self.sample_method = sample_method
        self.sample_steps = sample_steps
        self.random_state = random_state

    def __sklearn_is_fitted__(self):
        return "score_" in self.__dict__

    def _process(self):
        if isinstance(self.sde, SDE):
            return self.sde
        if isinstance(self.sde, str) and self.sde in _PROCESSES:
            return _PROCESSES[self.sde]()
        raise InvalidArgument(f"sde must be one of {sorted(_PROCESSES)} or a boltzmann.diffusion SDE, got {self.sde!r}")

    def fit(self, X, y=None, *, callback=None, progress=None):
        """Standardise the rows of X (n_samples, n_features) and train a fresh network on
        them (``callback(step, loss)`` and ``progress`` as for :meth:`MLPScore.fit`; a
        callback returning False stops early, keeping the steps done). ``y`` is ignored.
        A failure leaves a fitted estimator as it was. Returns self."""
        with self._input_record_kept():
            data = self._validate_X(X, reset=True, dtype=np.float64)
            process = self._process()
            mean, scale, sigma_data = np.zeros(data.shape[1]), np.ones(data.shape[1]), 1.0
            if self.standardize:
                mean, spread = data.mean(axis=0), data.std(axis=0)
                scale = np.where(spread > 0, spread, 1.0)
            else:
                sigma_data = float(np.std(data)) or 0.5
            z = ((data - mean) / scale).astype(np.float32)
            init_seed, train_seed = random_seeds(self.random_state, 2)
            model = MLPScore(data.shape[1], hidden=self.hidden, embedding_size=self.embedding_size,
                             embedding_scale=self.embedding_scale, prediction=self.prediction, sigma_data=sigma_data,
                             seed=init_seed)
            model.fit(z, process, steps=self.steps, batch_size=self.batch_size, lr=self.learning_rate,
                      final_lr=self.final_learning_rate, ema=self.ema, seed=train_seed, callback=callback,
                      progress=progress)
        self.score_, self.sde_, self.mean_, self.scale_ = model, process, mean, scale
        self.losses_ = model.losses_
        return self

    def score_samples(self, X, *, progress=None):
        """Each row's log-density log p(x) in nats, shape (n_samples,), float64."""
        self._check_fitted()
        data = self._validate_X(X, reset=False, dtype=np.float64)
        z = ((data - self.mean_) / self.scale_).astype(np.float32)
        result = log_likelihood(self.score_, self.sde_, z, divergence="exact", rtol=self.rtol, atol=self.atol,
                                progress=progress)
        return result.log_density - float(np.log(self.scale_).sum())

    def score(self, X, y=None):
        """The mean log-likelihood of the rows of X in nats per sample (as
        ``GaussianMixture.score``; ``KernelDensity.score`` gives the sum). ``y`` is ignored."""
        return float(np.mean(self.score_samples(X)))

    def sample(self, n_samples=1, random_state=None, *, progress=None):
        """``n_samples`` rows from the model, shape (n_samples, n_features), float64, by
        ``sample_method`` (``random_state`` as scikit-learn's: None draws from numpy's
        global state)."""
        self._check_fitted()
        if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
            raise InvalidArgument(f"n_samples must be an integer >= 1, got {n_samples!r}")
        seed = random_seeds(random_state, 1)[0]
        z = sample(self.score_, self.sde_, int(n_samples), method=self.sample_method, steps=self.sample_steps,
                   seed=seed, progress=progress)
        return np.asarray(z, dtype=np.float64) * self.scale_ + self.mean_

    def _summary(self):
        changed = self._changed_params()
        if not self.__sklearn_is_fitted__():
            return changed
        trained = [("steps_trained", len(self.losses_)), ("last_loss", self.losses_[-1])] if len(self.losses_) else []
        return [("n_features_in", self.n_features_in_), *changed, *trained]

    def __repr__(self):
        return _display.key_value_text(type(self).__name__, self._summary())

    def _repr_html_(self):
        return _display.key_value_html(type(self).__name__, self._summary())

    def _tags(self, tags):
        tags.estimator_type = "density_estimator"
        return tags


# Users meet it as boltzmann.diffusion.DiffusionDensity: its docs, doctests and pickles say so.
DiffusionDensity.__module__ = "boltzmann.diffusion"
