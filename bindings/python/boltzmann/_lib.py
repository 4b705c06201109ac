"""Loading libboltzmann.so and declaring every C function it exports.

``SIGNATURES`` is the binding's whole view of ``include/boltzmann.h``;
``tests/test_header.py`` parses the header with pycparser and checks this table
against it, so the two cannot drift. Functions returning ``bz_status`` raise the
matching :mod:`boltzmann.errors` exception, with ``bz_last_error()`` as message,
through ctypes' ``errcheck``. ctypes releases the GIL during every call.
"""

import ctypes
import os
from ctypes import CFUNCTYPE, POINTER, c_char_p, c_double, c_float, c_int, c_int8, c_int32, c_int64, c_uint64, c_void_p
from pathlib import Path

from .errors import _error_for

#: The library major version and ABI version this binding speaks.
VERSION_MAJOR = 3
ABI_VERSION = 3


def _opaque(name):
    """An opaque handle type: only pointers to it exist, so a wrong handle type is a TypeError."""
    return type(name, (ctypes.Structure,), {"__doc__": f"Opaque ``{name}``."})


bz_spectrum = _opaque("bz_spectrum")
bz_ising = _opaque("bz_ising")
bz_mc = _opaque("bz_mc")
bz_pt = _opaque("bz_pt")
bz_rbm = _opaque("bz_rbm")
bz_circuit = _opaque("bz_circuit")
bz_hopfield = _opaque("bz_hopfield")
bz_dense_hopfield = _opaque("bz_dense_hopfield")
bz_sde = _opaque("bz_sde")
bz_score = _opaque("bz_score")


class bz_sampler_options(ctypes.Structure):
    """``bz_sampler_options`` (field for field as the header declares it)."""
    _fields_ = [("version", c_int32), ("steps", c_int64), ("epsilon", c_double), ("snr", c_double),
                ("langevin_steps", c_int64), ("step_size", c_double), ("denoise", c_int32), ("rtol", c_double),
                ("atol", c_double), ("grid", c_int32), ("rho", c_double), ("sigma_min", c_double),
                ("sigma_max", c_double), ("s_churn", c_double), ("s_tmin", c_double), ("s_tmax", c_double),
                ("s_noise", c_double), ("eta", c_double), ("out_nfe", POINTER(c_double)), ("labels", POINTER(c_int32)),
                ("guidance", c_double), ("known", POINTER(c_float)), ("known_mask", POINTER(ctypes.c_uint8)),
                ("resample", c_int64)]


class bz_likelihood_options(ctypes.Structure):
    """``bz_likelihood_options`` (field for field as the header declares it)."""
    _fields_ = [("version", c_int32), ("divergence", c_int32), ("probes", c_int64), ("epsilon", c_double),
                ("rtol", c_double), ("atol", c_double)]


class bz_rbm_train_options(ctypes.Structure):
    """``bz_rbm_train_options`` (field for field as the header declares it)."""
    _fields_ = [("version", c_int32), ("learning_rate", c_double), ("final_learning_rate", c_double), ("k", c_int64),
                ("persistent_chains", c_int64), ("momentum", c_double), ("weight_decay", c_double),
                ("batch_size", c_int64), ("metric", c_int32)]


class bz_bm_options(ctypes.Structure):
    """``bz_bm_options`` (field for field as the header declares it)."""
    _fields_ = [("version", c_int32), ("learning_rate", c_double), ("momentum", c_double), ("iterations", c_int64),
                ("tolerance", c_double), ("chains", c_int64), ("sweeps", c_int64)]


class bz_wang_landau_options(ctypes.Structure):
    """``bz_wang_landau_options`` (field for field as the header declares it)."""
    _fields_ = [("version", c_int32), ("runs", c_int32), ("bin_width", c_double), ("final_log_f", c_double),
                ("flatness", c_double), ("max_sweeps", c_int64), ("seed", c_uint64)]


class bz_log_z_options(ctypes.Structure):
    """``bz_log_z_options`` (field for field as the header declares it)."""
    _fields_ = [("version", c_int32), ("method", c_int32), ("max_spins", c_int64), ("max_bits", c_int64),
                ("runs", c_int64), ("n_betas", c_int64), ("sweeps", c_int64), ("populations", c_int64),
                ("algorithm", c_int32), ("seed", c_uint64), ("wang_landau", bz_wang_landau_options)]


