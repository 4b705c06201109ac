"""Score-based diffusion: forward processes, exact and empirical scores, and the
standard reverse-time samplers.

>>> import numpy as np, boltzmann as bz
>>> sde = bz.diffusion.VPSDE()
>>> round(float(sde.sigma(1e-3)), 7)              # the VP marginal std at t = 1e-3
0.0104854
>>> score = bz.diffusion.GaussianMixtureScore.eight_gaussians()
>>> x = bz.diffusion.sample(score, sde, 2000, method="euler_maruyama", steps=100, seed=0)
>>> covered, weights = bz.metrics.mode_coverage(x, score.means, np.full(8, 0.1))
>>> bool(covered > 0.97)
True
"""

import ctypes
import weakref
from dataclasses import dataclass

import numpy as np

from ._arrays import code as _choose, options as _options, outputs, rows as _rows, seed64
from ._display import Result
from ._handles import HandleOwner, Persistent
from ._lib import bz_energy_fn, f32p, f64p, i32p, i64p, lib, score_p as _lib_score_p, u8p
from ._progress import Progress, _targets, energy_trampoline, interruptible, registered, score_trampoline
from .errors import InvalidArgument, ShapeError

__all__ = ["SDE", "VPSDE", "SubVPSDE", "VESDE", "DDPM", "ScoreModel", "GaussianMixtureScore", "EmpiricalScore",
           "MLPScore", "CallableScore", "sample", "nfe", "steps_for_nfe", "log_likelihood", "LogLikelihood", "langevin",
           "ito_integral", "DiffusionDensity", "METHODS", "GRIDS"]

#: Sampler names of :func:`sample` and their ``BZ_SAMPLE_*`` codes.
METHODS = {"euler_maruyama": 0, "pc": 1, "ode_euler": 2, "ode_heun": 3, "ancestral": 4, "annealed_langevin": 5,
           "reverse_diffusion": 6, "ode_rk45": 7, "edm_heun": 8, "ddim": 9, "dpm_solver_2m": 10, "dpm_solver_3m": 11,
           "unipc": 12}
#: Noise-level grids of the samplers and their ``BZ_GRID_*`` codes ("default": the sampler's own).
GRIDS = {"default": -1, "time": 0, "log_snr": 1, "edm": 2}
_KINDS = {0: "vp", 1: "sub_vp", 2: "ve", 3: "ddpm"}
_EMBEDDINGS = {"fourier": 0, "sinusoidal": 1}
_PREDICTIONS = {"epsilon": 0, "data": 1, "score": 2, "edm": 3}
_WEIGHTINGS = {"sigma2": 0, "g2": 1}
_LANGEVIN = {"ula": 0, "mala": 1}
_DIVERGENCES = {"exact": 0, "hutchinson": 1}


class SDE(HandleOwner):
    """A forward process x_t = alpha_t x_0 + sigma_t z on t in [0, 1].

    The marginal of the SDE dx = f(t) x dt + g(t) dw; see the subclasses. Made by a
    subclass, never directly.

    Examples
    --------
    >>> import boltzmann as bz
    >>> sde = bz.diffusion.VPSDE()
    >>> alpha, sigma, f, g = sde.coefficients(1.0)
    >>> round(alpha**2 + sigma**2, 12)  # variance preserving
    1.0
    """

    _prefix = "sde"

    def __reduce__(self):
        """Pickles the process's parameters; the copy is made by its constructor."""
        return (_remake, (type(self), self._parameters))

    @property
    def kind(self):
        return _KINDS[outputs(lib.bz_sde_info, self._h)[0]]

    @property
    def sampling_epsilon(self):
        """The documented default end time of sampling (1e-5 for VE, 1e-3 otherwise)."""
        return outputs(lib.bz_sde_info, self._h)[1]

    def coefficients(self, t):
        """(alpha_t, sigma_t, f(t), g(t)) at times t (arrays of t's shape)."""
        times = np.ascontiguousarray(np.atleast_1d(t), dtype=np.float64)
        out = [np.empty(times.size) for _ in range(4)]
        lib.bz_sde_coefficients(self._h, times.ctypes.data_as(f64p), times.size, *(o.ctypes.data_as(f64p) for o in out))
        return tuple(o.reshape(np.shape(t)) if np.ndim(t) else float(o[0]) for o in out)

    def alpha(self, t):
        """The mean coefficient alpha_t."""
        return self.coefficients(t)[0]

    def sigma(self, t):
        """The marginal standard deviation sigma_t."""
        return self.coefficients(t)[1]

    def drift(self, t):
        """f(t) of the drift f(t) x."""
        return self.coefficients(t)[2]

    def diffusion(self, t):
        """g(t)."""
        return self.coefficients(t)[3]

    def snr(self, t):
        """alpha_t^2 / sigma_t^2."""
        a, s, _, _ = self.coefficients(t)
        return np.asarray(a) ** 2 / np.asarray(s) ** 2

    def noise_level(self, t):
        """sigma-hat(t) = sigma_t / alpha_t, the noise on x_t / alpha_t (Karras et al.'s sigma)."""
        alpha, sigma, _, _ = self.coefficients(t)
        return sigma / alpha

    def time_of_noise_level(self, level):
        """The times whose noise level sigma_t / alpha_t is ``level`` (snr = 1 / level^2)."""
        return self.time_of_snr(1.0 / np.square(np.asarray(level, dtype=np.float64)))

    def grid(self, steps, method="euler_maruyama", grid=None, rho=None, epsilon=None, sigma_min=None, sigma_max=None):
        """The ``steps + 1`` times, from t_0 down to t_steps, that :func:`sample` steps
        through with ``method`` and these options (``grid``: a key of :data:`GRIDS`).

        Examples
        --------
        >>> import boltzmann as bz
        >>> times = bz.diffusion.VPSDE().grid(4, grid="time", epsilon=0.2)
        >>> [round(float(t), 12) for t in times]
        [1.0, 0.8, 0.6, 0.4, 0.2]
        """
        options = _sampler_options(steps=steps, grid=grid, rho=rho, epsilon=epsilon, sigma_min=sigma_min,
                                   sigma_max=sigma_max)
        times = np.empty(int(options.steps) + 1, np.float64)
        lib.bz_diffusion_grid(self._h, _choose(METHODS, method, "method"), ctypes.byref(options),
                              times.ctypes.data_as(f64p), times.size)
        return times

    def time_of_snr(self, snr):
        """The times at which the signal-to-noise ratio equals ``snr`` (> 0)."""
        values = np.ascontiguousarray(np.atleast_1d(snr), dtype=np.float64)
        out = np.empty(values.size)
        lib.bz_sde_time_of_snr(self._h, values.ctypes.data_as(f64p), values.size, out.ctypes.data_as(f64p))
        return out.reshape(np.shape(snr)) if np.ndim(snr) else float(out[0])

    def perturb(self, x0, t, seed=0, return_noise=False):
        """x_t = alpha_t x_0 + sigma_t z for each row of x0 at time t (a scalar or one
        per row, in (0, 1]); row r's z from stream (seed, r)."""
        x, single = _rows(x0, np.shape(x0)[-1], "x0")
        times = np.ascontiguousarray(np.broadcast_to(np.asarray(t, np.float64), (x.shape[0],)))
        xt, z = np.empty_like(x), np.empty_like(x)
        lib.bz_sde_perturb(self._h, x.ctypes.data_as(f32p), x.shape[0], x.shape[1], times.ctypes.data_as(f64p),
                           seed64(seed), xt.ctypes.data_as(f32p), z.ctypes.data_as(f32p))
        xt, z = (xt[0], z[0]) if single else (xt, z)
        return (xt, z) if return_noise else xt

    def _summary(self):
        return [*getattr(self, "_parameters", {}).items(), ("sampling_epsilon", self.sampling_epsilon)]


