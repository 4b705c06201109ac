"""How results and models display: a concise ``repr`` and an HTML table for Jupyter.

Results are frozen dataclasses deriving :class:`Result`; models derive
:class:`~boltzmann._handles.HandleOwner`, which displays what its ``_summary()``
returns. One set of rules renders both, as text and as HTML:

- an estimate (``mean`` and ``error``, or ``value`` and ``stderr``) shows as
  ``mean ± error``;
- a small array (at most ``_INLINE`` values) shows its values, a larger one its dtype,
  shape and range, never its contents;
- a result whose fields are arrays along one axis (``_table_axis``: thermodynamics at
  many betas) shows as a table with a row per point, at most ``_TABLE_ROWS`` rows
  (first and last halves, with an ellipsis row between).

``_labels`` maps a field to (symbol, unit) for the HTML table header: units are those
of the library (k_B = 1; energies in the units of the couplings or levels given).
"""

import dataclasses
import html

import numpy as np

#: Arrays with at most this many values are shown in full.
_INLINE = 6
#: Tables show at most this many rows.
_TABLE_ROWS = 12


def _number(x):
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return f"{float(x):.6g}"


def _estimate(value):
    """(mean, error) if ``value`` is an estimate, else None."""
    for mean, error in (("mean", "error"), ("value", "stderr")):
        if hasattr(value, mean) and hasattr(value, error) and not isinstance(value, np.ndarray):
            return getattr(value, mean), getattr(value, error)
    return None


