"""The progress contract (header, core section): the engine counts the work. The first
report is done = 0 with the call's total, counts never go back, and the last report is
done == total. Each total here is the header's formula for that call."""

import numpy as np
import pytest

import boltzmann as bz


def reports(call):
    seen = []
    call(lambda done, total: seen.append((done, total)) or True)
    return seen


def square():
    return bz.IsingModel.square(4, 4, J=1.0)


CALLS = {
    # chains x (burn_in + sweeps)
    "mc_run": (lambda p: bz.MonteCarlo(square(), 0.4, chains=3).run(50, burn_in=10, progress=p), 3 * 60),
    # replicas x betas x rounds x swap_every: 1 burn-in round (5 sweeps rounded up) + 20 / 5
    "pt_run": (lambda p: bz.ParallelTempering(square(), [0.2, 0.3, 0.4], replicas=2).run(20, burn_in=5, swap_every=5,
                                                                                         progress=p), 6 * 5 * 5),
    # reads x betas x sweeps per beta
    "anneal": (lambda p: bz.anneal(square(), [0.1, 0.2, 0.3, 0.4, 0.5], sweeps=7, reads=2, progress=p), 2 * 5 * 7),
    # 2^N states
    "exact": (lambda p: square().exact(1.0, progress=p), 2**16),
    # epochs
    "rbm_fit": (lambda p: bz.RBM(3, n_iter=4, random_state=1).fit(np.eye(4), progress=p), 4),
    # 2^(smaller layer) states
    "rbm_exact": (lambda p: bz.RBM(3, random_state=1).initialize(6).log_partition(progress=p), 2**3),
    # grid steps
    "diffusion": (lambda p: bz.diffusion.sample(bz.diffusion.GaussianMixtureScore([1.0], [[0.0]], [1.0]),
                                                bz.diffusion.VPSDE(), 5, steps=20, progress=p), 20),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_engine_counts_the_work(name):
    call, total = CALLS[name]
    seen = reports(call)
    assert seen[0] == (0, total)
    assert seen[-1] == (total, total)
    assert all(t == total for _, t in seen)
    assert all(a <= b for (a, _), (b, _) in zip(seen, seen[1:]))


# --- the progress display: bz.set_progress, BOLTZMANN_PROGRESS, bars -----------------

from boltzmann import _progress  # noqa: E402


@pytest.fixture
def mode():
    previous = bz.get_progress()
    yield
    bz.set_progress(previous)


def long_fit():
    """An RBM fit whose engine reports a metric with each epoch."""
    return bz.RBM(3, n_iter=50, metric="reconstruction", random_state=1).fit(np.eye(4))


def test_set_progress_returns_the_previous_mode_and_refuses_others(mode):
    bz.set_progress("auto")
    assert bz.set_progress(False) == "auto"
    assert bz.get_progress() is False
    with pytest.raises(ValueError, match="auto"):
        bz.set_progress("sometimes")
    assert bz.get_progress() is False
    bz.set_progress(1)
    assert bz.get_progress() is True


def test_auto_mode_shows_no_bar_for_a_short_call(mode, capsys):
    bz.set_progress("auto")
    long_fit()
    assert capsys.readouterr().err == ""


def test_auto_mode_shows_a_bar_once_a_call_is_projected_to_last(mode, capsys, monkeypatch):
    """The projection (elapsed x total / done) is compared with _WORTH_SHOWING: at 0 s
    every call qualifies once _FIRST_LOOK has passed (also 0 here)."""
    bz.set_progress("auto")
    monkeypatch.setattr(_progress, "_WORTH_SHOWING", 0.0)
    monkeypatch.setattr(_progress, "_FIRST_LOOK", 0.0)
    long_fit()
    err = capsys.readouterr().err
    assert "RBM.fit" in err and "50/50" in err and "epochs" in err and "reconstruction=" in err


def test_a_calls_own_argument_overrides_the_mode(mode, capsys):
    bz.set_progress(True)
    bz.RBM(3, n_iter=5, random_state=1).fit(np.eye(4), progress=False)
    assert capsys.readouterr().err == ""
    bz.set_progress(False)
    square().exact(0.5, progress=True)
    err = capsys.readouterr().err
    assert "IsingModel.exact" in err and "65536/65536" in err


def test_without_tqdm_a_text_line_not_silence(mode, capsys, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "tqdm", None)  # import tqdm now fails
    _progress._bar_class.cache_clear()
    bz.set_progress(True)
    try:
        long_fit()
    finally:
        _progress._bar_class.cache_clear()
    err = capsys.readouterr().err
    assert "RBM.fit: 50/50 epochs (100%)" in err and "reconstruction=" in err


@pytest.mark.parametrize("text, expected", [("0", False), ("off", False), ("1", True), ("auto", "auto"),
                                            ("sometimes", "auto")])
def test_environment_sets_the_mode_at_import(text, expected):
    import subprocess
    import sys

    from conftest import child_env
    out = subprocess.run([sys.executable, "-W", "always", "-c", "import boltzmann as bz; print(bz.get_progress())"],
                         env=child_env(BOLTZMANN_PROGRESS=text), capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(expected)
    assert ("BOLTZMANN_PROGRESS" in out.stderr) == (text == "sometimes")


def test_auto_mode_leaves_worker_threads_quiet(mode, capsys, monkeypatch):
    """Bars from a thread pool's workers would interleave: auto mode shows bars for the
    main thread's calls only (progress=True still shows them anywhere)."""
    import threading
    bz.set_progress("auto")
    monkeypatch.setattr(_progress, "_WORTH_SHOWING", 0.0)
    monkeypatch.setattr(_progress, "_FIRST_LOOK", 0.0)
    worker = threading.Thread(target=long_fit)
    worker.start()
    worker.join()
    assert capsys.readouterr().err == ""
    worker = threading.Thread(target=lambda: bz.RBM(3, n_iter=5, random_state=1).fit(np.eye(4), progress=True))
    worker.start()
    worker.join()
    assert "RBM.fit" in capsys.readouterr().err


def test_a_bar_starts_no_thread(mode):
    """tqdm's monitor thread is off for the library's bars: a call must not make threads
    come and go in a process that may fork (test_fork)."""
    import threading
    bz.set_progress(True)
    long_fit()  # the first long call from the main thread starts the helper thread (_progress)
    before = threading.enumerate()
    long_fit()
    assert threading.enumerate() == before
