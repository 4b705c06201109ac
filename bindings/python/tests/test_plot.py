"""boltzmann.plot: every figure renders (Agg) and returns its Axes; a few match stored
baselines within a tolerance; the results' .plot() methods delegate; without
matplotlib the error says what to install.

Baselines are drawn without text (ticks, labels and titles vary with fonts and
matplotlib versions; the curves do not) from exact, deterministic inputs. Regenerate
them with BOLTZMANN_UPDATE_BASELINES=1 after an intended change, and look at them."""

import os
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.testing.compare import compare_images  # noqa: E402
from matplotlib.testing.decorators import remove_ticks_and_titles  # noqa: E402

import boltzmann as bz  # noqa: E402
from boltzmann import plot  # noqa: E402

BASELINE = Path(__file__).with_name("baseline")
#: RMS difference allowed against a baseline, in 8-bit grey levels: anti-aliasing and
#: rasteriser versions move edges by a fraction of a pixel; a wrong curve moves far more.
TOLERANCE = 6.0


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def small_mc(series=False):
    return bz.MonteCarlo(bz.IsingModel.square(8, 8), 0.4, chains=2, seed=1).run(400, series=series)


FIGURES = {
    "thermo": lambda: plot.thermo(bz.IsingModel.square(4, 4).exact(np.linspace(0.2, 0.8, 30)), per_spin=16,
                                  exact="onsager"),
    "thermo_mc": lambda: plot.thermo([bz.MonteCarlo(bz.IsingModel.square(8, 8), b, chains=2, seed=1).run(200)
                                      for b in (0.3, 0.5)], "energy", x="beta", exact="mean_field"),
    "time_series": lambda: plot.time_series(small_mc(series=True)),
    "density_of_states": lambda: plot.density_of_states(bz.IsingModel.square(4, 4).density_of_states(), per_spin=16),
    "overlap_distribution": lambda: plot.overlap_distribution(
        bz.parallel_tempering(bz.IsingModel.sk(12, seed=1), bz.beta_schedule("geometric", 0.3, 2.0, 4), 200)),
    "binder": lambda: plot.binder({L: [bz.MonteCarlo(bz.IsingModel.square(L, L), b, algorithm="wolff", chains=2,
                                                     seed=1).run(100) for b in (0.4, 0.48)] for L in (4, 6)}),
    "spins": lambda: plot.spins(np.where(np.arange(64) % 3 == 0, 1, -1)),
    "capacity": lambda: plot.capacity(bz.hopfield.capacity_curve(60, [0.05, 0.2], trials=2)),
    "overlap_histogram": lambda: plot.overlap_histogram(np.linspace(-0.2, 1, 30)),
    "filters": lambda: plot.filters(bz.RBM(6, random_state=1).initialize(16)),
    "images": lambda: plot.images(np.sin(np.arange(12 * 64).reshape(12, 64)), columns=5, title="twelve 8 x 8 images"),
    "training": lambda: plot.training(bz.RBM(3, n_iter=10, metric="reconstruction", random_state=1).fit(np.eye(4))),
    "samples": lambda: plot.samples(bz.datasets.eight_gaussians(200, seed=1), data=bz.datasets.eight_gaussians(200)),
    "trajectories": lambda: plot.trajectories(bz.diffusion.sample(
        bz.diffusion.GaussianMixtureScore.eight_gaussians(), bz.diffusion.VPSDE(), 20, steps=20,
        record=[5, 10, 15, 20])[1]),
    "score_field": lambda: plot.score_field(bz.diffusion.GaussianMixtureScore.eight_gaussians(),
                                            bz.diffusion.VPSDE(), 0.2, grid=10),
}


def test_every_function_has_a_figure():
    drawn = {name.removesuffix("_mc") for name in FIGURES}
    assert drawn == set(plot.__all__) - {"autocorrelation"}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_renders(name, tmp_path):
    axes = FIGURES[name]()
    first = np.ravel(axes)[0]
    assert isinstance(first, matplotlib.axes.Axes)
    assert first.has_data() or first.images
    path = tmp_path / f"{name}.png"
    first.figure.savefig(path, dpi=60)
    image = plt.imread(path)
    assert image.shape[0] > 100 and image.shape[1] > 100
    assert image[..., :3].std() > 0.02, "a blank figure"