def text(value):
    """A short one-line text form of any field value."""
    pair = _estimate(value)
    if pair is not None:
        return f"{_number(pair[0])} ± {float(pair[1]):.2g}"
    if isinstance(value, np.ndarray):
        if value.size <= _INLINE and value.ndim <= 1:
            if value.dtype.kind in "fiub":
                return "[" + ", ".join(_number(v) for v in value) + "]"
            return "[" + ", ".join(str(v) for v in value) + "]"
        shape = "x".join(str(n) for n in value.shape)
        if value.size and value.dtype.kind in "fiu":
            finite = value[np.isfinite(value)] if value.dtype.kind == "f" else value
            span = f" in [{_number(finite.min())}, {_number(finite.max())}]" if finite.size else " (no finite values)"
        else:
            span = ""
        return f"{value.dtype} array {shape}{span}"
    if isinstance(value, (list, tuple)) and len(value) > _INLINE:
        return f"{type(value).__name__} of {len(value)} {type(value[0]).__name__}"
    if isinstance(value, (list, tuple)) and all(not isinstance(v, (list, tuple, np.ndarray)) for v in value):
        inner = ", ".join(text(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, (float, int, np.floating, np.integer)):
        return _number(value)
    if isinstance(value, Result):
        return f"<{type(value).__name__}>"
    return repr(value)


def _cell(value):
    return html.escape(text(value))


def _html_table(title, header, rows, note=""):
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    caption = f"<caption style='text-align:left'><b>{html.escape(title)}</b>{html.escape(note)}</caption>"
    return f"<table class='boltzmann'>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _header(name, labels):
    symbol, unit = labels.get(name, (name, ""))
    return html.escape(symbol) + (f" <small>({html.escape(unit)})</small>" if unit else "")


def key_value_text(title, items):
    """``Title(name=value, ...)`` wrapped to lines of at most ~100 characters."""
    parts = [f"{name}={text(value)}" for name, value in items]
    lines, line = [], f"{title}("
    for k, part in enumerate(parts):
        piece = part + (", " if k < len(parts) - 1 else "")
        if len(line) + len(piece) > 100 and line.strip() not in (f"{title}(", ""):
            lines.append(line.rstrip())
            line = "    "
        line += piece
    return "\n".join(lines + [line + ")"])


def key_value_html(title, items, labels=None):
    """A table of name | value; when some values are estimates, their errors (and the
    integrated autocorrelation times of Monte Carlo estimates) get columns of their own."""
    labels = labels or {}
    if not any(_estimate(value) is not None for _, value in items):
        return _html_table(title, ["", "value"], [(_header(name, labels), _cell(value)) for name, value in items])
    with_tau = any(hasattr(value, "tau") for _, value in items)
    rows = []
    for name, value in items:
        pair = _estimate(value)
        if pair is None:
            row = [_header(name, labels), _cell(value), ""]
        else:
            row = [_header(name, labels), html.escape(_number(pair[0])), f"±&nbsp;{float(pair[1]):.2g}"]
        if with_tau:
            row.append(html.escape(_number(value.tau)) if hasattr(value, "tau") else "")
        rows.append(row)
    return _html_table(title, ["", "value", "error"] + (["τ<sub>int</sub> <small>(measurements)</small>"] if with_tau else []),
                       rows)


def _table_rows(n):
    """Row indices to show of n, with None where rows are skipped."""
    if n <= _TABLE_ROWS:
        return list(range(n))
    half = _TABLE_ROWS // 2
    return list(range(half)) + [None] + list(range(n - half, n))


class Result:
    """Display for a result dataclass: see the module. Fields that are None are left out."""

    #: (symbol, unit) per field, for HTML headers.
    _labels = {}
    #: True for results whose array fields run along one axis (shown as a table).
    _table_axis = False

    def _items(self):
        return [(f.name, getattr(self, f.name)) for f in dataclasses.fields(self) if getattr(self, f.name) is not None]

    def _columns(self):
        """The fields shown as table columns (1-D, all of one length), or None."""
        if not self._table_axis:
            return None
        columns = [(name, np.ravel(value)) for name, value in self._items()
                   if isinstance(value, np.ndarray) and value.dtype.kind in "fiub"]
        lengths = {c.size for _, c in columns}
        return columns if len(lengths) == 1 else None

    def _text_table(self, columns, every_row):
        """The columns as a text table: every row, or at most ``_TABLE_ROWS``."""
        n = columns[0][1].size
        width = max(12, *(len(name) + 2 for name, _ in columns))
        lines = ["".join(f"{name:>{width}}" for name, _ in columns)]
        for i in range(n) if every_row else _table_rows(n):
            lines.append("".join(f"{'...':>{width}}" for _ in columns) if i is None else
                         "".join(f"{_number(c[i]):>{width}}" for _, c in columns))
        return "\n".join(lines)

    def __repr__(self):
        columns = self._columns()
        title = type(self).__name__
        if columns is None:
            return key_value_text(title, self._items())
        n = columns[0][1].size
        return f"{title} at {n} point{'s' * (n != 1)}:\n" + self._text_table(columns, every_row=False)

    def _repr_html_(self):
        columns = self._columns()
        title = type(self).__name__
        if columns is None:
            return key_value_html(title, self._items(), self._labels)
        n = columns[0][1].size
        rows = [["&#8943;"] * len(columns) if i is None else [html.escape(_number(c[i])) for _, c in columns]
                for i in _table_rows(n)]
        note = f" ({n} rows, {_TABLE_ROWS} shown)" if n > _TABLE_ROWS else ""
        return _html_table(title, [_header(name, self._labels) for name, _ in columns], rows, note)


#: Labels of thermodynamic fields: k_B = 1, energies in the spectrum's or couplings' units.
THERMO_LABELS = {
    "beta": ("β", "1/energy"), "log_z": ("ln Z", ""), "free_energy": ("F", "energy"), "energy": ("U", "energy"),
    "entropy": ("S", "k_B"), "heat_capacity": ("C", "k_B"), "magnetization": ("⟨m⟩", ""),
    "abs_magnetization": ("⟨|m|⟩", ""), "magnetization_sq": ("⟨m²⟩", ""), "nearest_neighbour": ("⟨s_i s_i+1⟩", ""),
}
