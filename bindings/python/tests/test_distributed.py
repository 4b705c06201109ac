"""Sweeps on a Dask LocalCluster of two worker processes and on joblib's loky workers:
the same bits as a serial run with the same seeds, the engine's threads bounded per
worker, engine objects crossing to workers by pickling."""

import os
import time

import numpy as np
import pytest

import boltzmann as bz
from boltzmann.distributed import grid, sweep

distributed = pytest.importorskip("distributed")


def glass_energy(size, beta, seed):
    """Temperature x size x disorder: one Edwards-Anderson sample per seed."""
    model = bz.IsingModel.edwards_anderson((size, size), seed=seed)
    r = bz.MonteCarlo(model, beta, chains=2, seed=seed).run(20000, burn_in=2000)
    return r.energy.mean, r.energy.error, bz.get_num_threads(), os.getpid()


def tempering_overlap(seed):
    """Parallel-tempering replicas of one SK sample."""
    pt = bz.ParallelTempering(bz.IsingModel.sk(24, seed=seed), bz.beta_schedule("geometric", 0.3, 2.0, 8), seed=seed)
    return pt.run(1000, burn_in=100).overlap


POINTS = grid(size=[16, 24], beta=[0.5, 1.0, 2.0], seed=[1, 2, 3])


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        yield client


def test_dask_sweep_is_bit_identical_to_the_serial_run(client):
    start = time.perf_counter()
    serial = sweep(glass_energy, POINTS, client="serial")
    serial_seconds = time.perf_counter() - start
    start = time.perf_counter()
    on_dask = sweep(glass_energy, POINTS, client=client)
    print(f"\n{len(POINTS)} points: serial {serial_seconds:.2f} s, 2 Dask workers {time.perf_counter() - start:.2f} s")
    assert [r[:2] for r in on_dask] == [r[:2] for r in serial]  # exact equality: the same bits
    assert {r[2] for r in on_dask} == {1}  # each worker's engine bounded by its nthreads = 1
    assert len({r[3] for r in on_dask} - {os.getpid()}) == 2  # both worker processes ran points
    replicas = sweep(tempering_overlap, {"seed": [4, 5]}, client=client)
    for a, b in zip(replicas, sweep(tempering_overlap, {"seed": [4, 5]}, client="serial")):
        assert np.array_equal(a, b)


def test_the_current_client_is_used_when_none_is_given(client):
    assert {r[3] for r in sweep(glass_energy, POINTS[:4])} != {os.getpid()}


def test_engine_objects_travel_to_workers_mid_run(client):
    """A sampler scattered to a worker continues there exactly as it would here."""
    sampler = bz.MonteCarlo(bz.IsingModel.square(16), 0.44, "wolff", chains=2, seed=3)
    sampler.run(50)
    remote = client.scatter(sampler)
    there = client.submit(lambda s: s.run(100).energy, remote).result()
    assert there == sampler.run(100).energy


def test_loky_sweep_is_bit_identical_to_the_serial_run():
    serial = sweep(glass_energy, POINTS[:6], client="serial")
    on_loky = sweep(glass_energy, POINTS[:6], client="loky", n_jobs=2)
    assert [r[:2] for r in on_loky] == [r[:2] for r in serial]
    cores = len(os.sched_getaffinity(0))
    assert {r[2] for r in on_loky} == {max(1, cores // 2)}


def test_grid_order_and_mapping_points():
    assert grid(a=[1, 2], b="xy") == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"}, {"a": 2, "b": "y"}]
    assert sweep(lambda a, b: f"{a}{b}", {"a": [1, 2], "b": "xy"}, client="serial") == ["1x", "1y", "2x", "2y"]
