"""Figures of what Boltzmann computes, one call each, on matplotlib.

Each function draws on ``ax`` (a new figure's Axes when None) and returns the Axes it
drew on (an array of two for :func:`time_series`), so it composes with the rest of a
figure. The ``.plot()`` methods of results call these. matplotlib is optional: install
it with ``pip install boltzmann[plot]`` (or ``pip install matplotlib``).

Units are the library's: k_B = 1, T = 1/beta, energies in the units of the couplings or
levels; Ising quantities per spin when the result is per spin (Monte Carlo, Onsager)
and for the whole model otherwise (exact enumeration; pass ``per_spin=N``).
"""

import math

import numpy as np

__all__ = ["thermo", "time_series", "autocorrelation", "density_of_states", "overlap_distribution", "binder",
           "spins", "capacity", "overlap_histogram", "filters", "images", "training", "samples", "trajectories",
           "score_field"]

#: Quantities of a thermodynamic result and their axis labels.
_QUANTITY_LABELS = {
    "energy": "energy U", "heat_capacity": "heat capacity C", "free_energy": "free energy F",
    "entropy": "entropy S", "log_z": "ln Z", "magnetization": "magnetisation ⟨m⟩",
    "abs_magnetization": "⟨|m|⟩", "magnetization_sq": "⟨m²⟩", "susceptibility": "susceptibility χ",
    "binder": "Binder cumulant U₄",
}
#: Extensive quantities: divided by ``per_spin`` (log Z, F, U, S, C of a whole model).
_EXTENSIVE = {"energy", "heat_capacity", "free_energy", "entropy", "log_z"}


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("boltzmann.plot needs matplotlib: pip install matplotlib "
                          "(or pip install 'boltzmann[plot]')") from None
    return plt


def _axes(ax, **figure):
    if ax is not None:
        return ax
    return _pyplot().subplots(**figure)[1]


def _x(beta, x):
    beta = np.asarray(beta, np.float64)
    if x == "beta":
        return beta, "β = 1/T"
    if x == "T":
        with np.errstate(divide="ignore"):
            return 1.0 / beta, "temperature T"
    raise ValueError(f'x must be "beta" or "T", got {x!r}')


def _estimates(results, quantity):
    """(beta, mean, error) from a sequence of Monte Carlo results."""
    beta = np.array([r.beta for r in results])
    values = [getattr(r, quantity) for r in results]
    return beta, np.array([v.mean for v in values]), np.array([v.error for v in values])


def _exact_curve(kind, quantity, beta, J, z):
    """Per-spin exact or mean-field values of ``quantity`` at ``beta`` (None if undefined)."""
    from . import ising
    if kind == "onsager":
        exact = ising.onsager(beta, J=J)
        if quantity in ("magnetization", "abs_magnetization"):
            return exact.magnetization
        return getattr(exact, quantity, None)
    if kind == "mean_field":
        m = np.abs(ising.mean_field_magnetization(beta, J=J, z=z))
        energy = -0.5 * z * J * m**2
        if quantity in ("magnetization", "abs_magnetization"):
            return m
        if quantity == "energy":
            return energy
        if quantity == "heat_capacity":  # C = dU/dT = -beta^2 dU/dbeta, by differences
            return -beta**2 * np.gradient(energy, beta) if beta.size > 2 else None
        return None
    raise ValueError(f'exact must be "onsager", "mean_field" or a result, got {kind!r}')