class bz_train_options(ctypes.Structure):
    """``bz_train_options`` (field for field as the header declares it)."""
    _fields_ = [("version", c_int32), ("steps", c_int64), ("batch_size", c_int64), ("learning_rate", c_double),
                ("final_learning_rate", c_double), ("warmup", c_int64), ("clip", c_double), ("ema", c_double),
                ("epsilon", c_double), ("weighting", c_int32), ("label_dropout", c_double)]


#: ``double (*)(void *user, const double *x, int64_t dim, double *gradient)``: E(x) and grad E.
bz_energy_fn = CFUNCTYPE(c_double, c_void_p, POINTER(c_double), c_int64, POINTER(c_double))

#: ``int (*)(void *user, const float *x, int64_t n, int64_t dim, double t, float *out)``: a score.
bz_score_fn = CFUNCTYPE(c_int, c_void_p, POINTER(c_float), c_int64, c_int64, c_double, POINTER(c_float))

#: ``int (*)(void *user, int64_t done, int64_t total, double metric)``: non-zero stops the call.
bz_progress_fn = CFUNCTYPE(c_int, c_void_p, c_int64, c_int64, c_double)


class Status:
    """Marker: the function returns ``bz_status`` (an ``int32_t`` checked by ``errcheck``)."""


f64p = POINTER(c_double)
i64p = POINTER(c_int64)
i8p = POINTER(c_int8)
i32p = POINTER(c_int32)
spectrum_p = POINTER(bz_spectrum)
ising_p = POINTER(bz_ising)
mc_p = POINTER(bz_mc)
circuit_p = POINTER(bz_circuit)
pt_p = POINTER(bz_pt)
rbm_p = POINTER(bz_rbm)
hopfield_p = POINTER(bz_hopfield)
dense_hopfield_p = POINTER(bz_dense_hopfield)
sde_p = POINTER(bz_sde)
score_p = POINTER(bz_score)
f32p = POINTER(ctypes.c_float)
u8p = POINTER(ctypes.c_uint8)

