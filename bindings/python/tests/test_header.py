"""The binding's signature table, status codes and versions against include/boltzmann.h."""

import ctypes
import re
import subprocess
from ctypes import POINTER, c_char_p, c_double, c_float, c_int8, c_int32, c_int64, c_uint8, c_uint64, c_void_p

import pycparser
from pycparser import c_ast

import pytest

from boltzmann import _lib, errors

# The header includes <stdint.h>; pycparser needs the typedefs only.
FAKE_STDINT = ("typedef signed char int8_t; typedef unsigned char uint8_t; typedef int int32_t; typedef long long int64_t;"
               " typedef unsigned long long uint64_t;\n")

SCALARS = {"int8_t": c_int8, "uint8_t": c_uint8, "int32_t": c_int32, "int64_t": c_int64, "uint64_t": c_uint64, "double": c_double,
           "float": c_float,
           "bz_status": _lib.Status}


def parse(header, tmp_path):
    (tmp_path / "stdint.h").write_text(FAKE_STDINT)
    text = subprocess.run(["cc", "-E", "-P", "-nostdinc", "-I", str(tmp_path), str(header)],
                          check=True, capture_output=True, text=True).stdout
    return pycparser.CParser().parse(text, str(header))


def ctype_of(node):
    """The ctypes type a binding must use for a pycparser type node."""
    if isinstance(node, c_ast.TypeDecl):
        names = node.type.names
        if names == ["void"]:
            return None
        name = " ".join(names)
        if name in SCALARS:
            return SCALARS[name]
        return getattr(_lib, name)  # an opaque handle struct (bz_spectrum) or bz_progress_fn
    if isinstance(node, c_ast.PtrDecl):
        inner = node.type
        if isinstance(inner, c_ast.TypeDecl) and inner.type.names == ["char"]:
            return c_char_p
        if isinstance(inner, c_ast.TypeDecl) and inner.type.names == ["void"]:
            return c_void_p
        return POINTER(ctype_of(inner))
    raise AssertionError(f"unexpected type node {node}")


def header_functions(header, tmp_path):
    functions = {}
    for decl in parse(header, tmp_path).ext:
        if isinstance(decl, c_ast.Decl) and isinstance(decl.type, c_ast.FuncDecl):
            params = decl.type.args.params if decl.type.args else []
            # bz_status as a parameter is a plain int32_t; only returns are checked.
            args = [c_int32 if t is _lib.Status else t for t in (ctype_of(p.type) for p in params)]
            if args == [None]:  # f(void)
                args = []
            functions[decl.name] = (ctype_of(decl.type.type), args)
    return functions


def signature_mismatches(declared):
    """Functions only in the header, only in the binding, or declared differently."""
    problems = [f"only in the header: {name}" for name in sorted(set(declared) - set(_lib.SIGNATURES))]
    problems += [f"only in the binding: {name}" for name in sorted(set(_lib.SIGNATURES) - set(declared))]
    return problems + [f"differs: {name}" for name in sorted(set(declared) & set(_lib.SIGNATURES))
                       if _lib.SIGNATURES[name] != declared[name]]


def test_signature_table_matches_header(header, tmp_path):
    assert signature_mismatches(header_functions(header, tmp_path)) == []
    # The check can fail: a parameter's type changed and a function renamed, by hand.
    text = header.read_text()
    broken = text.replace("bz_status bz_mc_set_beta(bz_mc *mc, double beta);", "bz_status bz_mc_set_beta(bz_mc *mc, float beta);")
    broken = broken.replace("int64_t bz_mc_n_observables(void);", "int64_t bz_mc_observable_count(void);")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "boltzmann.h").write_text(broken)
    assert signature_mismatches(header_functions(tmp_path / "broken" / "boltzmann.h", tmp_path)) == [
        "only in the header: bz_mc_observable_count", "only in the binding: bz_mc_n_observables",
        "differs: bz_mc_set_beta"]


def macros(header):
    return macros_of(header.read_text())


