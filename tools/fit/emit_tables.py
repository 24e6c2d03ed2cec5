"""The C coefficient tables of the cyacts headers, from the JSON files the fits write.

    python tools/fit/emit_tables.py           # print every table definition
    python tools/fit/emit_tables.py --write   # put them into the headers (after a refit)
    python tools/fit/emit_tables.py --check   # exit 1 if a header differs from what it prints

TABLES says which function of which header holds which fit; CONSTANTS the macros that hold a
fit's other results (the roots the derivative polynomials are expanded around or divided by, the
constant terms kept as float pairs). The JSON files
list coefficients lowest degree first, as exact floats (hex strings for the float32 fits,
shortest round-trip decimals for the float64 ones); the headers' tables are highest degree
first, the order of cyacts__horner_f64 and the Estrin evaluators. tests/test_coefficients.py
checks the headers against the JSON files bit for bit.
"""
import json
import re
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
INCLUDE = HERE.parent.parent / "src" / "cyacts" / "include" / "cyacts"

#: tables of closed-form values written as C expressions in the header (no fit behind them)
ANALYTIC = [
    ("softmax.h", "cyacts__sm_log_dd"),  # 2/(2j + 3): the atanh series of log
]

# (header, function holding the table, C type of the table, JSON file, key of the list).
TABLES = [
    ("common.h", "cyacts__expm1_poly9_f64", "double", "coef_exp.json", "c"),
    ("common.h", "cyacts__expm1_poly4_f32", "float", "f32/coef_exp.json", "c"),
    ("gelu.h", "cyacts__gelu_F_f64", "double", "coef_F22.json", "c"),
    ("gelu.h", "cyacts__gelu_G_f64", "double", "coef_G20.json", "c"),
    ("gelu.h", "cyacts__gelu_N1_f32", "float", "f32/coef_gelu_N.json", "c"),
    ("gelu.h", "cyacts__gelu_W1_f32", "float", "f32/coef_gelu_W.json", "c"),
    ("gelu_tanh.h", "cyacts__gelu_tanh_grad_root_poly_f64", "double", "coef_gt.json", "c"),
    ("gelu_tanh.h", "cyacts__gelu_tanh_grad_root_f32", "float",
     "f32/coef_gelu_tanh_grad_root.json", "c"),
    ("softplus.h", "cyacts__log1p_R_f64", "double", "coef_log1p.json", "c"),
    ("softplus.h", "cyacts__tanhshrink_Q_f64", "double", "coef_tanhshrink.json", "c"),
    ("softplus.h", "cyacts__silu_grad_root_f64", "double", "coef_silu_root.json", "c"),
    ("softplus.h", "cyacts__mish_grad_root_f64", "double", "coef_mish_root.json", "c"),
    ("softplus.h", "cyacts__log1p_R_f32", "float", "f32/coef_log1p.json", "c"),
    ("softplus.h", "cyacts__tanhshrink_Q_f32", "float", "f32/coef_tanhshrink.json", "c"),
    ("softplus.h", "cyacts__silu_grad_root_f32", "float", "f32/coef_silu_grad_root.json", "c"),
    ("softplus.h", "cyacts__mish_grad_root_f32", "float", "f32/coef_mish_grad_root.json", "c"),
]