class VPSDE(SDE):
    """Variance preserving: beta(t) = beta_min + t (beta_max - beta_min).

    f = -beta/2, g = sqrt(beta), alpha_t = exp(-B/2), sigma_t^2 = 1 - exp(-B) with
    B = int_0^t beta (Song et al. 2021).

    Parameters
    ----------
    beta_min, beta_max : float
        The noise rate at t = 0 and t = 1.

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> alpha = bz.diffusion.VPSDE().alpha(1.0)
    >>> bool(np.isclose(alpha, np.exp(-(0.1 + 20.0) / 4)))
    True
    """

    def __init__(self, beta_min=0.1, beta_max=20.0):
        self._create(lib.bz_sde_create_vp, 0, float(beta_min), float(beta_max))
        self._parameters = {"beta_min": float(beta_min), "beta_max": float(beta_max)}


class SubVPSDE(SDE):
    """Sub-variance preserving: VP's drift, g^2 = beta (1 - exp(-2B)), sigma_t = 1 - exp(-B).

    Parameters
    ----------
    beta_min, beta_max : float
        As :class:`VPSDE`.

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> sde = bz.diffusion.SubVPSDE()
    >>> bool(np.isclose(sde.sigma(0.5), 1 - np.exp(-(0.1 * 0.5 + 19.9 * 0.125))))
    True
    """

    def __init__(self, beta_min=0.1, beta_max=20.0):
        self._create(lib.bz_sde_create_vp, 1, float(beta_min), float(beta_max))
        self._parameters = {"beta_min": float(beta_min), "beta_max": float(beta_max)}


class VESDE(SDE):
    """Variance exploding: sigma(t) = sigma_min (sigma_max / sigma_min)^t, no drift.

    sigma_t^2 = sigma(t)^2 - sigma_min^2.

    Parameters
    ----------
    sigma_min, sigma_max : float
        The noise scale at t = 0 and t = 1.

    Examples
    --------
    >>> import boltzmann as bz
    >>> sde = bz.diffusion.VESDE()
    >>> sde.alpha(0.7), round(sde.sigma(1.0), 6)
    (1.0, 49.999999)
    """

    def __init__(self, sigma_min=0.01, sigma_max=50.0):
        self._create(lib.bz_sde_create_ve, float(sigma_min), float(sigma_max))
        self._parameters = {"sigma_min": float(sigma_min), "sigma_max": float(sigma_max)}


class DDPM(SDE):
    """Discrete DDPM (Ho et al. 2020) with ``steps`` steps, in continuous time t = i / steps.

    Parameters
    ----------
    steps : int
        Steps of the discrete chain.
    schedule : {"linear", "cosine"}
        Betas from ``beta_start`` to ``beta_end``, or the cosine schedule (Nichol & Dhariwal
        2021) with offset ``s``.
    beta_start, beta_end : float
        The linear schedule's ends.
    s : float
        The cosine schedule's offset.

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> ddpm = bz.diffusion.DDPM(steps=1000)
    >>> betas = np.linspace(1e-4, 0.02, 1000)
    >>> bool(np.isclose(ddpm.alpha(1.0) ** 2, np.prod(1 - betas)))
    True
    """

    def __init__(self, steps=1000, schedule="linear", beta_start=1e-4, beta_end=0.02, s=0.008):
        cosine = _choose({"linear": False, "cosine": True}, schedule, "schedule")
        self._create(lib.bz_sde_create_ddpm, int(steps), int(cosine), float(s if cosine else beta_start),
                     float(0.0 if cosine else beta_end))
        self._parameters = {"steps": int(steps), "schedule": schedule,
                            **({"s": float(s)} if cosine else {"beta_start": float(beta_start), "beta_end": float(beta_end)})}


class ScoreModel(HandleOwner):
    """A model of the data for the samplers: the score and the denoiser.

    The score is grad log p_t; the denoiser E[x_0 | x_t], and Tweedie's formula links them:
    score = (alpha_t D - x) / sigma_t^2. Made by a subclass.

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> score, sde = bz.diffusion.GaussianMixtureScore.eight_gaussians(), bz.diffusion.VPSDE()
    >>> x = np.array([[0.5, -1.0]], np.float32)
    >>> alpha, sigma, _, _ = sde.coefficients(0.3)
    >>> tweedie = (alpha * score.denoise(x, 0.3, sde) - x) / sigma**2
    >>> bool(np.allclose(score.score(x, 0.3, sde), tweedie, rtol=1e-4, atol=1e-4))
    True
    """

    _prefix = "score"

    @property
    def dim(self):
        return outputs(lib.bz_score_dim, self._h)

    def _eval(self, x, t, sde, which):
        a, single = _rows(x, self.dim, "x")
        out = np.empty_like(a)
        args = [None, None]
        args[which] = out.ctypes.data_as(f32p)
        lib.bz_score_eval(self._h, sde._h, a.ctypes.data_as(f32p), a.shape[0], a.shape[1], float(t), *args)
        return out[0] if single else out

    @property
    def n_classes(self):
        """The model's classes (0: it has none; see ``labels`` in :func:`sample`)."""
        out = ctypes.c_int64()
        lib.bz_score_classes(self._h, ctypes.byref(out))
        return out.value

    def score(self, x, t, sde):
        """grad log p_t at the rows of x."""
        return self._eval(x, t, sde, 0)

    def denoise(self, x, t, sde):
        """E[x_0 | x_t = x] at the rows of x."""
        return self._eval(x, t, sde, 1)


