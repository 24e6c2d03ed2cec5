"""The coefficient tables in the headers are the fits tools/fit holds, bit for bit.

tools/fit/emit_tables.py names every table (header, function, JSON source) and every constant
taken from a fit. This reads each out of its header as a C compiler does (a float literal, or
any literal in a float table, is rounded to float32) and compares its bits with the JSON
source's value, so a refit that was not emitted, or a hand edit, fails naming the table. The
parsing here is independent of emit_tables.py, which only supplies the list. Skips without
tools/fit (the tests copied away from the checkout).
"""
import importlib.util
import json
import re
import struct
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIT = ROOT / "tools" / "fit"
INCLUDE = ROOT / "src" / "cyacts" / "include" / "cyacts"

pytestmark = pytest.mark.skipif(not (FIT / "emit_tables.py").is_file(),
                                reason="needs the source tree's tools/fit")

LITERAL = re.compile(r"([+-]?)\s*(0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*[pP][+-]?[0-9]+"
                     r"|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)([fFlL]?)")
TABLE = re.compile(r"static const (float|double) (\w+)\[(\d+)\] = \{([^}]*)\};")
FUNCTION = re.compile(r"^CYACTS__INLINE\b[^\n(]*\b(\w+)\(", re.M)


def _emit_tables():
    spec = importlib.util.spec_from_file_location("emit_tables", FIT / "emit_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EMIT = _emit_tables() if (FIT / "emit_tables.py").is_file() else None


def _bits(x, ctype):
    return struct.pack("<f" if ctype == "float" else "<d", x)


def _as(x, ctype):
    """x converted to ctype, as a Python float (float32 rounds to nearest even)."""
    return struct.unpack("<f", struct.pack("<f", x))[0] if ctype == "float" else x


def c_value(text, ctype):
    """The value a C compiler stores for the literal `text` in an object of type ctype."""
    m = LITERAL.fullmatch(text.strip().strip("()").strip())
    assert m, f"not a floating literal: {text!r}"
    sign, digits, suffix = m.groups()
    x = float.fromhex(digits) if digits[:2].lower() == "0x" else float(digits)
    if suffix in ("f", "F"):
        x = _as(x, "float")
    return _as(-x if sign == "-" else x, ctype)


def json_value(json_file, key):
    """The JSON source's value(s); a list is returned highest degree first (the tables' order)."""
    data = json.loads((FIT / json_file).read_text())[key]
    conv = lambda v: float.fromhex(v) if isinstance(v, str) else float(v)  # noqa: E731
    return [conv(v) for v in reversed(data)] if isinstance(data, list) else conv(data)


def _table_of(text, function):
    """The TABLE match inside `function`'s definition."""
    start = next(m.start() for m in FUNCTION.finditer(text) if m.group(1) == function)
    return TABLE.search(text, start)


def tables_in(text):
    """{function: (ctype, [literal texts])} for every coefficient table of a header."""
    starts = [(m.start(), m.group(1)) for m in FUNCTION.finditer(text)]
    found = {}
    for m in TABLE.finditer(text):
        owner = [name for start, name in starts if start < m.start()][-1]
        items = [t for t in m.group(4).split(",") if t.strip()]
        n = int(m.group(3))
        assert len(items) == n, f"{owner}: {m.group(2)}[{n}] holds {len(items)} values"
        found[owner] = (m.group(1), items)
    return found


def macro_in(text, name):
    m = re.search(rf"^#define {name}[ \t]+(.+?)\s*(?:/\*.*)?$", text, re.M)
    return m.group(1) if m else None


def mismatches(texts):
    """What differs between the headers' texts and the JSON sources, one line per table."""
    problems = []
    for header, function, ctype, json_file, key in EMIT.TABLES:
        found = tables_in(texts[header]).get(function)
        if found is None:
            problems.append(f"{header} {function}: no coefficient table found")
            continue
        table_type, items = found
        want = json_value(json_file, key)
        if table_type != ctype or len(items) != len(want):
            problems.append(f"{header} {function}: {table_type} c[{len(items)}] in the header, "
                            f"{len(want)} {ctype} coefficients in {json_file}")
            continue
        for i, (item, w) in enumerate(zip(items, want)):
            got = c_value(item, ctype)
            if _as(w, ctype) != w:
                problems.append(f"{header} {function}: {json_file}'s c[{i}] = {w.hex()} is not "
                                f"a {ctype} value")
            elif _bits(got, ctype) != _bits(w, ctype):
                problems.append(f"{header} {function}: c[{i}] is {got.hex()} in the header, "
                                f"{w.hex()} in {json_file}")
    for header, macro, ctype, json_file, key in EMIT.CONSTANTS:
        text = macro_in(texts[header], macro)
        want = json_value(json_file, key)
        if text is None:
            problems.append(f"{header} {macro}: not defined")
        elif _bits(c_value(text, ctype), ctype) != _bits(want, ctype):
            problems.append(f"{header} {macro}: {c_value(text, ctype).hex()} in the header, "
                            f"{want.hex()} in {json_file}")
    return problems


def _headers():
    names = {t[0] for t in EMIT.TABLES} | {c[0] for c in EMIT.CONSTANTS}
    return {name: (INCLUDE / name).read_text() for name in names}


def test_headers_hold_the_fitted_coefficients():
    problems = mismatches(_headers())
    assert not problems, "\n".join(problems)


def test_every_table_in_the_headers_has_a_source():
    """A new table (or a renamed function) must be added to emit_tables.TABLES (or, for
    closed-form values written as expressions, to emit_tables.ANALYTIC)."""
    listed = {(t[0], t[1]) for t in EMIT.TABLES} | set(EMIT.ANALYTIC)
    present = {(h.name, fn) for h in sorted(INCLUDE.glob("*.h")) for fn in tables_in(h.read_text())}
    assert present == listed, (f"in the headers only: {sorted(present - listed)}; "
                               f"in emit_tables only: {sorted(listed - present)}")


def _one_ulp_off(literal, ctype):
    """A literal one ulp (of ctype) away from this one's value."""
    x = c_value(literal, ctype)
    fmt, ifmt = ("<f", "<I") if ctype == "float" else ("<d", "<Q")
    bits = struct.unpack(ifmt, struct.pack(fmt, x))[0]
    bits += 1 if x >= 0 else -1
    y = struct.unpack(fmt, struct.pack(ifmt, bits))[0]
    return y.hex() + ("f" if ctype == "float" else "")


@pytest.mark.parametrize("entry", EMIT.TABLES if EMIT else [], ids=lambda e: e[1])
def test_a_changed_coefficient_is_named(entry):
    header, function, ctype, _, _ = entry
    texts = _headers()
    m = _table_of(texts[header], function)
    first = m.group(4).split(",")[0]
    changed = m.group(4).replace(first, " " + _one_ulp_off(first, ctype), 1)
    texts[header] = texts[header][:m.start(4)] + changed + texts[header][m.end(4):]
    problems = mismatches(texts)
    assert len(problems) == 1 and problems[0].startswith(f"{header} {function}: c[0]"), problems


@pytest.mark.parametrize("entry", EMIT.CONSTANTS if EMIT else [], ids=lambda e: e[1])
def test_a_changed_constant_is_named(entry):
    header, macro, ctype, _, _ = entry
    texts = _headers()
    old = macro_in(texts[header], macro)
    texts[header] = texts[header].replace(f"#define {macro} {old}",
                                          f"#define {macro} {_one_ulp_off(old, ctype)}")
    problems = mismatches(texts)
    assert len(problems) == 1 and problems[0].startswith(f"{header} {macro}:"), problems


def test_headers_are_as_emit_tables_writes_them():
    """Layout too: after a refit, `python tools/fit/emit_tables.py --write` updates them."""
    stale = [h for h, text in EMIT.emitted_headers().items() if (INCLUDE / h).read_text() != text]
    assert not stale, f"{stale}: run python tools/fit/emit_tables.py --write"