def _baseline(name, draw, tmp_path):
    fig, ax = plt.subplots(figsize=(4, 3))
    draw(ax)
    remove_ticks_and_titles(fig)
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    actual = tmp_path / f"{name}.png"
    fig.savefig(actual, dpi=72)
    expected = BASELINE / f"{name}.png"
    if os.environ.get("BOLTZMANN_UPDATE_BASELINES"):
        expected.write_bytes(actual.read_bytes())
    result = compare_images(str(expected), str(actual), tol=TOLERANCE)
    assert result is None, result


def test_baseline_onsager_and_kaufman(tmp_path):
    """The exact heat capacity of the 16 x 16 torus (Kaufman) under Onsager's."""
    t = bz.ising.square_exact(16, 16, np.linspace(0.25, 0.7, 200))
    _baseline("thermo_kaufman_onsager", lambda ax: plot.thermo(t, per_spin=256, exact="onsager", ax=ax), tmp_path)


def test_baseline_spins(tmp_path):
    stripes = np.where((np.arange(256) // 16 + np.arange(256) % 16) % 5 < 2, 1, -1)
    _baseline("spins_stripes", lambda ax: plot.spins(stripes, ax=ax), tmp_path)


def test_baseline_capacity(tmp_path):
    from boltzmann.hopfield import CapacityCurve
    curve = CapacityCurve(np.array([0.05, 0.1, 0.15, 0.2]), np.array([1.0, 0.99, 0.8, 0.3]),
                          np.array([0.0, 0.01, 0.05, 0.08]), 500, "hebb")
    _baseline("capacity_fixed", lambda ax: plot.capacity(curve, ax=ax), tmp_path)


def test_result_methods_delegate():
    assert isinstance(bz.Spectrum([0.0, 1.0]).thermo([0.5, 1.0]).plot("energy"), matplotlib.axes.Axes)
    assert isinstance(bz.ising.onsager([0.3, 0.5]).plot(), matplotlib.axes.Axes)
    assert isinstance(bz.IsingModel.square(4, 4).density_of_states().plot(), matplotlib.axes.Axes)
    assert len(small_mc(series=True).plot("magnetization")) == 2
    assert isinstance(bz.hopfield.capacity_curve(40, [0.1], trials=2).plot(), matplotlib.axes.Axes)
    with pytest.raises(ValueError, match="series=True"):
        small_mc().plot()


def test_autocorrelation_of_an_ar1_process():
    """rho(t) = a^t for x_k = a x_(k-1) + noise, within 4 standard errors (Bartlett:
    at most sqrt((1 + a^2) / ((1 - a^2) n)))."""
    rng = np.random.default_rng(3)
    a, n = 0.8, 200_000
    noise = rng.standard_normal(n)
    x = np.empty(n)
    x[0] = noise[0]
    for k in range(1, n):
        x[k] = a * x[k - 1] + noise[k]
    rho = plot.autocorrelation(x, 10)
    assert np.abs(rho - a ** np.arange(11)).max() < 4 * np.sqrt((1 + a**2) / (1 - a**2) / n)


def test_missing_matplotlib_says_what_to_install(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot.spins(np.ones(4))


def test_images_are_tiled_in_order_and_shapes_are_checked():
    from boltzmann.plot import _mosaic
    x = np.arange(3 * 6).reshape(3, 6)
    mosaic = _mosaic(x, shape=(2, 3), columns=2)  # two tiles across, a NaN gap between
    assert mosaic.shape == (2 * 3 - 1, 2 * 4 - 1)
    assert np.array_equal(mosaic[0:2, 0:3], x[0].reshape(2, 3)) and np.array_equal(mosaic[0:2, 4:7], x[1].reshape(2, 3))
    assert np.array_equal(mosaic[3:5, 0:3], x[2].reshape(2, 3)) and np.isnan(mosaic[3:5, 4:7]).all()
    with pytest.raises(ValueError, match="not a square"):
        plot.images(np.zeros((2, 6)))
    with pytest.raises(ValueError, match="does not hold"):
        plot.images(np.zeros((2, 6)), shape=(2, 2))
    with pytest.raises(ValueError, match="rows of pixels"):
        plot.images(np.zeros(6))