# (header, macro, C type, JSON file, key of the value)
CONSTANTS = [
    ("gelu.h", "CYACTS__GELU_A0_HI_F64", "double", "coef_G20.json", "a0h"),
    ("gelu.h", "CYACTS__GELU_A0_LO_F64", "double", "coef_G20.json", "a0l"),
    ("gelu.h", "CYACTS__GELU_N0_HI_F32", "float", "f32/coef_gelu_N.json", "c0_hi"),
    ("gelu.h", "CYACTS__GELU_N0_LO_F32", "float", "f32/coef_gelu_N.json", "c0_lo"),
    ("gelu.h", "CYACTS__GELU_W0_HI_F32", "float", "f32/coef_gelu_W.json", "c0_hi"),
    ("gelu.h", "CYACTS__GELU_W0_LO_F32", "float", "f32/coef_gelu_W.json", "c0_lo"),
    ("gelu.h", "CYACTS__GELU_A0_HI_F32", "float", "f32/coef_gelu_W.json", "a0_hi"),
    ("gelu.h", "CYACTS__GELU_A0_LO_F32", "float", "f32/coef_gelu_W.json", "a0_lo"),
    ("gelu_tanh.h", "CYACTS__GELU_TANH_X0_HI_F64", "double", "coef_gt.json", "x0h"),
    ("gelu_tanh.h", "CYACTS__GELU_TANH_X0_LO_F64", "double", "coef_gt.json", "x0l"),
    ("gelu_tanh.h", "CYACTS__GELU_TANH_X0_HI_F32", "float", "f32/coef_gelu_tanh_grad_root.json",
     "x0_hi"),
    ("gelu_tanh.h", "CYACTS__GELU_TANH_X0_LO_F32", "float", "f32/coef_gelu_tanh_grad_root.json",
     "x0_lo"),
    ("softplus.h", "CYACTS__SILU_T0_HI_F64", "double", "coef_silu_root.json", "x0h"),
    ("softplus.h", "CYACTS__SILU_T0_LO_F64", "double", "coef_silu_root.json", "x0l"),
    ("softplus.h", "CYACTS__SILU_C0_HI_F64", "double", "coef_silu_root.json", "c0h"),
    ("softplus.h", "CYACTS__SILU_C0_LO_F64", "double", "coef_silu_root.json", "c0l"),
    ("softplus.h", "CYACTS__MISH_X0_HI_F64", "double", "coef_mish_root.json", "x0h"),
    ("softplus.h", "CYACTS__MISH_X0_LO_F64", "double", "coef_mish_root.json", "x0l"),
    ("softplus.h", "CYACTS__MISH_C0_HI_F64", "double", "coef_mish_root.json", "c0h"),
    ("softplus.h", "CYACTS__MISH_C0_LO_F64", "double", "coef_mish_root.json", "c0l"),
    ("softplus.h", "CYACTS__SILU_T0_HI_F32", "float", "f32/coef_silu_grad_root.json", "x0_hi"),
    ("softplus.h", "CYACTS__SILU_T0_LO_F32", "float", "f32/coef_silu_grad_root.json", "x0_lo"),
    ("softplus.h", "CYACTS__MISH_X0_HI_F32", "float", "f32/coef_mish_grad_root.json", "x0_hi"),
    ("softplus.h", "CYACTS__MISH_X0_LO_F32", "float", "f32/coef_mish_grad_root.json", "x0_lo"),
    ("softplus.h", "CYACTS__SILU_C0_HI_F32", "float", "f32/coef_silu_grad_root.json", "c0_hi"),
    ("softplus.h", "CYACTS__SILU_C0_LO_F32", "float", "f32/coef_silu_grad_root.json", "c0_lo"),
    ("softplus.h", "CYACTS__MISH_C0_HI_F32", "float", "f32/coef_mish_grad_root.json", "c0_hi"),
    ("softplus.h", "CYACTS__MISH_C0_LO_F32", "float", "f32/coef_mish_grad_root.json", "c0_lo"),
]


def fit_is_float32(json_file):
    return json_file.startswith("f32/")


def value(v):
    """A JSON number or hex string as the exact float it spells."""
    return float.fromhex(v) if isinstance(v, str) else float(v)


def load(json_file, key):
    """The value(s) under `key` of a fit's JSON file; a list comes back highest degree first."""
    data = json.loads((HERE / json_file).read_text())[key]
    if isinstance(data, list):
        return [value(v) for v in reversed(data)]
    return value(data)


def is_float32(x):
    """Whether the double x is a float32 value."""
    return struct.unpack("f", struct.pack("f", x))[0] == x