def thermo(result, quantity="heat_capacity", x="T", per_spin=None, exact=None, J=1.0, z=4, ax=None, label=None,
           **style):
    """A thermodynamic quantity against temperature or beta, with an exact overlay.

    Parameters
    ----------
    result : Thermo, IsingThermo, ChainThermo, Onsager or sequence of MonteCarloResults
        What to draw: arrays by beta (a line), or Monte Carlo estimates (points with
        error bars).
    quantity : str
        A field of the result: "energy", "heat_capacity", "free_energy", "entropy",
        "log_z", "magnetization", "abs_magnetization", "susceptibility", "binder".
    x : {"T", "beta"}
        The horizontal axis.
    per_spin : int, optional
        Divide extensive quantities (log Z, F, U, S, C) by this many spins, to compare
        a whole model with per-spin results.
    exact : {"onsager", "mean_field"} or result, optional
        An overlay: Onsager's infinite square lattice, mean field with ``z``
        neighbours, or another result (drawn as a dashed line), over the same betas.
    J, z : float
        Coupling and coordination number of the overlays.
    ax : matplotlib Axes, optional
    label : str, optional
    **style
        Passed to ``plot`` or ``errorbar``.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> t = bz.IsingModel.square(4, 4).exact(np.linspace(0.2, 0.8, 25))
    >>> ax = bz.plot.thermo(t, "heat_capacity", per_spin=16, exact="onsager")
    >>> ax.get_xlabel()
    'temperature T'
    """
    ax = _axes(ax)
    if isinstance(result, (list, tuple)):
        beta, mean, error = _estimates(result, quantity)
        xs, xlabel = _x(beta, x)
        ax.errorbar(xs, mean, yerr=error, fmt=style.pop("fmt", "o"), ms=style.pop("ms", 4), capsize=2,
                    label=label or "Monte Carlo", **style)
    else:
        beta = np.ravel(result.beta)
        values = np.ravel(getattr(result, quantity)).astype(np.float64)
        if per_spin and quantity in _EXTENSIVE:
            values = values / per_spin
        xs, xlabel = _x(beta, x)
        order = np.argsort(xs)
        ax.plot(xs[order], values[order], label=label or type(result).__name__, **style)
    if exact is not None:
        grid = np.linspace(beta.min(), beta.max(), 400) if beta.size > 1 else beta
        if isinstance(exact, str):
            values = _exact_curve(exact, quantity, grid, J, z)
            name = {"onsager": "Onsager (exact, infinite)", "mean_field": "mean field"}[exact]
        else:
            grid = np.ravel(exact.beta)
            values = np.ravel(getattr(exact, quantity)).astype(np.float64)
            name = type(exact).__name__
        if values is not None:
            gx, _ = _x(grid, x)
            order = np.argsort(gx)
            ax.plot(gx[order], np.asarray(values)[order], "k--", lw=1, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(_QUANTITY_LABELS.get(quantity, quantity) + (" per spin" if per_spin and quantity in _EXTENSIVE
                                                              else ""))
    ax.legend(frameon=False)
    return ax


def autocorrelation(series, max_lag=None):
    """The normalised autocorrelation function rho(t) of each chain's series, averaged.

    Parameters
    ----------
    series : array_like, shape (chains, measurements) or (measurements,)
    max_lag : int, optional
        Lags 0 .. max_lag (default: a quarter of the series).

    Returns
    -------
    rho : ndarray, shape (max_lag + 1,)
        rho(0) = 1.

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> rho = bz.plot.autocorrelation(np.random.default_rng(0).standard_normal((4, 1000)), 5)
    >>> float(rho[0]), bool(abs(rho[1:]).max() < 0.1)
    (1.0, True)
    """
    x = np.atleast_2d(np.asarray(series, np.float64))
    n = x.shape[1]
    max_lag = n // 4 if max_lag is None else int(max_lag)
    x = x - x.mean(axis=1, keepdims=True)
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(x, size, axis=1)
    c = np.fft.irfft(spectrum * np.conj(spectrum), size, axis=1)[:, :max_lag + 1] / np.arange(n, n - max_lag - 1, -1)
    c = c.mean(axis=0)
    return c / c[0] if c[0] > 0 else np.full_like(c, np.nan)


def time_series(result, observable="energy", max_lag=None, axes=None):
    """A Monte Carlo time series and its autocorrelation function with tau_int.

    Parameters
    ----------
    result : MonteCarloResults
        From ``MonteCarlo.run(..., series=True)``.
    observable : {"energy", "magnetization"}
    max_lag : int, optional
        Lags shown (default: 10 tau_int, at least 20).
    axes : pair of matplotlib Axes, optional

    Returns
    -------
    axes : ndarray of two Axes
        The series by chain, then rho(t) with exp(-t / tau_int) and the window.

    Examples
    --------
    >>> import boltzmann as bz
    >>> r = bz.MonteCarlo(bz.IsingModel.square(8, 8), 0.4, chains=2, seed=1).run(500, series=True)
    >>> len(bz.plot.time_series(r))
    2
    """
    series = getattr(result, f"{observable}_series", None)
    if series is None:
        raise ValueError(f"the result has no {observable} series: run with series=True")
    if axes is None:
        axes = _pyplot().subplots(2, 1, figsize=(6.4, 6.0), constrained_layout=True)[1]
    top, bottom = axes
    for k, chain in enumerate(np.atleast_2d(series)):
        top.plot(chain, lw=0.6, label=f"chain {k}" if k < 8 else None)
    estimate = getattr(result, observable)
    top.axhline(estimate.mean, color="k", lw=1)
    top.set_xlabel("measurement")
    top.set_ylabel(f"{observable} per spin")
    top.set_title(f"{observable} = {estimate.mean:.5g} ± {estimate.error:.2g}")
    tau = estimate.tau
    lag = int(max(20, 10 * tau)) if max_lag is None else int(max_lag)
    lag = min(lag, np.atleast_2d(series).shape[1] - 1)
    rho = autocorrelation(series, lag)
    t = np.arange(lag + 1)
    bottom.plot(t, rho, ".-", ms=3, label="ρ(t)")
    if math.isfinite(tau) and tau > 0:
        bottom.plot(t, np.exp(-t / tau), "k--", lw=1, label=f"exp(-t/τ), τ_int = {tau:.3g}")
    bottom.axhline(0, color="0.6", lw=0.8)
    bottom.set_xlabel("lag t (measurements)")
    bottom.set_ylabel("autocorrelation ρ(t)")
    bottom.legend(frameon=False)
    return np.asarray(axes)


def density_of_states(dos, per_spin=None, ax=None, **style):
    """ln g(E) of an exact density of states.

    Parameters
    ----------
    dos : DensityOfStates, ExactDOS or WangLandauDOS
        From ``IsingModel.density_of_states()``, ``ising.square_dos()`` or
        ``IsingModel.wang_landau()`` (any object with ``energies`` and ``log_g`` or
        ``counts``).
    per_spin : int, optional
        Draw E/N and ln g / N.
    ax : matplotlib Axes, optional
    **style
        Passed to matplotlib's drawing call.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import boltzmann as bz
    >>> ax = bz.plot.density_of_states(bz.IsingModel.square(4, 4).density_of_states())
    >>> ax.get_ylabel()
    'ln g(E)'
    """
    ax = _axes(ax)
    e = dos.energies.astype(np.float64)
    log_g = np.asarray(dos.log_g) if hasattr(dos, "log_g") else np.log(dos.counts.astype(np.float64))
    n = per_spin or 1
    ax.plot(e / n, log_g / n, style.pop("marker", "o-"), ms=style.pop("ms", 3), **style)
    ax.set_xlabel("energy E" + (" per spin" if per_spin else ""))
    ax.set_ylabel("ln g(E)" + (" per spin" if per_spin else ""))
    return ax


def overlap_distribution(result, ax=None, cmap="viridis"):
    """P(q) of a spin glass at each beta of a parallel-tempering run.

    Parameters
    ----------
    result : TemperingResults
        With two or more replicas (overlaps measured).
    ax : matplotlib Axes, optional
    cmap : str
        Colours by beta (dark: hot).

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import boltzmann as bz
    >>> r = bz.parallel_tempering(bz.IsingModel.sk(16, seed=1), bz.beta_schedule("geometric", 0.3, 2.0, 6), 500)
    >>> ax = bz.plot.overlap_distribution(r)
    """
    if result.overlap is None:
        raise ValueError("the run measured no overlaps: use two or more replicas")
    plt = _pyplot()
    ax = _axes(ax)
    colours = plt.get_cmap(cmap)(np.linspace(0, 1, len(result.betas)))
    for beta, p, colour in zip(result.betas, result.overlap, colours):
        ax.plot(result.q_values, p, color=colour, lw=1.2, label=f"β = {beta:.3g}")
    ax.set_xlabel("overlap q")
    ax.set_ylabel("P(q)")
    if len(result.betas) <= 10:
        ax.legend(frameon=False, fontsize="small")
    return ax


def binder(results_by_size, x="T", ax=None):
    """Binder cumulants U4 against temperature for several system sizes: their
    crossing locates the critical point.

    Parameters
    ----------
    results_by_size : dict
        Linear size L to a sequence of MonteCarloResults (one per beta).
    x : {"T", "beta"}
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import boltzmann as bz
    >>> runs = {L: [bz.MonteCarlo(bz.IsingModel.square(L, L), b, algorithm="wolff", chains=2, seed=1).run(200)
    ...             for b in (0.40, 0.44, 0.48)] for L in (4, 8)}
    >>> ax = bz.plot.binder(runs)
    """
    ax = _axes(ax)
    for size, results in sorted(results_by_size.items()):
        thermo(list(results), "binder", x=x, ax=ax, label=f"L = {size}", fmt="o-")
    ax.set_ylabel("Binder cumulant U₄ = 1 - ⟨m⁴⟩ / 3⟨m²⟩²")
    return ax


def spins(configuration, shape=None, ax=None, cmap="gray_r"):
    """A spin configuration of a lattice as an image (black: +1).

    Parameters
    ----------
    configuration : array_like of ±1
        N spins (row-major), or already (rows, columns).
    shape : (int, int), optional
        The lattice's (rows, columns); default square.
    ax : matplotlib Axes, optional
    cmap : str

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> ax = bz.plot.spins(np.where(np.random.default_rng(0).random(64) < 0.5, -1, 1))
    """
    s = np.asarray(configuration)
    if shape is not None:
        s = s.reshape(shape)
    elif s.ndim == 1:
        side = math.isqrt(s.size)
        if side * side != s.size:
            raise ValueError(f"{s.size} spins are not a square lattice: give shape=(rows, columns)")
        s = s.reshape(side, side)
    ax = _axes(ax)
    ax.imshow(s, cmap=cmap, vmin=-1, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{s.shape[0]} x {s.shape[1]}, m = {s.mean():.3f}")
    return ax


def capacity(curve, alpha_c=0.138, ax=None, **style):
    """A Hopfield network's retrieval overlap against the load alpha = P/N.

    Parameters
    ----------
    curve : CapacityCurve
        From :func:`boltzmann.hopfield.capacity_curve`.
    alpha_c : float or None
        Marks the theoretical capacity (Amit, Gutfreund & Sompolinsky: 0.138).
    ax : matplotlib Axes, optional
    **style
        Passed to matplotlib's drawing call.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import boltzmann as bz
    >>> ax = bz.plot.capacity(bz.hopfield.capacity_curve(100, [0.05, 0.1, 0.2], trials=2))
    """
    ax = _axes(ax)
    ax.errorbar(curve.alpha, curve.overlap, yerr=curve.error, fmt=style.pop("fmt", "o-"), capsize=2,
                label=style.pop("label", f"N = {curve.n}, {curve.rule}"), **style)
    if alpha_c:
        ax.axvline(alpha_c, color="k", ls="--", lw=1, label=f"α_c = {alpha_c}")
    ax.set_xlabel("load α = P/N")
    ax.set_ylabel("final overlap m")
    ax.set_ylim(min(0.0, float(np.nanmin(curve.overlap)) - 0.05), 1.05)
    ax.legend(frameon=False)
    return ax


def overlap_histogram(overlaps, bins=40, ax=None, **style):
    """The distribution of overlaps m between recalled states and their patterns.

    Parameters
    ----------
    overlaps : array_like
        Overlaps in [-1, 1], e.g. ``np.diag(net.overlaps(recalled))``.
    bins : int
    ax : matplotlib Axes, optional
    **style
        Passed to matplotlib's drawing call.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> ax = bz.plot.overlap_histogram(np.linspace(0.5, 1, 50))
    """
    ax = _axes(ax)
    ax.hist(np.ravel(overlaps), bins=bins, range=(-1, 1), **style)
    ax.set_xlabel("overlap m with the cued pattern")
    ax.set_ylabel("count")
    return ax


def filters(rbm, shape=None, count=None, columns=None, ax=None, cmap="RdBu_r"):
    """An RBM's weight filters, one hidden unit's weights per tile, as one image.

    Parameters
    ----------
    rbm : RBM
    shape : (int, int), optional
        Each filter's image shape (default square).
    count : int, optional
        The first ``count`` hidden units (default all).
    columns : int, optional
        Tiles per row (default about square).
    ax : matplotlib Axes, optional
    cmap : str
        Diverging, centred on 0.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import boltzmann as bz
    >>> ax = bz.plot.filters(bz.RBM(8, random_state=1).initialize(16))
    """
    w = rbm.weights_
    n_hidden = w.shape[1]
    count = n_hidden if count is None else min(int(count), n_hidden)
    mosaic = _mosaic(w[:, :count].T, shape, columns)
    limit = float(np.nanmax(np.abs(mosaic))) or 1.0
    ax = _axes(ax)
    image = ax.imshow(mosaic, cmap=cmap, vmin=-limit, vmax=limit, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, shrink=0.8, label="weight")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"weights of {count} hidden units")
    return ax


def _mosaic(rows_of_pixels, shape=None, columns=None):
    """Images given as rows (count, pixels) tiled into one array, a NaN gap of one pixel
    between tiles: ``columns`` tiles per row (default about square), each of ``shape``
    (default square)."""
    x = np.asarray(rows_of_pixels, dtype=float)
    if x.ndim != 2 or len(x) == 0:
        raise ValueError(f"images must be rows of pixels, shape (count, pixels), got {x.shape}")
    count, pixels = x.shape
    if shape is None:
        side = math.isqrt(pixels)
        if side * side != pixels:
            raise ValueError(f"{pixels} pixels are not a square image: give shape=(rows, columns)")
        shape = (side, side)
    height, width = shape
    if height * width != pixels:
        raise ValueError(f"shape {tuple(shape)} does not hold {pixels} pixels")
    columns = int(columns or math.ceil(math.sqrt(count)))
    tiles_down = math.ceil(count / columns)
    mosaic = np.full((tiles_down * (height + 1) - 1, columns * (width + 1) - 1), np.nan)
    for k in range(count):
        r, c = divmod(k, columns)
        mosaic[r * (height + 1):r * (height + 1) + height, c * (width + 1):c * (width + 1) + width] = x[k].reshape(shape)
    return mosaic


def images(x, shape=None, columns=None, limits=(-1, 1), ax=None, cmap="gray_r", title=None):
    """Images given as rows of pixels (generated digits, say) in one mosaic.

    Parameters
    ----------
    x : array (count, pixels)
    shape : (int, int), optional
        Each image's shape (default square).
    columns : int, optional
        Images per row of the mosaic (default about square).
    limits : (float, float)
        The pixel values drawn white and black (default [-1, 1], the diffusion
        digits' scale; None: the data's range).
    ax : matplotlib Axes, optional
    cmap : str
    title : str, optional

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> import boltzmann as bz
    >>> ax = bz.plot.images(np.linspace(-1, 1, 4 * 64).reshape(4, 64), columns=2)  # four 8 x 8 images
    >>> ax.images[0].get_array().shape  # two by two, a pixel's gap between
    (17, 17)
    """
    mosaic = _mosaic(x, shape, columns)
    low, high = limits if limits is not None else (np.nanmin(mosaic), np.nanmax(mosaic))
    ax = _axes(ax)
    ax.imshow(mosaic, cmap=cmap, vmin=low, vmax=high, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def training(model, ax=None, **style):
    """A training curve: an RBM's per-epoch metric or a score network's loss per step.

    Parameters
    ----------
    model : RBM or MLPScore
        After ``fit`` (``metrics_`` or ``losses_``).
    ax : matplotlib Axes, optional
    **style
        Passed to matplotlib's drawing call.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> rbm = bz.RBM(3, n_iter=20, metric="reconstruction", random_state=1).fit(np.eye(4))
    >>> bz.plot.training(rbm).get_xlabel()
    'epoch'
    """
    ax = _axes(ax)
    if hasattr(model, "losses_"):
        values, xlabel, ylabel = np.asarray(model.losses_), "step", "loss"
    else:
        values, xlabel = np.asarray(model.metrics_), "epoch"
        ylabel = str(model.training_options().get("metric") or "metric")
    ax.plot(np.arange(1, values.size + 1), values, **style)
    if values.size and np.all(values[np.isfinite(values)] > 0):
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def samples(x, data=None, ax=None, size=2, alpha=0.4):
    """Two-dimensional samples, beside the data they should match.

    Parameters
    ----------
    x : array_like, shape (n, 2)
        Samples.
    data : array_like, shape (m, 2), optional
        Reference data, drawn first in grey.
    ax : matplotlib Axes, optional
    size, alpha : float
        Marker size and opacity.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import boltzmann as bz
    >>> ax = bz.plot.samples(bz.datasets.eight_gaussians(500, seed=1), data=bz.datasets.eight_gaussians(500))
    """
    ax = _axes(ax)
    if data is not None:
        d = np.asarray(data)
        ax.scatter(d[:, 0], d[:, 1], s=size, alpha=alpha, color="0.6", label="data", linewidths=0)
    x = np.asarray(x)
    ax.scatter(x[:, 0], x[:, 1], s=size, alpha=alpha, color="C0", label="samples", linewidths=0)
    ax.set_aspect("equal")
    ax.legend(frameon=False, markerscale=4)
    return ax


def trajectories(trajectory, count=30, ax=None, cmap="coolwarm"):
    """Reverse-diffusion paths of 2D samples, from noise (blue) to data (red).

    Parameters
    ----------
    trajectory : array_like, shape (steps, n, 2)
        Samples after each recorded step (``diffusion.sample(..., record=...)``).
    count : int
        Paths drawn (the first ``count`` samples).
    ax : matplotlib Axes, optional
    cmap : str

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np, boltzmann as bz
    >>> score, sde = bz.diffusion.GaussianMixtureScore.eight_gaussians(), bz.diffusion.VPSDE()
    >>> x, path = bz.diffusion.sample(score, sde, 50, steps=50, record=np.arange(5, 51, 5))
    >>> ax = bz.plot.trajectories(path)
    """
    t = np.asarray(trajectory)
    plt = _pyplot()
    ax = _axes(ax)
    colours = plt.get_cmap(cmap)(np.linspace(0, 1, t.shape[0]))
    for k in range(min(count, t.shape[1])):
        ax.plot(t[:, k, 0], t[:, k, 1], color="0.7", lw=0.5)
        ax.scatter(t[:, k, 0], t[:, k, 1], c=colours, s=4, zorder=3)
    ax.set_aspect("equal")
    ax.set_title("reverse diffusion: noise (blue) to data (red)")
    return ax


def score_field(score, sde, t, extent=(-3, 3, -3, 3), grid=25, ax=None):
    """The score grad log p_t as arrows on a grid, at diffusion time ``t``.

    Parameters
    ----------
    score : ScoreModel
        A 2D score (mixture, empirical or learned).
    sde : SDE
    t : float
        Time in (0, 1].
    extent : (xmin, xmax, ymin, ymax)
    grid : int
        Arrows per side.
    ax : matplotlib Axes, optional

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import boltzmann as bz
    >>> ax = bz.plot.score_field(bz.diffusion.GaussianMixtureScore.eight_gaussians(), bz.diffusion.VPSDE(), 0.1)
    """
    xs = np.linspace(extent[0], extent[1], grid)
    ys = np.linspace(extent[2], extent[3], grid)
    gx, gy = np.meshgrid(xs, ys)
    points = np.column_stack([gx.ravel(), gy.ravel()]).astype(np.float32)
    s = np.asarray(score.score(points, float(t), sde), np.float64)
    norm = np.hypot(s[:, 0], s[:, 1])
    ax = _axes(ax)
    ax.quiver(points[:, 0], points[:, 1], s[:, 0] / (norm + 1e-12), s[:, 1] / (norm + 1e-12), np.log1p(norm),
              cmap="viridis", scale=grid * 1.2, width=0.003)
    ax.set_aspect("equal")
    ax.set_title(f"score direction at t = {t:g} (colour: log(1 + |score|))")
    return ax