class CallableScore(ScoreModel):
    """Any Python function of ``(x, t)`` as a score model for the library's samplers.

    The samplers call ``fn(x, t)`` once per score evaluation with the whole batch: x a
    float32 array (n, dim) (a copy the function may keep or change), t a float in
    (0, 1]; it returns the score grad log p_t(x), (n, dim), as anything numpy converts
    (float32 or float64 arrays, CPU torch tensors without grad: use
    ``torch.no_grad()``). A PyTorch or JAX score network is sampled this way. An
    exception in ``fn`` stops the call and is raised from it; a NaN or infinity in
    its result stops it with :class:`NumericError`. ``fn`` runs on the thread that runs
    the library call (the binding's worker thread, so that Ctrl-C works): settings
    kept per thread, such as torch's OpenMP thread count, must be made inside ``fn``.

    Parameters
    ----------
    fn : callable
        ``fn(x, t) -> scores``.
    dim : int
        The data's dimension.

    Attributes
    ----------
    fn : callable

    Examples
    --------
    The score of N(0, I) under the VP process is -x at every t:

    >>> import numpy as np, boltzmann as bz
    >>> score = bz.diffusion.CallableScore(lambda x, t: -x, dim=2)
    >>> x = bz.diffusion.sample(score, bz.diffusion.VPSDE(), 20_000, seed=1)
    >>> bool(np.allclose(x.std(axis=0), 1, atol=0.03))
    True
    """

    def __init__(self, fn, dim):
        if not callable(fn):
            raise InvalidArgument(f"fn must be callable, got {type(fn).__name__}")
        self.fn = fn
        self._errors = []
        self._key = _register_score(fn, int(dim), self._errors)
        # Registered first (the engine may call back while creating); dropped with the
        # object, or at once if the engine refuses it.
        weakref.finalize(self, _targets.pop, self._key, None)
        self._create(lib.bz_score_create_callback, int(dim), score_trampoline, self._key)

    def _raise_from_callback(self):
        """The first exception ``fn`` raised in the last call, if it raised any."""
        if self._errors:
            error = self._errors[0]
            self._errors.clear()
            raise error from None

    def _eval(self, x, t, sde, which):
        try:
            return super()._eval(x, t, sde, which)
        except Exception:
            self._raise_from_callback()
            raise

    def _summary(self):
        return [("fn", getattr(self.fn, "__qualname__", type(self.fn).__name__)), ("dim", self.dim)]

    def __reduce__(self):
        """Pickles the function (by reference, or by value with cloudpickle) and dim."""
        return (CallableScore, (self.fn, self.dim))


def _register_score(fn, dim, errors):
    """A key under which the score trampoline finds ``fn``, adapted to the C callback
    (the closure holds neither the score object nor its handle)."""
    def call(x, n, dim_, t, out):
        try:
            rows = np.ctypeslib.as_array(x, (n, dim_)).copy()
            result = np.asarray(fn(rows, t), dtype=np.float32)
            if result.shape != (n, dim_):
                raise ShapeError(f"the score function returned shape {result.shape} for x of shape {(n, dim_)}")
            np.ctypeslib.as_array(out, (n, dim_))[:] = result
            return 0
        except BaseException as e:  # noqa: BLE001 - re-raised by the call that ran it
            errors.append(e)
            return 1
    key = id(call)
    _targets[key] = call
    return key


class GaussianMixtureScore(ScoreModel):
    """The exact score of a Gaussian mixture sum_k w_k N(mu_k, Sigma_k) under any forward process.

    In double precision: the oracle the samplers are tested against.

    Parameters
    ----------
    weights : array_like, shape (K,)
        Mixture weights (normalised here).
    means : array_like, shape (K, d)
    covariances : float or array_like
        One variance, (K,) variances (isotropic), (K, d) diagonals or (K, d, d) matrices.
    classes : array_like of int, shape (K,), optional
        A class per component (0 .. C - 1, each used): the mixture is then
        class-conditional, p_0(x | y) the mixture of y's components, and :func:`sample`
        takes ``labels`` and ``guidance`` (the exact oracle of guided sampling).

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> score, sde = bz.diffusion.GaussianMixtureScore.eight_gaussians(), bz.diffusion.VPSDE()
    >>> x = bz.diffusion.sample(score, sde, 2000, method="pc", steps=100, seed=0)
    >>> bool(bz.metrics.mode_coverage(x, score.means, 0.1)[0] > 0.9)
    True
    """

    def __init__(self, weights, means, covariances, classes=None):
        mu = np.ascontiguousarray(np.atleast_2d(means), dtype=np.float64)
        k, d = mu.shape
        w = np.ascontiguousarray(np.broadcast_to(np.asarray(weights, np.float64), (k,)))
        c = np.asarray(covariances, np.float64)
        if c.ndim == 0 or c.shape == (k,):  # isotropic: one variance (per component)
            c = np.repeat(np.broadcast_to(c.reshape(-1), (k,))[:, None], d, axis=1)
        if c.shape not in ((k, d), (k, d, d)):
            raise ShapeError(f"covariances must be a variance, (K,) variances, (K, d) diagonals or (K, d, d) "
                             f"matrices with K = {k}, d = {d}; got shape {np.shape(covariances)}")
        diagonal = c.ndim == 2
        c = np.ascontiguousarray(c)
        if classes is None:
            self._create(lib.bz_score_create_gmm, w.ctypes.data_as(f64p), mu.ctypes.data_as(f64p),
                         c.ctypes.data_as(f64p), k, d, int(diagonal))
            self.classes = None
        else:
            labels = np.ascontiguousarray(np.broadcast_to(np.asarray(classes), (k,)), dtype=np.int32)
            self._create(lib.bz_score_create_gmm_classes, w.ctypes.data_as(f64p), mu.ctypes.data_as(f64p),
                         c.ctypes.data_as(f64p), labels.ctypes.data_as(i32p), k, d, int(diagonal))
            self.classes = labels
        self.weights, self.means, self.covariances = w / w.sum(), mu, c

    def __reduce__(self):
        return (GaussianMixtureScore, (self.weights, self.means, self.covariances, self.classes))

    def condition(self, known, mask):
        """The exact conditional mixture p_0(x_F | x_O = known_O) over the free
        coordinates F (``mask`` false), given the known ones (``mask`` true): exact
        inpainting for a mixture, computed by the library (``bz_score_gmm_condition``).

        Parameters
        ----------
        known : array_like, shape (d,)
            Values, read where ``mask`` is true.
        mask : array_like of bool, shape (d,)

        Returns
        -------
        GaussianMixtureScore
            Over the free coordinates, in order; classes kept.

        Examples
        --------
        >>> import numpy as np, boltzmann as bz
        >>> g = bz.diffusion.GaussianMixtureScore([1.0], [[0.0, 0.0]], [[[1.0, 0.8], [0.8, 1.0]]])
        >>> c = g.condition([1.0, 0.0], [True, False])
        >>> c.means.round(6).tolist(), c.covariances.round(6).tolist()
        ([[0.8]], [[[0.36]]])
        """
        values = np.ascontiguousarray(np.broadcast_to(np.asarray(known, np.float64), (self.dim,)))
        where = np.ascontiguousarray(np.broadcast_to(np.asarray(mask, bool), (self.dim,)), dtype=np.uint8)
        handle = _lib_score_p()
        lib.bz_score_gmm_condition(ctypes.byref(handle), self._h, values.ctypes.data_as(f64p), where.ctypes.data_as(u8p),
                                   self.dim)
        try:
            return GaussianMixtureScore._from_handle(handle)
        finally:
            lib.bz_score_free(handle)

    @staticmethod
    def _from_handle(handle):
        """A mixture with the parameters of a library mixture handle (not taken over)."""
        k, d = ctypes.c_int64(), ctypes.c_int64()
        lib.bz_score_gmm_info(handle, ctypes.byref(k), None)
        lib.bz_score_dim(handle, ctypes.byref(d))
        weights, means = np.empty(k.value), np.empty((k.value, d.value))
        covariances, classes = np.empty((k.value, d.value, d.value)), np.empty(k.value, np.int32)
        lib.bz_score_gmm_parameters(handle, weights.ctypes.data_as(f64p), means.ctypes.data_as(f64p),
                                    covariances.ctypes.data_as(f64p), classes.ctypes.data_as(i32p))
        return GaussianMixtureScore(weights, means, covariances, None if (classes < 0).all() else classes)

    @classmethod
    def eight_gaussians(cls, std=0.1):
        """Eight equal Gaussians of standard deviation ``std`` on the circle of radius 2
        (the modes of :func:`boltzmann.datasets.eight_gaussians`)."""
        angles = np.arange(8) * np.pi / 4
        return cls(np.ones(8), 2 * np.stack([np.cos(angles), np.sin(angles)], axis=1), std**2)

    def log_density(self, x, t, sde, return_gradient=False):
        """log p_t at the rows of x (float64), and with ``return_gradient`` the score."""
        a, single = _rows(x, self.dim, "x", np.float64)
        logp, grad = np.empty(a.shape[0]), np.empty_like(a)
        lib.bz_score_gmm_log_density(self._h, sde._h, a.ctypes.data_as(f64p), a.shape[0], a.shape[1], float(t),
                                     logp.ctypes.data_as(f64p), grad.ctypes.data_as(f64p) if return_gradient else None)
        logp, grad = (float(logp[0]), grad[0]) if single else (logp, grad)
        return (logp, grad) if return_gradient else logp

    def sample_data(self, n, seed=0):
        """n exact samples of the mixture itself (t = 0), (n, d) float32."""
        out = np.empty((int(n), self.dim), np.float32)
        lib.bz_score_gmm_sample(self._h, int(n), seed64(seed), out.ctypes.data_as(f32p))
        return out

    def _summary(self):
        return [("components", len(self.weights)), ("dim", self.dim), ("weights", self.weights)]