SIGNATURES = {
    # core
    "bz_status_string": (c_char_p, [c_int32]),
    "bz_last_error": (c_char_p, []),
    "bz_version_number": (c_int32, []),
    "bz_version_string": (c_char_p, []),
    "bz_abi_version": (c_int32, []),
    "bz_set_num_threads": (Status, [c_int32]),
    "bz_get_num_threads": (c_int32, []),
    "bz_free": (None, [c_void_p]),
    "bz_interrupt": (Status, [c_void_p]),
    "bz_interrupt_thread": (Status, [c_int64]),
    "bz_limit": (Status, [c_int32, i64p]),
    # thermodynamics
    "bz_spectrum_create": (Status, [POINTER(spectrum_p), f64p, f64p, c_int64]),
    "bz_spectrum_create_log": (Status, [POINTER(spectrum_p), f64p, f64p, c_int64]),
    "bz_spectrum_free": (None, [spectrum_p]),
    "bz_spectrum_size": (Status, [spectrum_p, i64p]),
    "bz_spectrum_levels": (Status, [spectrum_p, f64p, f64p, c_int64]),
    "bz_spectrum_thermo": (Status, [spectrum_p, f64p, c_int64, f64p, f64p, f64p, f64p, f64p]),
    "bz_spectrum_probabilities": (Status, [spectrum_p, c_double, f64p, c_int64]),
    "bz_spectrum_solve_beta": (Status, [spectrum_p, c_double, f64p]),
    "bz_spectrum_compose_default_limit": (c_int64, []),
    "bz_spectrum_compose": (Status, [POINTER(spectrum_p), spectrum_p, spectrum_p, c_int64]),
    # microstates
    "bz_log_multiplicity": (Status, [i64p, c_int64, f64p]),
    "bz_occupation_energy": (Status, [i64p, f64p, c_int64, f64p]),
    "bz_macrostate_count": (Status, [c_int64, c_int64, i64p]),
    "bz_macrostates_default_limit": (c_int64, []),
    "bz_macrostates": (Status, [c_int64, f64p, c_int64, c_int64, i64p, f64p, f64p, c_int64]),
    "bz_spectrum_create_microcanonical": (Status, [POINTER(spectrum_p), c_int64, f64p, c_int64, c_int64]),
    # occupations
    "bz_fermi_dirac": (Status, [f64p, c_int64, c_double, c_double, f64p]),
    "bz_mean_field_occupations": (Status, [f64p, c_int64, c_double, c_double, c_double, c_double,
                                           c_double, c_int64, f64p, i64p, f64p]),
    # ising: models
    "bz_ising_create_dense": (Status, [POINTER(ising_p), f64p, f64p, c_int64]),
    "bz_ising_create_edges": (Status, [POINTER(ising_p), c_int64, i64p, i64p, f64p, c_int64, f64p]),
    "bz_ising_create_chain": (Status, [POINTER(ising_p), c_int64, c_double, c_double, c_int32]),
    "bz_ising_create_square": (Status, [POINTER(ising_p), c_int64, c_int64, c_double, c_double, c_int32]),
    "bz_ising_create_cubic": (Status, [POINTER(ising_p), c_int64, c_int64, c_int64, c_double, c_double, c_int32]),
    "bz_ising_create_complete": (Status, [POINTER(ising_p), c_int64, c_double, c_double]),
    "bz_ising_create_sk": (Status, [POINTER(ising_p), c_int64, c_double, c_double, c_uint64]),
    "bz_ising_create_edwards_anderson": (Status, [POINTER(ising_p), c_int64, c_int64, c_int64, c_int32,
                                                  c_double, c_double, c_int32, c_uint64]),
    "bz_ising_create_qubo": (Status, [POINTER(ising_p), f64p, c_int64, f64p]),
    "bz_ising_with_fields": (Status, [POINTER(ising_p), ising_p, f64p, c_int64]),
    "bz_ising_with_embedding": (Status, [POINTER(ising_p), ising_p, i64p, c_int64, i64p, c_int64]),
    "bz_ising_free": (None, [ising_p]),
    "bz_ising_size": (Status, [ising_p, i64p, i64p]),
    "bz_ising_couplings": (Status, [ising_p, i64p, i64p, f64p, c_int64]),
    "bz_ising_fields": (Status, [ising_p, f64p, c_int64]),
    "bz_ising_energy": (Status, [ising_p, i8p, c_int64, c_int64, f64p]),
    "bz_ising_local_fields": (Status, [ising_p, i8p, c_int64, c_int64, f64p]),
    "bz_ising_bipartition": (Status, [ising_p, i32p, i8p, c_int64]),
    "bz_ising_to_qubo": (Status, [ising_p, f64p, c_int64, f64p, c_int64, f64p]),
    # ising: enumeration
    "bz_ising_enumeration_default_limit": (c_int64, []),
    "bz_ising_exact": (Status, [ising_p, f64p, c_int64, c_int64, f64p, f64p, f64p, f64p, f64p,
                                f64p, f64p, f64p, bz_progress_fn, c_void_p]),
    "bz_ising_ground_state": (Status, [ising_p, c_int64, f64p, i64p, i8p, c_int64, bz_progress_fn, c_void_p]),
    "bz_ising_transfer_default_limit": (c_int64, []),
    "bz_ising_transfer_plan": (Status, [ising_p, i64p, i64p]),
    "bz_ising_transfer_sample": (Status, [ising_p, c_double, c_int64, c_int64, c_uint64, i8p, c_int64, bz_progress_fn, c_void_p]),
    "bz_ising_planar_sample": (Status, [ising_p, c_double, c_int64, c_uint64, i8p, c_int64, bz_progress_fn, c_void_p]),
    "bz_ising_transfer": (Status, [ising_p, f64p, c_int64, c_int64, f64p, f64p, f64p, f64p, f64p,
                                   f64p, f64p, f64p, bz_progress_fn, c_void_p]),
    "bz_ising_planar": (Status, [ising_p, f64p, c_int64, f64p, f64p, f64p, f64p, f64p, bz_progress_fn, c_void_p]),
    "bz_ising_exact_auto": (Status, [ising_p, f64p, c_int64, c_int64, c_int64, f64p, f64p, f64p, f64p, f64p, f64p, f64p, f64p,
                                     i32p, bz_progress_fn, c_void_p]),
    "bz_ising_planar_correlations": (Status, [ising_p, c_double, f64p, c_int64, bz_progress_fn, c_void_p]),
    "bz_ising_kasteleyn": (Status, [ising_p, c_double, c_int64, i64p, i64p, f64p, i64p, i64p, f64p]),
    "bz_log_z_options_init": (Status, [POINTER(bz_log_z_options)]),
    "bz_wang_landau_options_init": (Status, [POINTER(bz_wang_landau_options)]),
    "bz_ising_wang_landau_bins": (Status, [ising_p, c_double, i64p]),
    "bz_ising_wang_landau": (Status, [ising_p, POINTER(bz_wang_landau_options), c_int64, f64p, f64p, f64p, f64p, i64p, i64p, i32p,
                                      bz_progress_fn, c_void_p]),
    "bz_wang_landau_thermo": (Status, [f64p, f64p, c_int64, c_int64, f64p, c_int64, f64p, f64p, f64p, f64p]),
    "bz_ising_log_partition": (Status, [ising_p, c_double, POINTER(bz_log_z_options), f64p, f64p, f64p, i32p,
                                        c_char_p, c_int64, bz_progress_fn, c_void_p]),
    "bz_ising_dos_range": (Status, [ising_p, i64p, i64p]),
    "bz_ising_density_of_states": (Status, [ising_p, c_int64, i64p, c_int64, i64p, c_int64,
                                            bz_progress_fn, c_void_p]),
    # ising: exact solutions
    "bz_ising_chain_exact": (Status, [c_int64, c_double, c_double, c_int32, f64p, c_int64,
                                      f64p, f64p, f64p, f64p, f64p, f64p, f64p]),
    "bz_ising_chain_correlation": (Status, [c_int64, c_double, c_double, c_double, i64p, c_int64, f64p]),
    "bz_ising_square_exact": (Status, [c_int64, c_int64, c_double, f64p, c_int64, f64p, f64p, f64p, f64p, f64p]),
    "bz_ising_transfer_dos_size": (Status, [ising_p, i64p, i64p]),
    "bz_ising_transfer_dos": (Status, [ising_p, c_int64, c_int64, c_int64, f64p, f64p, POINTER(c_uint64), i64p,
                                       bz_progress_fn, c_void_p]),
    "bz_ising_square_dos_size": (Status, [c_int64, c_int64, i64p, i64p]),
    "bz_ising_square_dos": (Status, [c_int64, c_int64, c_double, c_int64, c_int64, f64p, f64p, POINTER(c_uint64), i64p,
                                     bz_progress_fn, c_void_p]),
    "bz_ising_onsager": (Status, [c_double, f64p, c_int64, f64p, f64p, f64p, f64p]),
    "bz_ising_onsager_critical_temperature": (Status, [c_double, f64p]),
    # ising: mean field
    "bz_ising_mean_field": (Status, [c_double, c_double, c_double, c_double, f64p, f64p, i32p, i64p]),
    "bz_ising_mean_field_magnetization": (Status, [c_double, c_double, c_double, f64p, c_int64, f64p]),
    "bz_ising_hysteresis": (Status, [c_double, c_double, c_double, f64p, c_int64, f64p, i32p]),
    "bz_ising_curie_weiss": (Status, [c_int64, c_double, c_double, f64p, c_int64, f64p, f64p, f64p,
                                      f64p, f64p, f64p, f64p, f64p]),
    # mc
    "bz_mc_n_observables": (c_int64, []),
    "bz_mc_create": (Status, [POINTER(mc_p), ising_p, c_double, c_int32, c_int32, c_int64, c_uint64]),
    "bz_mc_free": (None, [mc_p]),
    "bz_mc_serialized_size": (Status, [mc_p, i64p]),
    "bz_mc_serialize": (Status, [mc_p, u8p, c_int64]),
    "bz_mc_deserialize": (Status, [POINTER(mc_p), ising_p, u8p, c_int64]),
    "bz_mc_size": (Status, [mc_p, i64p, i64p, i64p]),
    "bz_mc_set_beta": (Status, [mc_p, c_double]),
    "bz_mc_clamp": (Status, [mc_p, i64p, i8p, c_int64]),
    "bz_mc_release_clamps": (Status, [mc_p]),
    "bz_mc_run": (Status, [mc_p, c_int64, c_int64, c_int64, bz_progress_fn, c_void_p]),
    "bz_mc_sample": (Status, [mc_p, c_int64, c_int64, c_int64, i8p, c_int64, bz_progress_fn, c_void_p]),
    "bz_mc_set_correlation_axis": (Status, [mc_p, c_int32, i64p]),
    "bz_mc_correlation": (Status, [mc_p, f64p, f64p, c_int64]),
    "bz_mc_equilibration": (Status, [mc_p, c_int32, f64p, f64p, f64p]),
    "bz_mc_results": (Status, [mc_p, f64p, f64p, f64p, f64p, c_int64]),
    "bz_mc_series": (Status, [mc_p, f64p, f64p, c_int64]),
    "bz_mc_spins": (Status, [mc_p, i8p, c_int64]),
    "bz_beta_schedule": (Status, [c_int32, c_double, c_double, c_int64, f64p]),
    "bz_anneal_beta_range": (Status, [ising_p, f64p, f64p]),
    "bz_pt_create": (Status, [POINTER(pt_p), ising_p, f64p, c_int64, c_int32, c_int64, c_uint64]),
    "bz_pt_free": (None, [pt_p]),
    "bz_pt_serialized_size": (Status, [pt_p, i64p]),
    "bz_pt_serialize": (Status, [pt_p, u8p, c_int64]),
    "bz_pt_deserialize": (Status, [POINTER(pt_p), ising_p, u8p, c_int64]),
    "bz_pt_size": (Status, [pt_p, i64p, i64p, i64p, i64p]),
    "bz_pt_run": (Status, [pt_p, c_int64, c_int64, c_int64, bz_progress_fn, c_void_p]),
    "bz_pt_results": (Status, [pt_p, c_int64, f64p, f64p, f64p, f64p, c_int64]),
    "bz_pt_swaps": (Status, [pt_p, f64p, c_int64, i64p]),
    "bz_pt_overlap_distribution": (Status, [pt_p, c_int64, f64p, c_int64]),
    "bz_pt_series": (Status, [pt_p, c_int64, f64p, f64p, f64p, c_int64]),
    "bz_pt_spins": (Status, [pt_p, i8p, c_int64]),
    "bz_anneal": (Status, [ising_p, f64p, c_int64, c_int64, c_int64, c_int32, c_uint64, i8p, f64p, i64p,
                           bz_progress_fn, c_void_p]),
    "bz_ising_ais": (Status, [ising_p, f64p, c_int64, c_int64, c_int64, c_int32, c_uint64, f64p, f64p, f64p,
                              bz_progress_fn, c_void_p]),
    "bz_ising_population_annealing": (Status, [ising_p, f64p, c_int64, c_int64, c_int64, c_int64, c_int32, c_uint64,
                                               f64p, f64p, f64p, f64p, f64p, f64p, bz_progress_fn, c_void_p]),
    "bz_anneal_from": (Status, [ising_p, f64p, c_int64, c_int64, c_int64, c_int32, c_uint64, i8p, c_int64, i8p, f64p,
                                i64p, bz_progress_fn, c_void_p]),
    # rbm
    "bz_rbm_create": (Status, [POINTER(rbm_p), c_int64, c_int64, c_int32, c_uint64]),
    "bz_rbm_free": (None, [rbm_p]),
    "bz_rbm_size": (Status, [rbm_p, i64p, i64p]),
    "bz_rbm_visible_units": (Status, [rbm_p, i32p]),
    "bz_rbm_parameters": (Status, [rbm_p, f32p, f32p, f32p, c_int64, c_int64]),
    "bz_rbm_set_parameters": (Status, [rbm_p, f32p, f32p, f32p, c_int64, c_int64]),
    "bz_rbm_hidden_probabilities": (Status, [rbm_p, f32p, c_int64, f32p]),
    "bz_rbm_visible_probabilities": (Status, [rbm_p, f32p, c_int64, f32p]),
    "bz_rbm_free_energy": (Status, [rbm_p, f32p, c_int64, f64p]),
    "bz_rbm_pseudo_log_likelihood": (Status, [rbm_p, f32p, c_int64, f64p]),
    "bz_rbm_log_partition_exact": (Status, [rbm_p, f64p, bz_progress_fn, c_void_p]),
    "bz_rbm_log_partition_ais": (Status, [rbm_p, c_int64, f64p, c_int64, f32p, c_uint64, f64p, f64p, f64p,
                                          bz_progress_fn, c_void_p]),
    "bz_rbm_train_options_init": (Status, [POINTER(bz_rbm_train_options)]),
    "bz_rbm_set_training": (Status, [rbm_p, POINTER(bz_rbm_train_options)]),
    "bz_rbm_get_training": (Status, [rbm_p, POINTER(bz_rbm_train_options)]),
    "bz_rbm_fit": (Status, [rbm_p, f32p, c_int64, c_int64, c_uint64, f64p, bz_progress_fn, c_void_p]),
    "bz_rbm_partial_fit": (Status, [rbm_p, f32p, c_int64, f64p]),
    "bz_rbm_sample": (Status, [rbm_p, c_int64, c_int64, f32p, c_int32, c_uint64, f32p, bz_progress_fn, c_void_p]),
    "bz_rbm_save": (Status, [rbm_p, c_char_p]),
    "bz_rbm_load": (Status, [POINTER(rbm_p), c_char_p]),
    "bz_rbm_serialized_size": (Status, [rbm_p, i64p]),
    "bz_rbm_serialize": (Status, [rbm_p, u8p, c_int64]),
    "bz_rbm_deserialize": (Status, [POINTER(rbm_p), u8p, c_int64]),
    "bz_bars_and_stripes": (Status, [c_int64, i64p, f32p, c_int64]),
    # Hopfield networks
    "bz_hopfield_create": (Status, [POINTER(hopfield_p), c_int64, c_int32]),
    "bz_hopfield_free": (None, [hopfield_p]),
    "bz_hopfield_size": (Status, [hopfield_p, i64p, i64p, i32p]),
    "bz_hopfield_store": (Status, [hopfield_p, i8p, c_int64, c_int64]),
    "bz_hopfield_patterns": (Status, [hopfield_p, i8p, c_int64, c_int64]),
    "bz_hopfield_set_thresholds": (Status, [hopfield_p, f64p, c_int64]),
    "bz_hopfield_set_storage": (Status, [hopfield_p, c_int32]),
    "bz_hopfield_uses_matrix": (Status, [hopfield_p, i32p]),
    "bz_hopfield_recall": (Status, [hopfield_p, i8p, c_int64, c_int64, c_int32, c_double, c_int64, c_uint64, i32p, i64p,
                                    bz_progress_fn, c_void_p]),
    "bz_hopfield_energy": (Status, [hopfield_p, i8p, c_int64, c_int64, f64p]),
    "bz_hopfield_overlaps": (Status, [hopfield_p, i8p, c_int64, c_int64, f64p, c_int64]),
    "bz_hopfield_to_ising": (Status, [POINTER(ising_p), hopfield_p]),
    # dense Hopfield networks
    "bz_dense_hopfield_create": (Status, [POINTER(dense_hopfield_p), f32p, c_int64, c_int64, c_double]),
    "bz_dense_hopfield_create_polynomial": (Status, [POINTER(dense_hopfield_p), f32p, c_int64, c_int64, c_int32]),
    "bz_dense_hopfield_free": (None, [dense_hopfield_p]),
    "bz_dense_hopfield_info": (Status, [dense_hopfield_p, i64p, i64p, i32p, f64p, i32p]),
    "bz_dense_hopfield_set_beta": (Status, [dense_hopfield_p, c_double]),
    "bz_dense_hopfield_retrieve": (Status, [dense_hopfield_p, f32p, c_int64, c_int64, c_int64, bz_progress_fn, c_void_p]),
    "bz_dense_hopfield_energy": (Status, [dense_hopfield_p, f32p, c_int64, c_int64, f64p]),
    # diffusion
    "bz_sde_create_vp": (Status, [POINTER(sde_p), c_int32, c_double, c_double]),
    "bz_sde_create_ve": (Status, [POINTER(sde_p), c_double, c_double]),
    "bz_sde_create_ddpm": (Status, [POINTER(sde_p), c_int64, c_int32, c_double, c_double]),
    "bz_sde_free": (None, [sde_p]),
    "bz_sde_info": (Status, [sde_p, i32p, f64p]),
    "bz_sde_coefficients": (Status, [sde_p, f64p, c_int64, f64p, f64p, f64p, f64p]),
    "bz_sde_time_of_snr": (Status, [sde_p, f64p, c_int64, f64p]),
    "bz_sde_perturb": (Status, [sde_p, f32p, c_int64, c_int64, f64p, c_uint64, f32p, f32p]),
    "bz_score_create_gmm": (Status, [POINTER(score_p), f64p, f64p, f64p, c_int64, c_int64, c_int32]),
    "bz_score_create_gmm_classes": (Status, [POINTER(score_p), f64p, f64p, f64p, i32p, c_int64, c_int64, c_int32]),
    "bz_score_classes": (Status, [score_p, i64p]),
    "bz_score_gmm_info": (Status, [score_p, i64p, i32p]),
    "bz_score_gmm_parameters": (Status, [score_p, f64p, f64p, f64p, i32p]),
    "bz_score_gmm_condition": (Status, [POINTER(score_p), score_p, f64p, u8p, c_int64]),
    "bz_score_create_empirical": (Status, [POINTER(score_p), f32p, c_int64, c_int64]),
    "bz_score_create_callback": (Status, [POINTER(score_p), c_int64, bz_score_fn, c_void_p]),
    "bz_score_free": (None, [score_p]),
    "bz_score_dim": (Status, [score_p, i64p]),
    "bz_score_eval": (Status, [score_p, sde_p, f32p, c_int64, c_int64, c_double, f32p, f32p]),
    "bz_score_gmm_log_density": (Status, [score_p, sde_p, f64p, c_int64, c_int64, c_double, f64p, f64p]),
    "bz_score_gmm_sample": (Status, [score_p, c_int64, c_uint64, f32p]),
    "bz_score_create_mlp": (Status, [POINTER(score_p), c_int64, i64p, c_int64, c_int32, c_int64, c_double, c_int32, c_uint64]),
    "bz_score_create_mlp_ex": (Status, [POINTER(score_p), c_int64, i64p, c_int64, c_int32, c_int64, c_double, c_int32,
                                        c_double, c_int64, c_uint64]),
    "bz_score_mlp_info": (Status, [score_p, i64p, i64p, c_int64, i32p, i64p, f64p, i32p, i64p, i32p]),
    "bz_score_mlp_sigma_data": (Status, [score_p, f64p]),
    "bz_train_options_init": (Status, [POINTER(bz_train_options)]),
    "bz_score_fit": (Status, [score_p, sde_p, f32p, c_int64, c_int64, POINTER(bz_train_options), c_uint64, f64p,
                              bz_progress_fn, c_void_p]),
    "bz_score_fit_labels": (Status, [score_p, sde_p, f32p, i32p, c_int64, c_int64, POINTER(bz_train_options), c_uint64,
                                     f64p, bz_progress_fn, c_void_p]),
    "bz_score_save": (Status, [score_p, c_char_p]),
    "bz_score_load": (Status, [POINTER(score_p), c_char_p]),
    "bz_score_serialized_size": (Status, [score_p, i64p]),
    "bz_score_serialize": (Status, [score_p, u8p, c_int64]),
    "bz_score_deserialize": (Status, [POINTER(score_p), u8p, c_int64]),
    "bz_sampler_options_init": (Status, [POINTER(bz_sampler_options)]),
    "bz_diffusion_nfe": (Status, [c_int32, POINTER(bz_sampler_options), i64p]),
    "bz_diffusion_grid": (Status, [sde_p, c_int32, POINTER(bz_sampler_options), f64p, c_int64]),
    "bz_diffusion_sample": (Status, [score_p, sde_p, c_int64, c_int64, c_int32, POINTER(bz_sampler_options), c_uint64, f32p,
                                     i64p, c_int64, f32p, bz_progress_fn, c_void_p]),
    "bz_likelihood_options_init": (Status, [POINTER(bz_likelihood_options)]),
    "bz_diffusion_log_likelihood": (Status, [score_p, sde_p, f32p, c_int64, c_int64, POINTER(bz_likelihood_options), c_uint64,
                                             f64p, f64p, f64p, bz_progress_fn, c_void_p]),
    "bz_langevin": (Status, [bz_energy_fn, c_void_p, score_p, sde_p, c_double, f64p, c_int64, c_int64, c_int32, c_int64,
                             c_double, c_uint64, f64p, bz_progress_fn, c_void_p]),
    "bz_ito_integral": (Status, [c_int64, c_int64, c_double, c_uint64, f64p, f64p, f64p, f64p]),
    "bz_toy_data": (Status, [c_int32, c_int64, c_uint64, c_double, f32p]),
    # metrics
    "bz_energy_distance": (Status, [f32p, c_int64, f32p, c_int64, c_int64, f64p]),
    "bz_mmd": (Status, [f32p, c_int64, f32p, c_int64, c_int64, f64p, c_int64, f64p]),
    "bz_sliced_wasserstein": (Status, [f32p, c_int64, f32p, c_int64, c_int64, c_int64, c_uint64, f64p]),
    "bz_mode_coverage": (Status, [f32p, c_int64, c_int64, f64p, f64p, c_int64, f64p, f64p]),
    "bz_bm_options_init": (Status, [POINTER(bz_bm_options)]),
    "bz_bm_fit": (Status, [POINTER(ising_p), i8p, c_int64, c_int64, POINTER(bz_bm_options), c_uint64, i64p, f64p,
                           bz_progress_fn, c_void_p]),
    # pbits
    "bz_gate_info": (Status, [c_int32, i64p, i64p]),
    "bz_circuit_create": (Status, [POINTER(circuit_p)]),
    "bz_circuit_create_multiplier": (Status, [POINTER(circuit_p), c_int64]),
    "bz_circuit_free": (None, [circuit_p]),
    "bz_circuit_add_gate": (Status, [circuit_p, c_int32, i64p, c_int64, i64p]),
    "bz_circuit_size": (Status, [circuit_p, i64p, i64p]),
    "bz_circuit_model": (Status, [POINTER(ising_p), circuit_p]),
    "bz_pbit_factor": (Status, [c_int64, c_int64, c_double, c_int64, c_int64, c_uint64, i64p, i64p, f64p, f64p, i64p,
                                bz_progress_fn, c_void_p]),
}


