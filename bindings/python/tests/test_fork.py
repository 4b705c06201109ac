"""Fork safety: what multiprocessing, joblib/loky, Dask's nanny and Jupyter users do.

The parent keeps the library busy on other threads -- one creates and frees handles
of every kind in a loop, one runs two-thread parallel calls, one keeps a Monte Carlo
sampler inside `run` -- while the main thread forks. Every child must run the library
at once (handle registry, worker pool, the sampler that was busy in the parent) and
get the parent's results bit for bit; a crash, a wrong result or a hang (no exit
within 30 s) fails the test. Before the library's locks became fork-safe, a child
forked while another thread was inside any bz_ call died on its first call (SIGILL,
"Unknown error occurred while attempting to acquire a Mutex").

BOLTZMANN_FORKS sets the forks per start method (default 1000)."""

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

import boltzmann as bz
from boltzmann import diffusion

FORKS = int(os.environ.get("BOLTZMANN_FORKS", "1000"))
HANG = 30.0  # seconds before a child counts as hung


def work(busy):
    """What a child computes: an exact log Z, a two-chain Monte Carlo run (the worker
    pool), a learned score and the sampler that was busy in the parent at the fork."""
    model = bz.IsingModel.square(3, 4)
    log_z = model.exact(0.4).log_z
    mc = bz.MonteCarlo(model, 0.4, "heat_bath", chains=2, seed=3).run(50, series=True)
    score = SCORE.score(POINTS, 0.5, diffusion.VPSDE())
    busy.run(5)  # BUSY in the parent, when another thread was inside run()
    return log_z, mc.energy_series.tobytes(), score.tobytes()


SCORE = diffusion.MLPScore(2, hidden=(16, 16), seed=1)
POINTS = np.random.default_rng(0).normal(size=(600, 2)).astype(np.float32)


class Load:
    """Threads keeping the library busy while the main thread forks."""

    def __init__(self):
        self.stop = threading.Event()
        self.busy = bz.MonteCarlo(bz.IsingModel.square(16), 0.4, "metropolis", chains=2, seed=1)
        self.calls = 0
        self.errors = []
        self.threads = [threading.Thread(target=self.guard, args=(f,), daemon=True) for f in (self.churn, self.parallel, self.long_run)]

    def guard(self, body):
        try:
            body()
        except BaseException as e:  # noqa: BLE001 - reported by __exit__
            self.errors.append(e)

    def churn(self):
        while not self.stop.is_set():
            with bz.IsingModel.chain(8) as m, bz.Spectrum([0.0, 1.0, 2.0]), bz.RBM(4).initialize(6), bz.Hopfield(16):
                bz.MonteCarlo(m, 0.5, "heat_bath", chains=1, seed=1).close()
            self.calls += 1

    def parallel(self):
        glass = bz.IsingModel.sk(14, seed=2)
        while not self.stop.is_set():
            bz.MonteCarlo(glass, 1.0, "metropolis", "random", chains=2, seed=4).run(200)
            self.calls += 1

    def long_run(self):
        while not self.stop.is_set():
            self.busy.run(2000)

    def __enter__(self):
        for t in self.threads:
            t.start()
        time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()
        assert not self.errors, self.errors


def wait(pid, deadline):
    """The child's exit status, or None if it is still running at the deadline (killed)."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(0.001)


def child_main(busy, expected):
    try:
        code = 0 if work(busy) == expected else 3
    except BaseException:  # noqa: BLE001 - any failure is a failed child
        code = 4
    os._exit(code)


@pytest.fixture(scope="module")
def expected():
    return work(bz.MonteCarlo(bz.IsingModel.square(4), 0.4, chains=1, seed=1))


def test_os_fork_under_load(expected):
    outcomes = {"ok": 0, "crashed": 0, "wrong": 0, "hung": 0}
    with Load() as load:
        for _ in range(FORKS):
            pid = os.fork()
            if pid == 0:
                child_main(load.busy, expected)
            status = wait(pid, time.monotonic() + HANG)
            if status is None:
                outcomes["hung"] += 1
            elif os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
                outcomes["ok"] += 1
            elif os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3:
                outcomes["wrong"] += 1
            else:
                outcomes["crashed"] += 1
        calls = load.calls
    print(f"os.fork: {outcomes}, {calls} library calls on other threads meanwhile")
    assert outcomes["ok"] == FORKS, outcomes
    assert calls > 0


def test_multiprocessing_fork_under_load(expected):
    context = multiprocessing.get_context("fork")
    failures = []
    with Load() as load:
        for _ in range(FORKS):
            p = context.Process(target=child_main, args=(load.busy, expected))
            p.start()
            p.join(HANG)
            if p.is_alive():
                p.kill()
                p.join()
                failures.append("hung")
            elif p.exitcode != 0:
                failures.append(p.exitcode)
    print(f"multiprocessing (fork): {FORKS - len(failures)} of {FORKS} children ok")
    assert not failures, failures[:20]


def pooled_work(_):
    return work(BUSY)


BUSY = None


def test_process_pool_executor_under_load(expected):
    """ProcessPoolExecutor forks its workers when the pool starts: a new pool of two
    workers per round, each worker running a few tasks."""
    global BUSY
    context = multiprocessing.get_context("fork")
    rounds, results = FORKS // 2, []
    with Load() as load:
        BUSY = load.busy
        for _ in range(rounds):
            with ProcessPoolExecutor(2, mp_context=context) as pool:
                results += list(pool.map(pooled_work, range(4), timeout=HANG))
    print(f"ProcessPoolExecutor (fork): {2 * rounds} workers forked, {len(results)} tasks")
    assert len(results) == 4 * rounds and all(r == expected for r in results)