class EmpiricalScore(ScoreModel):
    """The optimal score of a finite training set: it memorises.

    p_0 is the empirical distribution of the rows of ``data``, and the denoiser is one
    dense Hopfield update at beta = alpha_t^2 / sigma_t^2 (diffusion as an overloaded
    Hopfield network). Sampling with it reproduces the training points.

    Parameters
    ----------
    data : array_like, shape (n, d)

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> points = bz.datasets.eight_gaussians(16, seed=1)
    >>> x = bz.diffusion.sample(bz.diffusion.EmpiricalScore(points), bz.diffusion.VPSDE(), 50, seed=0)
    >>> nearest = np.sqrt(((x[:, None, :] - points[None]) ** 2).sum(-1)).min(axis=1)
    >>> bool(np.median(nearest) < 0.05)  # samples land on training points
    True
    """

    def __init__(self, data):
        x = np.asarray(data)
        if x.ndim != 2:
            raise ShapeError(f"data must have shape (n, d), got {x.shape}")
        x = np.ascontiguousarray(x, dtype=np.float32)
        self._create(lib.bz_score_create_empirical, x.ctypes.data_as(f32p), x.shape[0], x.shape[1])
        self.data = x.copy()

    def __reduce__(self):
        return (EmpiricalScore, (self.data,))
        self.data.setflags(write=False)

    def _summary(self):
        return [("points", len(self.data)), ("dim", self.dim)]