def literal(x, ctype, float32_fit):
    """x as an exact C hex literal: 13 hex digits for a double fit, 6 for a float32 one (with
    an f suffix in a float table)."""
    if not float32_fit:
        assert ctype == "double"
        return x.hex()
    if not is_float32(x):
        raise ValueError(f"{x!r} is not a float32 value")
    mant, exp = x.hex().split("p")
    head, digits = mant.split(".")
    text = f"{head}.{digits[:6]}p{exp}"
    return text + "f" if ctype == "float" else text


def table_text(ctype, values, float32_fit, indent="    "):
    """`static const <ctype> c[n] = {...};` wrapped at 100 columns."""
    lines = [f"{indent}static const {ctype} c[{len(values)}] = {{"]
    row = indent + "    "
    items = [literal(v, ctype, float32_fit) for v in values]
    for i, item in enumerate(items):
        piece = item + ("," if i + 1 < len(items) else "};")
        if len(row) + 1 + len(piece) > 100 and row.strip():
            lines.append(row.rstrip())
            row = indent + "    "
        row += ("" if not row.strip() else " ") + piece
    lines.append(row)
    return "\n".join(lines)


def _function_span(text, function):
    """(start, end) of a function's definition in a header."""
    m = re.search(rf"^CYACTS__INLINE\b[^\n(]*\b{function}\(", text, re.M)
    if m is None:
        raise LookupError(f"{function} not found")
    end = text.find("\n}\n", m.end())
    return m.start(), end + 3


TABLE_RE = re.compile(r"^[ \t]*static const (float|double) c\[\d+\] = \{[^}]*\};", re.M)
MACRO_RE = r"^#define {}[ \t]+(\S+)"


def replace_table(text, function, new):
    """The header text with `function`'s table replaced by `new`."""
    start, end = _function_span(text, function)
    body = text[start:end]
    m = TABLE_RE.search(body)
    if m is None:
        raise LookupError(f"{function} holds no coefficient table")
    return text[:start] + body[:m.start()] + new + body[m.end():] + text[end:]


def replace_macro(text, macro, ctype, x, float32_fit):
    spelled = literal(x, ctype, float32_fit)
    pattern = re.compile(MACRO_RE.format(macro), re.M)
    if not pattern.search(text):
        raise LookupError(f"{macro} not found")
    return pattern.sub(lambda m: m.group(0).replace(m.group(1), spelled), text, count=1)


def emitted_headers():
    """{header name: its text with every table and constant as the JSON files give them}."""
    texts = {}
    for header, function, ctype, json_file, key in TABLES:
        text = texts.get(header) or (INCLUDE / header).read_text()
        new = table_text(ctype, load(json_file, key), fit_is_float32(json_file))
        texts[header] = replace_table(text, function, new)
    for header, macro, ctype, json_file, key in CONSTANTS:
        text = texts.get(header) or (INCLUDE / header).read_text()
        texts[header] = replace_macro(text, macro, ctype, load(json_file, key),
                                      fit_is_float32(json_file))
    return texts


def main(argv):
    if argv[1:] == ["--write"] or argv[1:] == ["--check"]:
        stale = [h for h, t in emitted_headers().items() if (INCLUDE / h).read_text() != t]
        if argv[1] == "--check":
            for h in stale:
                print(f"{h}: its tables are not what the JSON files give (run with --write)")
            return 1 if stale else 0
        for h, t in emitted_headers().items():
            if h in stale:
                (INCLUDE / h).write_text(t)
                print(f"wrote {INCLUDE / h}")
        return 0
    if argv[1:]:
        print(__doc__)
        return 2
    for header, function, ctype, json_file, key in TABLES:
        print(f"/* {header}, {function}: {json_file} */")
        print(table_text(ctype, load(json_file, key), fit_is_float32(json_file)))
    for header, macro, ctype, json_file, key in CONSTANTS:
        spelled = literal(load(json_file, key), ctype, fit_is_float32(json_file))
        print(f"#define {macro} {spelled} /* {header}: {json_file} */")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