def test_status_codes_match_header(header):
    defined = {name: int(value) for name, value in macros(header).items()
               if name.startswith("BZ_ERR_")}
    assert sorted(defined.values()) == sorted(errors.BY_STATUS), "every status has one exception"
    assert macros(header)["BZ_OK"] == "0"
    # The numbers the binding uses are the header's.
    expected = {"NULL_POINTER": errors.NullPointerError, "INVALID_ARGUMENT": errors.InvalidArgument,
                "SHAPE_MISMATCH": errors.ShapeError, "NON_FINITE": errors.NumericError,
                "OUT_OF_MEMORY": errors.OutOfMemory, "IO": errors.BoltzmannIOError,
                "BAD_FORMAT": errors.FormatError, "CANCELLED": errors.Cancelled,
                "WRONG_STATE": errors.WrongState, "UNSUPPORTED": errors.Unsupported,
                "INVALID_HANDLE": errors.InvalidHandle, "LIMIT_EXCEEDED": errors.LimitExceeded,
                "NOT_CONVERGED": errors.NotConverged, "BUSY": errors.Busy,
                "INTERNAL": errors.InternalError}
    assert {f"BZ_ERR_{k}" for k in expected} == set(defined)
    for suffix, cls in expected.items():
        assert cls.status == defined[f"BZ_ERR_{suffix}"], suffix
    # And the library names each of them.
    for code in defined.values():
        assert _lib.lib.bz_status_string(code) not in (None, b"", b"unknown status")
    assert _lib.lib.bz_status_string(0) == b"ok"
    assert _lib.lib.bz_status_string(9999) == b"unknown status"


def test_versions_match_header(header):
    m = macros(header)
    major, minor, patch = (int(m[f"BZ_VERSION_{k}"]) for k in ("MAJOR", "MINOR", "PATCH"))
    lib = _lib.lib
    assert lib.bz_version_number() == major * 10000 + minor * 100 + patch
    assert lib.bz_version_string().decode() == f"{major}.{minor}.{patch}" == m["BZ_VERSION_STRING"].strip('"')
    assert lib.bz_abi_version() == int(m["BZ_ABI_VERSION"]) == _lib.ABI_VERSION
    assert major == _lib.VERSION_MAJOR


def handle_types(tree):
    """The opaque handle types: ``typedef struct bz_X bz_X;`` without a body."""
    return {decl.name for decl in tree.ext
            if isinstance(decl, c_ast.Typedef) and isinstance(decl.type.type, c_ast.Struct) and decl.type.type.decls is None}


def out_first_violations(tree):
    """Functions that make a handle (a ``bz_X **`` parameter) without taking it first as ``out``."""
    handles = handle_types(tree)
    violations = []
    for decl in tree.ext:
        if not (isinstance(decl, c_ast.Decl) and isinstance(decl.type, c_ast.FuncDecl) and decl.type.args):
            continue
        for index, param in enumerate(decl.type.args.params):
            t = param.type
            makes_handle = (isinstance(t, c_ast.PtrDecl) and isinstance(t.type, c_ast.PtrDecl)
                            and isinstance(t.type.type, c_ast.TypeDecl) and t.type.type.type.names[0] in handles)
            if makes_handle and (index != 0 or param.name != "out"):
                violations.append(f"{decl.name}: {param.name} is parameter {index}")
    return violations


def test_every_function_that_makes_a_handle_takes_out_first(header, tmp_path):
    tree = parse(header, tmp_path)
    assert len(handle_types(tree)) >= 10
    assert out_first_violations(tree) == []
    # The check can fail: the same header with bz_mc_create's out moved last.
    text = header.read_text()
    before = "bz_status bz_mc_create(bz_mc **out, const bz_ising *model, double beta, int32_t algorithm,\n"
    assert before in text
    broken = text.replace(before, "bz_status bz_mc_create(const bz_ising *model, double beta, int32_t algorithm,\n")
    broken = broken.replace("int32_t order, int64_t chains, uint64_t seed);", "int32_t order, int64_t chains, uint64_t seed, bz_mc **out);")
    (tmp_path / "broken").mkdir()
    copy = tmp_path / "broken" / "boltzmann.h"
    copy.write_text(broken)
    assert out_first_violations(parse(copy, tmp_path)) == ["bz_mc_create: out is parameter 6"]