class MLPScore(Persistent, ScoreModel):
    """A learned score s_theta(x, t): a float32 MLP on [x, e(t)], trained by denoising score matching.

    Sample it with the process it was trained on. Pickles through :meth:`to_bytes`.

    Parameters
    ----------
    dim : int
        Data dimension d.
    hidden : sequence of int
        Widths of the SiLU hidden layers.
    embedding : {"fourier", "sinusoidal"}
        Time features: Gaussian Fourier features sin/cos(2 pi w t), w ~ N(0,
        embedding_scale^2), or the transformer's positions at 1000 t.
    embedding_size : int
        Time features (even).
    embedding_scale : float
        The Fourier features' scale.
    prediction : {"epsilon", "data", "score", "edm"}
        What the network outputs: the added noise, x_0, sigma_t times the score, or
        Karras et al.'s preconditioned output (D = c_skip x-hat + c_out o on the noise
        level sigma_t / alpha_t, the input scaled to unit variance: the choice for
        image-like data such as digits).
    sigma_data : float
        The data's scale for ``prediction="edm"`` (EDM's 0.5; the data's standard
        deviation is a good choice).
    n_classes : int
        0 for an unconditional model; K > 0 for a class-conditional one, which also reads
        its label (one-hot over K + 1 slots, the last "no label": a learned label
        embedding in the first layer), is fitted with ``labels`` (dropped to "no label"
        with probability ``label_dropout``) and sampled with ``labels`` and ``guidance``
        (classifier-free guidance, :func:`sample`).
    seed : int
        Seeds the initial weights and the default training streams.

    Examples
    --------
    >>> import boltzmann as bz
    >>> model = bz.diffusion.MLPScore(2, hidden=(64, 64), seed=0)
    >>> data = bz.datasets.eight_gaussians(4096, seed=0)
    >>> model.fit(data, bz.diffusion.VPSDE(), steps=200, seed=0).losses_.shape
    (200,)

    A class-conditional model of the eight modes' two halves (split by the line at
    angle pi / 8, which passes between modes):

    >>> import numpy as np
    >>> labels = (np.cos(np.pi / 8) * data[:, 1] > np.sin(np.pi / 8) * data[:, 0]).astype(int)
    >>> conditional = bz.diffusion.MLPScore(2, hidden=(64, 64), n_classes=2, seed=0)
    >>> conditional.fit(data, bz.diffusion.VPSDE(), labels=labels, steps=200, seed=0).n_classes
    2
    """

    def __init__(self, dim, hidden=(128, 128, 128), embedding="fourier", embedding_size=16, embedding_scale=4.0,
                 prediction="epsilon", sigma_data=0.5, n_classes=0, seed=0):
        widths = np.ascontiguousarray(np.atleast_1d(hidden), dtype=np.int64)
        if widths.ndim != 1 or widths.size == 0:
            raise InvalidArgument(f"hidden must list at least one width, got {hidden!r}")
        self._create(lib.bz_score_create_mlp_ex, int(dim), widths.ctypes.data_as(i64p), widths.size,
                     _choose(_EMBEDDINGS, embedding, "embedding"), int(embedding_size), float(embedding_scale),
                     _choose(_PREDICTIONS, prediction, "prediction"), float(sigma_data), int(n_classes), seed64(seed))
        self.losses_ = np.empty(0)
        self._fits = 0
        self._seed = int(seed)

    def _info(self):
        n_hidden, kind, size, scale, prediction, count, ema = (ctypes.c_int64(), ctypes.c_int32(), ctypes.c_int64(),
                                                                 ctypes.c_double(), ctypes.c_int32(), ctypes.c_int64(),
                                                                 ctypes.c_int32())
        lib.bz_score_mlp_info(self._h, ctypes.byref(n_hidden), None, 0, ctypes.byref(kind), ctypes.byref(size),
                              ctypes.byref(scale), ctypes.byref(prediction), ctypes.byref(count), ctypes.byref(ema))
        widths = np.empty(n_hidden.value, np.int64)
        lib.bz_score_mlp_info(self._h, None, widths.ctypes.data_as(i64p), widths.size, *([None] * 6))
        names = {v: k for k, v in _EMBEDDINGS.items()}, {v: k for k, v in _PREDICTIONS.items()}
        return {"hidden": tuple(int(w) for w in widths), "embedding": names[0][kind.value], "embedding_size": size.value,
                "embedding_scale": scale.value, "prediction": names[1][prediction.value], "n_parameters": count.value,
                "has_ema": bool(ema.value)}

    hidden = property(lambda self: self._info()["hidden"], doc="Hidden layer widths.")
    embedding = property(lambda self: self._info()["embedding"], doc='"fourier" or "sinusoidal".')
    prediction = property(lambda self: self._info()["prediction"], doc='"epsilon", "data", "score" or "edm".')
    n_parameters = property(lambda self: self._info()["n_parameters"], doc="Weights and biases.")
    has_ema = property(lambda self: self._info()["has_ema"], doc="Whether sampling uses EMA parameters.")

    @property
    def sigma_data(self):
        """The data scale of the "edm" prediction's preconditioning (0.5 for a model made
        without one, which does not use it)."""
        out = ctypes.c_double()
        lib.bz_score_mlp_sigma_data(self._h, ctypes.byref(out))
        return out.value

    def fit(self, data, sde, labels=None, steps=None, batch_size=None, lr=None, final_lr=None, ema=None, warmup=None,
            clip=None, epsilon=None, weighting=None, label_dropout=None, seed=None, callback=None, progress=None):
        """Train on the rows of ``data`` (n, dim) by denoising score matching on ``sde``
        (a class-conditional model also needs ``labels``, (n,) ints in [0, n_classes), each
        drawn row's label replaced by "no label" with probability ``label_dropout``):
        ``steps`` Adam steps (rate ``lr`` after ``warmup`` linear steps, then moving linearly
        to ``final_lr`` at the last step when given; gradients clipped
        to global norm ``clip``, 0 for none) on batches of ``batch_size`` rows, times
        t ~ U(``epsilon``, 1), loss weight ``weighting`` = "sigma2" (lambda = sigma_t^2)
        or "g2" (g(t)^2). Sampling then uses the EMA of the parameters (decay ``ema``,
        0 for none). ``callback(step, loss)`` after each step may return False to stop
        early (the model keeps the steps done). ``seed`` (default: derived from the
        model's seed and the number of fits) draws everything. Each call starts a fresh
        Adam and restarts the EMA's warm-up (step t of a call decays by min(``ema``, t / (t + 9)),
        as diffusers' EMAModel). The losses of the call go to ``losses_``. An option
        left None takes the library's default (``bz_train_options_init``, listed in the
        header). Returns self."""
        x = np.asarray(data)
        if x.ndim != 2:
            raise ShapeError(f"data must have shape (n, {self.dim}), got {x.shape}")
        x = np.ascontiguousarray(x, dtype=np.float32)
        classes = None
        if labels is not None:
            classes = np.ascontiguousarray(labels)
            if classes.shape != (x.shape[0],) or (classes.size and not np.issubdtype(classes.dtype, np.integer)):
                raise ShapeError(f"labels must be {x.shape[0]} integers (one per data row), got shape {classes.shape} "
                                 f"of {classes.dtype}")
            if classes.size and (classes.min() < 0 or classes.max() >= 2**31):
                raise InvalidArgument(f"labels must be in [0, n_classes = {self.n_classes}), got {classes.min()} to {classes.max()}")
            classes = classes.astype(np.int32)
        options = _options(lib.bz_train_options_init, steps=steps, batch_size=batch_size, learning_rate=lr,
                           final_learning_rate=final_lr, warmup=warmup, clip=clip, ema=ema, epsilon=epsilon,
                           weighting=None if weighting is None else _choose(_WEIGHTINGS, weighting, "weighting"),
                           label_dropout=label_dropout)
        steps = options.steps
        if seed is None:
            seed = self._seed * 1_000_003 + self._fits
        losses = np.full(max(int(steps), 1), np.nan)
        run = Progress(progress, unit="steps", callback=callback, what="MLPScore.fit", metric="loss")
        try:
            if classes is None:
                run.run(lib.bz_score_fit, self._h, sde._h, x.ctypes.data_as(f32p), x.shape[0], x.shape[1],
                        ctypes.byref(options), seed64(seed), losses.ctypes.data_as(f64p), early_stop=True)
            else:
                run.run(lib.bz_score_fit_labels, self._h, sde._h, x.ctypes.data_as(f32p), classes.ctypes.data_as(i32p),
                        x.shape[0], x.shape[1], ctypes.byref(options), seed64(seed), losses.ctypes.data_as(f64p),
                        early_stop=True)
        finally:
            self.losses_ = losses[~np.isnan(losses)]
        self._fits += 1
        return self

    # -- persistence: save(path), MLPScore.load(path), to_bytes(), MLPScore.from_bytes(data)
    # and pickling, in the learned-score format (see the header), from Persistent.
    def _loaded(self):
        self.losses_, self._fits, self._seed = np.empty(0), 0, 0
        return self

    def _summary(self):
        info = self._info()
        trained = [("steps_trained", len(self.losses_)), ("last_loss", self.losses_[-1])] if len(self.losses_) else []
        classes = [("n_classes", self.n_classes)] if self.n_classes else []
        scale = [("sigma_data", self.sigma_data)] if info["prediction"] == "edm" else []
        return [("dim", self.dim), ("hidden", info["hidden"]), ("embedding", info["embedding"]),
                ("prediction", info["prediction"]), *scale, *classes, ("n_parameters", info["n_parameters"]), *trained]


def _sampler_options(denoise=None, grid=None, **given):
    """``bz_sampler_options`` from the library's defaults and the given fields."""
    return _options(lib.bz_sampler_options_init, denoise=None if denoise is None else int(bool(denoise)),
                    grid=None if grid is None else _choose(GRIDS, grid, "grid"), **given)


