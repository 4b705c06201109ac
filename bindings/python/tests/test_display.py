"""Every result and model type displays concisely: a repr of a few lines with arrays
summarised, and an HTML table for Jupyter (values with their errors, units, shapes)."""

import dataclasses
import html.parser
import inspect

import numpy as np
import pytest

import boltzmann as bz
from boltzmann import _display, _handles

#: Lines and characters a repr may take: a glance, not a dump.
MAX_LINES, MAX_CHARS = 16, 1600


def square():
    return bz.IsingModel.square(4, 4)


def glass():
    return bz.IsingModel.sk(12, seed=2)


#: One instance of every result and model type, made by real calls.
MAKERS = {
    "Thermo": lambda: bz.Spectrum([0.0, 1.0, 2.0], [1, 2, 1]).thermo(np.linspace(0.1, 3, 40)),
    "IsingThermo": lambda: square().exact([0.3, 0.44]),
    "ChainThermo": lambda: bz.ising.chain_exact(100, beta=[0.5, 1.0]),
    "GroundState": lambda: glass().ground_state(),
    "DensityOfStates": lambda: square().density_of_states(),
    "Onsager": lambda: bz.ising.onsager(np.linspace(0.3, 0.6, 5)),
    "MeanField": lambda: bz.ising.mean_field(0.5, J=1, z=4),
    "Hysteresis": lambda: bz.ising.hysteresis(0.5, n_steps=101),
    "Macrostates": lambda: bz.macrostates(4, [0.0, 1.0, 2.0]),
    "MeanFieldResult": lambda: bz.mean_field_occupations([0.0, 1.0, 2.0], 0.5, 2.0),
    "Estimate": lambda: bz.MonteCarlo(square(), 0.4, chains=2, seed=1).run(200).energy,
    "MonteCarloResults": lambda: bz.MonteCarlo(square(), 0.4, chains=2, seed=1).run(300, series=True),
    "Equilibration": lambda: _equilibration(),
    "TemperingResults": lambda: bz.parallel_tempering(glass(), bz.beta_schedule("geometric", 0.4, 3.0, 6), 200),
    "AnnealResults": lambda: bz.anneal(bz.IsingModel.sk(64, seed=5), sweeps=2, reads=32),
    "AnnealedImportance": lambda: glass().ais(np.linspace(0, 1, 20), runs=10),
    "PopulationAnnealing": lambda: glass().population_annealing(np.linspace(0, 1, 10), replicas=10, populations=2),
    "KasteleynMatrix": lambda: bz.IsingModel.square(2, 3, periodic=False).kasteleyn(0.5),
    "WangLandauDOS": lambda: bz.IsingModel.square(3, 3).wang_landau(final_log_f=1e-3, seed=1),
    "ExactDOS": lambda: bz.ising.square_dos(4, 4),
    "WangLandauThermo": lambda: bz.IsingModel.square(3, 3).wang_landau(final_log_f=1e-3, seed=1).thermo([0.3, 0.6]),
    "Factorization": lambda: bz.pbits.factor(15, sweeps=2000),
    "LogEstimate": lambda: bz.RBM(3, random_state=1).initialize(6).log_partition("ais", runs=20,
                                                                                 betas=np.linspace(0, 1, 100)),
    "CapacityCurve": lambda: bz.hopfield.capacity_curve(100, [0.05, 0.3], trials=2),
    "SpuriousStates": lambda: bz.hopfield.spurious_states(_hopfield(), count=4),
    "LogLikelihood": lambda: bz.diffusion.log_likelihood(bz.diffusion.GaussianMixtureScore.eight_gaussians(),
                                                         bz.diffusion.VPSDE(), np.zeros((3, 2))),
    "Spectrum": lambda: bz.Spectrum(np.linspace(0, 1, 1000)),
    "IsingModel": square,
    "MonteCarlo": lambda: bz.MonteCarlo(square(), 0.4, chains=2, seed=1),
    "ParallelTempering": lambda: bz.ParallelTempering(glass(), [0.5, 1.0, 2.0]),
    "PBitCircuit": bz.pbits.and_gate,
    "RBM": lambda: bz.RBM(16, n_iter=3, random_state=1).fit(np.eye(9)),
    "Hopfield": lambda: _hopfield(),
    "DenseHopfield": lambda: bz.DenseHopfield(np.eye(4, dtype=np.float32), beta=2.0),
    "VPSDE": bz.diffusion.VPSDE,
    "SubVPSDE": bz.diffusion.SubVPSDE,
    "VESDE": bz.diffusion.VESDE,
    "DDPM": lambda: bz.diffusion.DDPM(schedule="cosine"),
    "GaussianMixtureScore": bz.diffusion.GaussianMixtureScore.eight_gaussians,
    "EmpiricalScore": lambda: bz.diffusion.EmpiricalScore(bz.datasets.eight_gaussians(32)),
    "CallableScore": lambda: bz.diffusion.CallableScore(lambda x, t: -x, dim=2),
    "MLPScore": lambda: bz.diffusion.MLPScore(2, hidden=(16,), seed=0).fit(
        bz.datasets.eight_gaussians(256), bz.diffusion.VPSDE(), steps=5),
}