def code_tables():
    """Every table of codes in the binding: (where, {name: code}, macro prefix, exceptions
    {binding name: macro suffix}). A name maps to BZ_<prefix><NAME upper case>."""
    import boltzmann
    from boltzmann import datasets, diffusion, hopfield, ising, montecarlo, pbits, rbm, tempering
    return [
        ("ising._COUPLINGS", ising._COUPLINGS, "BZ_COUPLINGS_", {}),
        ("montecarlo.ALGORITHMS", montecarlo.ALGORITHMS, "BZ_MC_", {}),
        ("montecarlo.ORDERS", montecarlo.ORDERS, "BZ_ORDER_", {}),
        ("montecarlo._OBSERVABLES", {name: k for k, name in enumerate(montecarlo._OBSERVABLES)}, "BZ_OBS_", {}),
        ("tempering.SCHEDULES", tempering.SCHEDULES, "BZ_SCHEDULE_", {}),
        ("rbm._UNITS", rbm._UNITS, "BZ_RBM_", {}),
        ("rbm._METRICS", rbm._METRICS, "BZ_RBM_METRIC_", {None: "NONE"}),
        ("pbits.GATES", pbits.GATES, "BZ_GATE_", {}),
        ("hopfield._RULES", hopfield._RULES, "BZ_HOPFIELD_", {}),
        ("hopfield._STORAGE", hopfield._STORAGE, "BZ_HOPFIELD_", {"auto": "AUTOMATIC"}),
        ("hopfield._DYNAMICS", hopfield._DYNAMICS, "BZ_HOPFIELD_", {}),
        ("hopfield._OUTCOMES", {name: k for k, name in enumerate(hopfield._OUTCOMES)}, "BZ_RECALL_", {}),
        ("hopfield._SEPARATIONS", hopfield._SEPARATIONS, "BZ_DENSE_", {}),
        ("diffusion._KINDS", {name: k for k, name in diffusion._KINDS.items()}, "BZ_SDE_", {}),
        ("diffusion._EMBEDDINGS", diffusion._EMBEDDINGS, "BZ_EMBEDDING_", {}),
        ("diffusion._PREDICTIONS", diffusion._PREDICTIONS, "BZ_PREDICT_", {}),
        ("diffusion._WEIGHTINGS", diffusion._WEIGHTINGS, "BZ_WEIGHT_", {}),
        ("diffusion.METHODS", diffusion.METHODS, "BZ_SAMPLE_", {}),
        ("diffusion.GRIDS", diffusion.GRIDS, "BZ_GRID_", {}),
        ("diffusion._LANGEVIN", diffusion._LANGEVIN, "BZ_LANGEVIN_", {}),
        ("datasets.TOY_DATA", datasets.TOY_DATA, "BZ_TOY_", {}),
        ("boltzmann.LIMITS", boltzmann.LIMITS, "BZ_LIMIT_", {}),
    ]


def code_table_mismatches(tables, defined):
    """Entries whose code is not the header macro's value, and macros of a family no
    table of that family names (every code the header offers is reachable)."""
    problems, named = [], set()
    for where, table, prefix, exceptions in tables:
        for name, code in table.items():
            macro = prefix + exceptions.get(name, str(name).upper())
            named.add(macro)
            if macro not in defined:
                problems.append(f"{where}[{name!r}]: no {macro} in the header")
            elif int(defined[macro]) != code:
                problems.append(f"{where}[{name!r}] = {code} but {macro} is {defined[macro]}")
    families = {prefix for _, _, prefix, _ in tables}
    counts = {"BZ_MC_N_OBSERVABLES", "BZ_N_LIMITS"}  # counts, not codes
    for macro in defined:
        family = max((p for p in families if macro.startswith(p)), key=len, default=None)
        if family and macro not in named and macro not in counts and not macro.endswith("_OPTIONS_VERSION"):
            problems.append(f"{macro} is in no table of {family}*")
    return problems


def test_every_python_code_table_matches_the_header(header):
    defined = {name: value for name, value in macros(header).items()
               if not name.startswith(("BZ_ERR_", "BZ_VERSION", "BZ_ABI"))}
    tables = code_tables()
    assert code_table_mismatches(tables, defined) == []
    # The check can fail: a renumbered code, a misspelt name and a forgotten macro.
    broken = {w: (w, dict(t), p, e) for w, t, p, e in tables}
    broken["montecarlo.ALGORITHMS"][1]["wolff"] = 7
    broken["tempering.SCHEDULES"][1]["geometrik"] = broken["tempering.SCHEDULES"][1].pop("geometric")
    del broken["pbits.GATES"][1]["xor"]
    broken = list(broken.values())
    assert code_table_mismatches(broken, defined) == [
        "montecarlo.ALGORITHMS['wolff'] = 7 but BZ_MC_WOLFF is 2",
        "tempering.SCHEDULES['geometrik']: no BZ_SCHEDULE_GEOMETRIK in the header",
        "BZ_SCHEDULE_GEOMETRIC is in no table of BZ_SCHEDULE_*",
        "BZ_GATE_XOR is in no table of BZ_GATE_*"]