def nfe(method, steps=None, denoise=None, langevin_steps=None, guidance=None, resample=None):
    """Score evaluations per sample (NFE) that :func:`sample` makes with ``method`` and
    these options (left None: the library's defaults). Not for "ode_rk45", whose count
    depends on the path (``sample(..., return_nfe=True)`` reports it).

    Parameters
    ----------
    method : str
        A key of :data:`METHODS`.
    steps, denoise, langevin_steps, resample : optional
        As for :func:`sample`.
    guidance : float, optional
        The guidance scale of sampling with ``labels`` (None: no labels).

    Returns
    -------
    int

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.diffusion.nfe("edm_heun", steps=17), bz.diffusion.nfe("dpm_solver_2m", steps=19)
    (35, 20)
    """
    options = _sampler_options(steps=steps, denoise=denoise, langevin_steps=langevin_steps, resample=resample)
    marker = ctypes.c_int32(0)
    if guidance is not None:
        options.labels, options.guidance = ctypes.pointer(marker), float(guidance)
    out = ctypes.c_int64()
    lib.bz_diffusion_nfe(_choose(METHODS, method, "method"), ctypes.byref(options), ctypes.byref(out))
    return out.value


def steps_for_nfe(method, budget, denoise=None, langevin_steps=None, guidance=None, resample=None):
    """The most grid steps whose :func:`nfe` is at most ``budget``: every sampler's NFE
    is a x steps + b, read from the library at steps 1 and 2.

    Parameters
    ----------
    method : str
        A key of :data:`METHODS`.
    budget : int
        Score evaluations per sample.
    denoise, langevin_steps, guidance, resample : optional
        As for :func:`nfe`.

    Returns
    -------
    int
        Raises :class:`~boltzmann.InvalidArgument` when one step is over the budget.

    Examples
    --------
    >>> import boltzmann as bz
    >>> bz.diffusion.steps_for_nfe("edm_heun", 35), bz.diffusion.steps_for_nfe("ddim", 10)
    (17, 9)
    """
    one, two = (nfe(method, steps, denoise, langevin_steps, guidance, resample) for steps in (1, 2))
    slope, offset = two - one, one - (two - one)
    steps = (int(budget) - offset) // slope
    if steps < 1:
        raise InvalidArgument(f"{method} needs at least {one} score evaluations, more than the budget {budget}")
    return steps


def sample(score, sde, n, method="euler_maruyama", steps=None, seed=0, epsilon=None, snr=None, langevin_steps=None,
           step_size=None, denoise=None, record=None, rtol=None, atol=None, progress=None, dim=None, *, nfe=None,
           grid=None, rho=None, sigma_min=None, sigma_max=None, s_churn=None, s_tmin=None, s_tmax=None, s_noise=None,
           eta=None, return_nfe=False, labels=None, guidance=None, known=None, mask=None, resample=None):
    """Samples of the distribution a score describes, by a reverse-time sampler.

    Parameters
    ----------
    score : ScoreModel or callable
        A model of the library, or any function ``score(x, t) -> scores`` of a batch
        (a PyTorch or JAX network: see :class:`CallableScore`; give ``dim``).
    sde : SDE
        The forward process the score belongs to.
    n : int
        Samples.
    method : str
        "euler_maruyama", "pc" (Langevin corrector at ``snr`` + reverse-diffusion
        predictor), "ode_euler", "ode_heun" (probability-flow ODE), "ode_rk45" (the same
        ODE by adaptive Dormand-Prince 5(4) under ``rtol``/``atol``, a step size per
        sample; ``steps`` unused), "ancestral", "annealed_langevin" (``langevin_steps``
        steps of base size ``step_size`` per level), "reverse_diffusion", or the
        few-step samplers "edm_heun" (Karras et al. 2022; stochastic with ``s_churn``),
        "ddim" (``eta``), "dpm_solver_2m" and "dpm_solver_3m" (DPM-Solver++, Lu et al. 2022)
        and "unipc" (UniPC-2, Zhao et al. 2023: the 2M predictor with a corrector that
        reuses the next step's evaluation; third order at one evaluation per step). With
        strong guidance the higher orders extrapolate a stiff denoiser: "dpm_solver_2m"
        or "ddim" are steadier there (w = 3 on a two-class mixture at 40 NFE: 98.6% and
        99.3% of samples on the requested modes, UniPC 93.5%).
    steps : int, optional
        Grid steps from t = 1 to ``epsilon``, the same for every sampler; see :func:`nfe`
        for the score evaluations they cost.
    seed : int
        Row r draws from stream (seed, r): results depend on neither the thread count nor n.
    epsilon : float, optional
        The end time (default: the process's ``sampling_epsilon``).
    snr, langevin_steps, step_size : optional
        The corrector's and annealed Langevin's settings.
    denoise : bool, optional
        End with a Tweedie step x <- E[x_0 | x_epsilon] (one more evaluation). Default:
        on for "edm_heun", "ddim", the DPM-Solvers and "unipc" (their papers' last step to noise 0),
        off for the others.
    record : sequence of int, optional
        Grid steps after which to keep the samples.
    rtol, atol : float, optional
        "ode_rk45"'s tolerances.
    progress : callable, bool or None
        As for :meth:`~boltzmann.MonteCarlo.run`; counts steps.
    dim : int, optional
        The dimension, for a ``score`` that is a plain function.
    nfe : int, optional
        A budget of score evaluations per sample instead of ``steps``: the most steps
        within it (:func:`steps_for_nfe`).
    grid : {"default", "time", "log_snr", "edm"}, optional
        The spacing of the noise levels (:data:`GRIDS`): uniform in t, in
        log(alpha / sigma), or Karras et al.'s with ``rho`` (default 7). "default" is the
        sampler's own: "edm" for "edm_heun", "dpm_solver_2m" and "unipc", "log_snr" for
        "dpm_solver_3m", else "time".
    rho : float, optional
        The "edm" grid's exponent (Karras et al.: 7; larger puts more steps at low noise).
    sigma_min, sigma_max : float, optional
        The grid's noise range in sigma_t / alpha_t (default: the process's, from t = 1
        to ``epsilon``).
    s_churn, s_tmin, s_tmax, s_noise : float, optional
        "edm_heun"'s stochasticity (Karras et al.'s Algorithm 2; ``s_churn`` = 0 is
        deterministic).
    eta : float, optional
        "ddim"'s noise in [0, 1] (0: deterministic; 1: ancestral).
    return_nfe : bool
        Also return the score evaluations per sample the call made (their mean for
        "ode_rk45").
    labels : int or array_like of int, shape (n,), optional
        Classes to sample, one per row (or one for all; -1: none), for a class-conditional
        model (``score.n_classes`` > 0).
    guidance : float, optional
        Classifier-free guidance scale w with ``labels``: D(x) + w (D(x | y) - D(x));
        0 unconditional, 1 (the default) conditional, larger sharpens the classes.
    known : array_like, shape (n, d) or (d,), optional
        Values to clamp (inpainting): where ``mask`` is true the coordinates are replaced
        after every step by a forward sample of the known value, and returned exactly.
    mask : array_like of bool, shape (n, d) or (d,), optional
        True where ``known`` holds.
    resample : int, optional
        RePaint's resampling with ``known``: each step done this many times.

    Options left None take the library's defaults (``bz_sampler_options_init``).

    Returns
    -------
    x : ndarray of float32, shape (n, d)
    trajectory : ndarray of float32, shape (len(record), n, d)
        Only with ``record``.
    nfe : float
        Only with ``return_nfe``.

    Examples
    --------
    >>> import boltzmann as bz
    >>> score, sde = bz.diffusion.GaussianMixtureScore.eight_gaussians(), bz.diffusion.VPSDE()
    >>> x, path = bz.diffusion.sample(score, sde, 100, steps=50, record=[25, 50], seed=1)
    >>> x.shape, path.shape, bool((path[-1] == x).all())
    ((100, 2), (2, 100, 2), True)
    >>> x, used = bz.diffusion.sample(score, sde, 100, method="dpm_solver_2m", nfe=10, return_nfe=True)
    >>> used
    10.0
    """
    if nfe is not None:
        if steps is not None:
            raise InvalidArgument("give steps or nfe, not both")
        steps = steps_for_nfe(method, nfe, denoise, langevin_steps, None if labels is None else (
            1.0 if guidance is None else guidance), resample)
    evaluations = ctypes.c_double(np.nan)
    options = _sampler_options(steps=steps, epsilon=epsilon, snr=snr, langevin_steps=langevin_steps, step_size=step_size,
                               denoise=denoise, rtol=rtol, atol=atol, grid=grid, rho=rho, sigma_min=sigma_min,
                               sigma_max=sigma_max, s_churn=s_churn, s_tmin=s_tmin, s_tmax=s_tmax, s_noise=s_noise, eta=eta)
    options.out_nfe = ctypes.pointer(evaluations)
    keep = _conditioning(options, int(n), labels, guidance, known, mask, resample,
                         score.dim if isinstance(score, ScoreModel) else dim)
    if not isinstance(score, ScoreModel):
        if not callable(score):
            raise InvalidArgument(f"score must be a ScoreModel or a function score(x, t), got {type(score).__name__}")
        if dim is None:
            raise InvalidArgument("a score function needs dim, the data's dimension")
        with CallableScore(score, dim) as model:
            return _run_sampler(model, sde, n, method, options, seed, record, progress, evaluations, return_nfe)
    return _run_sampler(score, sde, n, method, options, seed, record, progress, evaluations, return_nfe)