def _hopfield():
    patterns = np.random.default_rng(0).choice(np.array([-1, 1], np.int8), size=(5, 100))
    return bz.Hopfield(100).store(patterns)


def _equilibration():
    mc = bz.MonteCarlo(square(), 0.4, chains=2, seed=1)
    mc.run(400)
    return mc.equilibration("energy")


def public_types():
    """Every result dataclass and handle-owning model the package exports, by name."""
    found = {}
    for module in (bz.thermo, bz.ising, bz.microstates, bz.occupations, bz.montecarlo, bz.tempering, bz.pbits,
                   bz.rbm, bz.hopfield, bz.diffusion):
        for name, cls in vars(module).items():
            if not inspect.isclass(cls) or name.startswith("_") or cls.__module__ != module.__name__:
                continue
            if dataclasses.is_dataclass(cls) or (issubclass(cls, _handles.HandleOwner) and cls.__subclasses__() == []):
                found[name] = cls
    return found


def test_every_type_has_a_maker():
    assert sorted(public_types()) == sorted(MAKERS)


def test_results_and_models_use_the_display():
    for name, cls in public_types().items():
        if dataclasses.is_dataclass(cls):
            assert issubclass(cls, _display.Result), name
            assert "__repr__" not in vars(cls), f"{name}: dataclass(repr=False) keeps Result's repr"
        else:
            assert cls._summary is not _handles.HandleOwner._summary, f"{name} has no _summary"


class _Checker(html.parser.HTMLParser):
    """Collects tags and text; fails on unbalanced tables, rows and cells."""

    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def instances():
    return {name: make() for name, make in MAKERS.items()}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_repr_is_a_glance(name, instances):
    text = repr(instances[name])
    assert text.startswith(name), text[:80]
    assert len(text.splitlines()) <= MAX_LINES and len(text) <= MAX_CHARS, text
    assert "...," not in text and "[[" not in text, "numpy's own array repr leaked in"


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_html_is_a_balanced_table(name, instances):
    out = instances[name]._repr_html_()
    checker = _Checker()
    checker.feed(out)
    checker.close()
    assert checker.stack == [] and "table" in checker.tags and "caption" in checker.tags
    assert name in "".join(checker.text)
    assert len(out) < 20_000


def test_estimates_show_their_errors(instances):
    r = instances["MonteCarloResults"]
    text, page = repr(r), r._repr_html_()
    assert f"energy={r.energy.mean:.6g} ± {r.energy.error:.2g}" in text
    assert f"±&nbsp;{r.heat_capacity.error:.2g}" in page and "int" in page  # the τ_int column
    assert "float64 array 2x300" in text  # the series, summarised
    log_z = instances["LogEstimate"]  # alone, every field; printed, value ± error
    assert repr(log_z).startswith(f"LogEstimate(value={log_z.value:.6g}, stderr={log_z.stderr:.6g}")
    assert str(log_z) == f"{log_z.value:.6g} ± {log_z.stderr:.2g}"


def test_thermodynamics_display_as_tables(instances):
    t = instances["Thermo"]
    lines = repr(t).splitlines()
    assert lines[0] == "Thermo at 40 points:" and lines[1].split() == [
        "beta", "log_z", "free_energy", "energy", "entropy", "heat_capacity"]
    assert len(lines) == 2 + _display._TABLE_ROWS + 1  # first and last rows, an ellipsis row
    assert lines[2].split()[0] == "0.1" and lines[-1].split()[0] == "3"
    page = t._repr_html_()
    assert page.count("<tr>") == 1 + _display._TABLE_ROWS + 1 and "C <small>(k_B)</small>" in page
    assert "(40 rows, 12 shown)" in page


def test_large_arrays_are_summarised_not_printed(instances):
    a = instances["AnnealResults"]
    text = repr(a)
    assert "int8 array 32x64 in [-1, 1]" in text and len(text) < 400


def test_closed_handles_say_so():
    s = bz.Spectrum([0.0, 1.0])
    s.close()
    assert repr(s) == "Spectrum(<closed>)" and "closed" in s._repr_html_()


def test_capacity_curve_still_unpacks(instances):
    curve = instances["CapacityCurve"]
    overlap, error = curve
    assert overlap is curve.overlap and error is curve.error and curve.alpha.tolist() == [0.05, 0.3]