def functions_without_errors_line(text):
    """Fallible functions (returning bz_status) whose comment -- the block right above
    them, or above the group of declarations they stand in -- has no "Errors:" line (or
    "Errors as bz_other")."""
    missing, comment = [], ""
    for m in re.finditer(r"/\*.*?\*/|\b(bz_status|void|int32_t|int64_t|uint64_t|double|char \*)\s+(bz_\w+)\(", text, re.S):
        if m.group(0).startswith("/*"):
            comment = m.group(0)
        elif m.group(1) == "bz_status" and not re.search(r"Errors(:| as bz_)", comment):
            missing.append(m.group(2))
    return missing


def test_every_fallible_function_documents_its_errors(header):
    text = header.read_text()
    assert functions_without_errors_line(text) == []
    assert text.count("Errors:") >= 100
    # The check can fail: the same header with bz_spectrum_size's line removed.
    line = "/* Number of levels of the spectrum.\n * Errors: NULL_POINTER, INVALID_HANDLE. */\n"
    assert line in text
    broken = text.replace(line, "/* Number of levels of the spectrum. */\n")
    assert functions_without_errors_line(broken) == ["bz_spectrum_size"]


def handles_without_threads_line(text):
    """Handle types whose section (the comment block above their typedef, or above the
    group of typedefs they stand in) says nothing under "Threads:" about them."""
    missing, comment = [], ""
    for m in re.finditer(r"/\*.*?\*/|typedef struct (bz_\w+) \1;", text, re.S):
        if m.group(0).startswith("/*"):
            comment = m.group(0)
        elif not re.search(r"Threads:[^.]*?\b" + m.group(1) + r"\b", comment.replace("\n *", " ")):
            missing.append(m.group(1))
    return missing


def test_every_handle_type_says_how_threads_may_share_it(header):
    text = header.read_text()
    assert handles_without_threads_line(text) == []
    # The check can fail: the same header without bz_pt's line.
    broken = text.replace("Threads: a bz_pt is mutated", "A bz_pt is mutated")
    assert handles_without_threads_line(broken) == ["bz_pt"]


def documented_defaults(text, struct):
    """{field: default} from the comments of a versioned options struct: each field's
    comment ends with "; DEFAULT" (a number, a BZ_ macro, or for a nested options
    struct the bz_*_options_init that fills it)."""
    body = re.search(r"typedef struct %s \{(.*?)\} %s;" % (struct, struct), text, re.S).group(1)
    fields = re.findall(r"\w+\s+(\w+);\s*/\*(.*?)\*/", body, re.S)
    return {name: " ".join(comment.split()).rsplit(";", 1)[-1].strip() for name, comment in fields if name != "version"}


def default_mismatches(text, struct, init):
    """Fields whose documented default is not what ``init`` (the library's _init) fills in."""
    defined = macros_of(text)
    actual = getattr(_lib, struct)()
    init(ctypes.byref(actual))
    problems = []
    for name, documented in documented_defaults(text, struct).items():
        if re.fullmatch(r"bz_\w+_options_init", documented):
            nested = getattr(actual, name)
            fresh = type(nested)()
            getattr(_lib.lib, documented)(ctypes.byref(fresh))
            if bytes(nested) != bytes(fresh):
                problems.append(f"{struct}.{name}: not what {documented} fills in")
            continue
        value = float(defined[documented]) if documented in defined else float(documented)
        if getattr(actual, name) != pytest.approx(value, rel=1e-7):  # RBM rates are single precision
            problems.append(f"{struct}.{name}: the header says {documented}, the library fills in {getattr(actual, name)}")
    return problems


def macros_of(text):
    return {m.group(1): m.group(2) for m in re.finditer(r"#define\s+(BZ_\w+)\s+(\S+)", text)}


@pytest.mark.parametrize("struct", ["bz_rbm_train_options", "bz_train_options", "bz_sampler_options", "bz_bm_options",
                                    "bz_log_z_options"])
def test_documented_defaults_are_the_library_s(header, struct):
    init = getattr(_lib.lib, struct + "_init")
    text = header.read_text()
    assert len(documented_defaults(text, struct)) >= 6
    assert default_mismatches(text, struct, init) == []
    # The check can fail: a default changed in the prose only.
    name, documented = next(iter(documented_defaults(text, struct).items()))
    broken = re.sub(r"(typedef struct %s \{.*?\b%s;\s*/\*.*?);\s*%s \*/" % (struct, name, re.escape(documented)),
                    r"\1; 12345 */", text, count=1, flags=re.S)
    assert broken != text
    assert len(default_mismatches(broken, struct, init)) == 1