def _conditioning(options, n, labels, guidance, known, mask, resample, dim):
    """Fills the options' labels, guidance, known values and mask (broadcast to the n
    rows) and returns the arrays, which must outlive the call."""
    kept = []
    if labels is not None:
        rows = np.ascontiguousarray(np.broadcast_to(np.asarray(labels), (n,)), dtype=np.int32)
        options.labels = rows.ctypes.data_as(i32p)
        kept.append(rows)
    if guidance is not None:
        options.guidance = float(guidance)
    if (known is None) != (mask is None):
        raise InvalidArgument("known and mask come together")
    if known is not None:
        if dim is None:
            raise InvalidArgument("a score function needs dim, the data's dimension")
        values = np.ascontiguousarray(np.broadcast_to(np.asarray(known, np.float32), (n, dim)))
        where = np.ascontiguousarray(np.broadcast_to(np.asarray(mask, bool), (n, dim)), dtype=np.uint8)
        options.known, options.known_mask = values.ctypes.data_as(f32p), where.ctypes.data_as(u8p)
        kept += [values, where]
    if resample is not None:
        options.resample = int(resample)
    return kept


def _run_sampler(score, sde, n, method, options, seed, record, progress, evaluations, return_nfe):
    d = score.dim
    out = np.empty((int(n), d), np.float32)
    marks = np.ascontiguousarray(np.atleast_1d(record if record is not None else []), dtype=np.int64)
    trajectory = np.empty((marks.size, int(n), d), np.float32)
    try:
        Progress(progress, unit="steps", what="sample").run(
            lib.bz_diffusion_sample, score._h, sde._h, int(n), d, _choose(METHODS, method, "method"), ctypes.byref(options),
            seed64(seed), out.ctypes.data_as(f32p), marks.ctypes.data_as(i64p) if marks.size else None, marks.size,
            trajectory.ctypes.data_as(f32p) if marks.size else None)
    except Exception:
        if isinstance(score, CallableScore):
            score._raise_from_callback()
        raise
    result = (out, trajectory) if record is not None else (out,)
    if return_nfe:
        result += (evaluations.value,)
    return result if len(result) > 1 else result[0]


@dataclass(frozen=True, repr=False)
class LogLikelihood(Result):
    """:func:`log_likelihood`'s per-row log-densities; unpacks as ``log_density, std_error``.

    Attributes
    ----------
    log_density : ndarray, shape (n,)
        log p_epsilon(x) in nats.
    std_error : ndarray, shape (n,)
        Their standard errors: 0 for the exact divergence, the probes' spread for
        Hutchinson's (NaN with one probe).
    bits_per_dim : ndarray, shape (n,)
        -log_density / (d ln 2).
    mean : float
        The mean log-likelihood over the rows, nats.
    mean_error : float
        Its standard error over the rows (the data's spread, and the probes').
    nfe : float
        Score evaluations per row and probe.

    Examples
    --------
    >>> import boltzmann as bz
    >>> score, sde = bz.diffusion.GaussianMixtureScore.eight_gaussians(), bz.diffusion.VPSDE()
    >>> x = score.sample_data(100, seed=1)
    >>> ll = bz.diffusion.log_likelihood(score, sde, x)
    >>> bool(abs(ll.log_density - score.log_density(x, 1e-5, sde)).max() < 1e-3)
    True
    """

    log_density: np.ndarray   #: (n,) log p_epsilon(x), nats
    std_error: np.ndarray     #: (n,) 0 (exact) or the probes' standard error
    bits_per_dim: np.ndarray  #: (n,) -log_density / (d ln 2)
    mean: float               #: the rows' mean log-likelihood, nats
    mean_error: float         #: its standard error over the rows
    nfe: float                #: score evaluations per row and probe

    def __iter__(self):
        return iter((self.log_density, self.std_error))