def _candidates():
    """Where to look for the library, in order: $BOLTZMANN_LIBRARY, beside this package
    (a wheel), then the repository's release build folder (a checkout after ``make``)."""
    env = os.environ.get("BOLTZMANN_LIBRARY")
    if env:
        yield Path(env)
        return
    package = Path(__file__).resolve().parent
    yield package / "libboltzmann.so"
    repo = package.parents[2]
    yield repo / ".build" / "release" / "libboltzmann.so"


def _load():
    tried = []
    for path in _candidates():
        if path.is_file():
            break
        tried.append(str(path))
    else:
        raise ImportError(
            "libboltzmann.so not found (looked in: " + ", ".join(tried) + "). "
            "Build it with `make` at the repository root, or point BOLTZMANN_LIBRARY at it.")
    lib = ctypes.CDLL(str(path))
    if not hasattr(lib, "bz_abi_version"):
        raise ImportError(f"{path} is not libboltzmann (no bz_abi_version)")
    lib.bz_abi_version.restype = c_int32
    lib.bz_version_number.restype = c_int32
    major, abi = lib.bz_version_number() // 10000, lib.bz_abi_version()
    if major != VERSION_MAJOR or abi != ABI_VERSION:
        raise ImportError(
            f"{path} is libboltzmann major version {major}, ABI {abi}; this binding needs "
            f"major {VERSION_MAJOR}, ABI {ABI_VERSION}. Rebuild the library or reinstall the binding.")
    for name, (restype, argtypes) in SIGNATURES.items():
        fn = getattr(lib, name)
        fn.argtypes = argtypes
        if restype is Status:
            fn.restype = c_int32
            fn.errcheck = _check
        else:
            fn.restype = restype
    lib.path = path
    return lib


def _check(status, fn, args):
    if status != 0:
        raise _error_for(status, lib.bz_last_error().decode("utf-8", "replace"))
    return status


lib = _load()