def log_likelihood(score, sde, x, divergence="exact", probes=None, epsilon=None, rtol=None, atol=None, seed=0,
                   progress=None):
    """Log-likelihoods of data under a score model through the probability-flow ODE.

    log p_epsilon(x) = log p_1(x_1) + integral of div v dt along dx/dt = v = f x - g^2 s / 2
    from the data at t = epsilon to t = 1 (Song et al. 2021), by the adaptive
    Dormand-Prince solver on the augmented state. With a mixture's exact score the
    answer is the mixture's log-density to the solver's tolerance; a learned score is
    scored by its network's exact divergence (d vector-Jacobian products a step) or
    Hutchinson's estimate.

    Parameters
    ----------
    score : ScoreModel
        A mixture or a learned score (a Python function has no Jacobian).
    sde : SDE
        The forward process the score belongs to.
    x : array_like, shape (n, d)
        The data.
    divergence : {"exact", "hutchinson"}
        tr(ds/dx) exactly, or u^T (ds/dx) u with a Rademacher probe per solve.
    probes : int, optional
        Hutchinson's independent solves per row (default 1; 2 or more give standard errors).
    epsilon : float, optional
        The data's time (default 1e-5).
    rtol, atol : float, optional
        The solver's tolerances (default 1e-5).
    seed : int
        Row r's probes come from stream (seed, r).
    progress : callable, bool or None
        As for :meth:`~boltzmann.MonteCarlo.run`; counts rows.

    Returns
    -------
    LogLikelihood

    Examples
    --------
    >>> import boltzmann as bz
    >>> score, sde = bz.diffusion.GaussianMixtureScore.eight_gaussians(), bz.diffusion.VPSDE()
    >>> x = score.sample_data(50, seed=2)
    >>> exact = bz.diffusion.log_likelihood(score, sde, x)
    >>> estimate = bz.diffusion.log_likelihood(score, sde, x, divergence="hutchinson", probes=8)
    >>> bool(abs(estimate.mean - exact.mean) < 4 * estimate.mean_error)
    True
    """
    options = _options(lib.bz_likelihood_options_init, divergence=_choose(_DIVERGENCES, divergence, "divergence"),
                       probes=probes, epsilon=epsilon, rtol=rtol, atol=atol)
    if not isinstance(score, ScoreModel):
        raise InvalidArgument(f"score must be a ScoreModel (a mixture or a learned score), got {type(score).__name__}")
    data, _ = _rows(x, score.dim, "x")
    n = data.shape[0]
    log_density, std_error, used = np.empty(n), np.empty(n), ctypes.c_double()
    Progress(progress, unit="rows", what="log_likelihood").run(
        lib.bz_diffusion_log_likelihood, score._h, sde._h, data.ctypes.data_as(f32p), n, score.dim, ctypes.byref(options),
        seed64(seed), log_density.ctypes.data_as(f64p), std_error.ctypes.data_as(f64p), ctypes.byref(used))
    spread = np.var(log_density, ddof=1) if n > 1 else np.nan
    probe_variance = np.nan_to_num(std_error ** 2).mean()
    return LogLikelihood(log_density=log_density, std_error=std_error,
                         bits_per_dim=-log_density / (score.dim * np.log(2)), mean=float(log_density.mean()),
                         mean_error=float(np.sqrt((spread + probe_variance) / n)) if n > 1 else float("nan"),
                         nfe=used.value)


def langevin(energy=None, start=None, steps=1000, step_size=1e-2, method="ula", seed=0, score=None, sde=None, t=None,
             progress=None):
    """Langevin Monte Carlo from the rows of ``start``.

    ULA (x <- x + h grad log p + sqrt(2h) z; biased at finite h) or MALA
    (Metropolis-adjusted, unbiased). The target is exp(-E) for ``energy``, or the
    marginal p_t of a Gaussian-mixture ``score`` under ``sde`` at time ``t``.

    Parameters
    ----------
    energy : callable, optional
        x -> (E(x), grad E(x)) on one point (a float64 (d,) array).
    start : array_like, shape (chains, d)
        Starting points; chain r draws from stream (seed, r).
    steps : int
    step_size : float
        h.
    method : {"ula", "mala"}
    seed : int
    score : GaussianMixtureScore or callable, optional
        Instead of ``energy``; a function ``score(x, t)`` (as :class:`CallableScore`
        takes it, called with one row at a time) runs ULA only.
    sde : SDE, optional
    t : float, optional
        With ``score``.
    progress : callable, bool or None
        As for :meth:`~boltzmann.MonteCarlo.run`; counts chains.

    Returns
    -------
    x : ndarray, shape (chains, d)
        The final states.
    acceptance : float
        MALA's acceptance rate (1 for ULA).

    Examples
    --------
    A harmonic energy E = 2 v^2: the variance of exp(-E) is 1/4.

    >>> import numpy as np, boltzmann as bz
    >>> v, rate = bz.langevin(lambda v: (2 * v @ v, 4 * v), start=np.zeros((1000, 1)), steps=300,
    ...                       step_size=0.02, method="mala", seed=1)
    >>> bool(abs((v ** 2).mean() - 0.25) < 0.03)
    True
    """
    if start is None:
        raise InvalidArgument("start (the chains' starting states, (chains, d)) is required")
    if score is not None and not isinstance(score, ScoreModel):
        # A score function: ULA needs only grad log p_t = score (E is a constant here).
        if not callable(score):
            raise InvalidArgument(f"score must be a ScoreModel or a function score(x, t), got {type(score).__name__}")
        if method != "ula" or energy is not None or t is None:
            raise InvalidArgument("a score function runs ULA only (MALA needs the density), at a given t, without energy")
        fn, time = score, float(t)
        energy, score, sde, t = (lambda v: (0.0, -np.asarray(fn(v[None].astype(np.float32), time), np.float64)[0])), \
            None, None, None
    x = np.asarray(start, np.float64)
    x = np.ascontiguousarray(x.reshape(-1, 1) if x.ndim == 1 else x)
    errors = []

    def call(point, dim, gradient):
        try:
            value, grad = energy(np.ctypeslib.as_array(point, (dim,)).copy())
            np.ctypeslib.as_array(gradient, (dim,))[:] = grad
            return float(value)
        except BaseException as e:  # noqa: BLE001 - re-raised after the call
            errors.append(e)
            return float("nan")

    acceptance = ctypes.c_double()
    try:
        with registered(call) as key:
            Progress(progress, unit="chains", what="langevin").run(
                lib.bz_langevin, energy_trampoline if energy is not None else bz_energy_fn(), key, score._h if score is not None else None,
                sde._h if sde is not None else None,
                float(t if t is not None else 0.0), x.ctypes.data_as(f64p), x.shape[0], x.shape[1],
                _choose(_LANGEVIN, method, "method"), int(steps), float(step_size), seed64(seed), ctypes.byref(acceptance))
    except Exception:
        if errors:
            raise errors[0] from None
        raise
    return x, acceptance.value


def ito_integral(paths=10_000, steps=1000, t=1.0, seed=0):
    """Ito's identity on Brownian paths (Øksendal, "Stochastic Differential Equations", §4.1).

    Parameters
    ----------
    paths : int
        Independent Brownian paths on [0, t].
    steps : int
        Steps per path.
    t : float
        The horizon.
    seed : int

    Returns
    -------
    result : dict
        "ito": (mean, standard error) of sum W dW - (W(t)^2/2 - t/2), about 0;
        "naive": the same of sum W dW - W(t)^2/2, about -t/2.

    Examples
    --------
    >>> import boltzmann as bz
    >>> r = bz.diffusion.ito_integral(paths=5000, steps=500, seed=1)
    >>> (mean, error), (naive, _) = r["ito"], r["naive"]
    >>> abs(mean) < 4 * error, round(naive, 1)
    (True, -0.5)
    """
    out = [ctypes.c_double() for _ in range(4)]
    interruptible(lib.bz_ito_integral, int(paths), int(steps), float(t), seed64(seed),
                  *(ctypes.byref(o) for o in out))
    return {"ito": (out[0].value, out[1].value), "naive": (out[2].value, out[3].value)}


def _remake(cls, parameters):
    """An object made by ``cls(**parameters)`` (unpickling)."""
    return cls(**parameters)


from ._density import DiffusionDensity  # noqa: E402  (it builds on the names above)
