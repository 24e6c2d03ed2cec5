"""The registry of operations: the one table every layer of cyacts reads.

Design
------
A. One `Op` per public activation. From it come the public functions (api.py makes `f`, `f_`
   and `f_grad` with their real signatures and docstrings), the kernels the driver indexes
   (`Op.kernels()`), the generated files (tools/generate.py writes the `.pyi` stubs, c_api.pxd,
   the header's list of array functions and the driver's kernel list; a test fails when a
   checked-in copy differs) and every test table (oracle, semantics, ULP bounds, bad input,
   C API, dask, derivatives), the benchmark rows, the demo and the plot.
B. An op computes through one or more C kernels. A `choice` parameter picks the kernel by its
   value (gelu's approximate="tanh" runs gelu_tanh); a `per_element` parameter given as an
   array runs the op's per-element kernel (leaky_relu with an array alpha runs prelu). Every
   kernel has a derivative kernel `<kernel>_grad`; the derivative from the output runs either
   that same kernel (where f' of the output equals f' of the input: relu, leaky_relu with
   alpha > 0) or a kernel of its own (`<kernel>_grad_from_output`).
C. An op has at most two scalar parameters (the params without choices, in order), passed to
   every kernel of the op, the from-output one included: cyacts_elem_<kernel>_<dtype>(x, p0,
   p1). Every forward and derivative also takes `bias=` (the op of x + bias, one pass): the
   driver adds it in blocks before the kernel runs, so no kernel knows about it.
D. A gated unit (`Gated`: glu, swiglu, geglu) applies an op's forward kernel to its first
   operand and multiplies by the second; its derivative returns both gradients from one pass.
   Its kernels are the op's element functions in the GATED / GATED_GRAD calling shapes.
E. Adding an activation: its element functions in a family header (include/cyacts/), one entry
   here, its reference in reference.py; then `python tools/generate.py`. tests/test_registry.py
   names whatever is missing.

This module imports nothing but the standard library (setup.py and tools/ read it as a file).
"""
import dataclasses
import math
from typing import Any, Optional

#: elements per thread below which a second thread does not pay for itself
PIECEWISE_GRAIN = 32768  # memory-bound kernels: big chunks before the parallel region pays
TRANSCENDENTAL_GRAIN = 4096  # compute-bound kernels pay off much sooner

#: family -> the headers in include/cyacts/ that hold its element functions
FAMILIES = {
    "piecewise": ("piecewise.h",),
    "logistic": ("logistic.h",),
    "gelu": ("gelu.h", "gelu_tanh.h"),
    "elu": ("elu.h",),
    "softplus": ("softplus.h",),
}

#: accuracy classes, in ULPs of the result dtype: {dtype name: bound}
EXACT = {"float32": 0, "float64": 0}


class _Required:
    """The default of a parameter that has none (threshold's threshold and value)."""

    def __repr__(self):
        return "REQUIRED"


REQUIRED = _Required()


def _bounds(f32, f64):
    return {"float32": f32, "float64": f64}


@dataclasses.dataclass(frozen=True)
class Param:
    """A parameter of an op after x (and grad_output for derivatives)."""

    name: str
    default: Any
    doc: str
    #: allowed values (strings); the op's `kernels` maps each to a kernel
    choices: tuple = ()
    #: also accepts an array broadcastable to x, computed by the op's per-element kernel
    per_element: bool = False
    #: keyword-only in the forward (and in-place) functions
    keyword_only: bool = False
    #: keyword-only in the derivative (None: as in the forward)
    grad_keyword_only: Optional[bool] = None
    #: values besides the default that the tests exercise
    test_values: tuple = ()
    #: stub type of the parameter
    stub_type: str = "float"
    #: the parameter also accepts None, and the kernels then receive this number
    none_value: Optional[float] = None
    #: (test(value) -> bool, message): ValueError(message) when a value fails the test
    valid: Optional[tuple] = None

    @property
    def required(self):
        return self.default is REQUIRED

    @property
    def kw_only_in_grad(self):
        return self.keyword_only if self.grad_keyword_only is None else self.grad_keyword_only

    def number(self, value):
        """The number the kernels receive for `value` (none_value for None)."""
        return self.none_value if value is None else value


@dataclasses.dataclass(frozen=True)
class Kink:
    """A point where the derivative jumps, with the value PyTorch's backward gives there."""

    #: a number, or the name of the parameter whose value it is ("-name" for its negative)
    x: Any
    #: f'(x): a number, or the name of the parameter whose value it is
    grad: Any


@dataclasses.dataclass(frozen=True)
class Op:
    """One activation function with its derivative."""

    name: str
    #: the family header its element functions live in (include/cyacts/<family>.h)
    family: str
    #: first docstring line of the forward: the formula
    formula: str
    #: first docstring line of the derivative
    grad_formula: str
    #: the rest of the docstring: semantics and trade-offs
    notes: str = ""
    params: tuple = ()
    #: choice value -> kernel name (ops without a choice parameter: {None: name})
    kernel_map: Optional[dict] = None
    #: the kernel run when the per-element parameter is an array
    per_element_kernel: Optional[str] = None
    #: the derivative from the output y = f(x): "same" (the input's derivative kernel, fed y),
    #: "own" (a <kernel>_grad_from_output kernel), or None (refused: `from_output_refusal`)
    from_output: Optional[str] = None
    from_output_refusal: str = ""
    #: (parameter, test, message) the parameters must pass for from_output=True
    from_output_requires: Optional[tuple] = None
    #: (f(-inf), f(+inf)) and (f'(-inf), f'(+inf)); a string names a parameter
    limits: Optional[tuple] = None
    grad_limits: Optional[tuple] = None
    kinks: tuple = ()
    #: fewest elements worth a thread, forward and derivative; the from-output kernel's
    grain: int = TRANSCENDENTAL_GRAIN
    from_output_grain: int = PIECEWISE_GRAIN
    #: max error in ULPs against the correctly rounded result, {dtype: bound}
    ulp: Optional[dict] = None
    grad_ulp: Optional[dict] = None
    #: where the oracle lives: the names in cyacts.reference
    reference: str = ""
    #: (test(params dict) -> bool, message) for relations between parameters
    param_check: Optional[tuple] = None

    # -- derived ---------------------------------------------------------------------------
    @property
    def choice(self):
        """The choice parameter, or None."""
        return next((p for p in self.params if p.choices), None)

    @property
    def per_element(self):
        """The parameter that may be an array, or None."""
        return next((p for p in self.params if p.per_element), None)

    @property
    def scalars(self):
        """The parameters passed to the kernels as their scalar arguments, in order (<= 2)."""
        return tuple(p for p in self.params if not p.choices)

    @property
    def scalar(self):
        """The first scalar parameter, or None."""
        return next(iter(self.scalars), None)

    @property
    def kernel_names(self):
        """choice value (None without a choice) -> forward kernel name."""
        return self.kernel_map or {None: self.name}

    @property
    def reference_names(self):
        return (self.reference or self.name), (self.reference or self.name) + "_grad"

    def kernels(self):
        """Every C kernel of this op: (kernel name, element function, calling shape, grain)."""
        scalars = tuple(p.name for p in self.scalars)
        assert len(scalars) <= 2, f"{self.name}: the kernels take at most two scalars"
        shape = _PARAM_SHAPE[len(scalars)]
        rows = []
        for kernel in self.kernel_names.values():
            rows.append(Kernel(kernel, kernel, "MAP" + shape, self.grain, scalars))
            rows.append(Kernel(kernel + "_grad", kernel + "_grad", "GRAD" + shape, self.grain,
                               scalars))
            if self.from_output == "own":
                rows.append(Kernel(kernel + "_grad_from_output", kernel + "_grad_from_output",
                                   "GRAD" + shape, self.from_output_grain, scalars))
        if self.per_element_kernel:
            base, name = self.kernel_names[None], (self.per_element.name,)
            rows.append(Kernel(self.per_element_kernel, base, "MAP_ARRAY", self.grain, name))
            rows.append(Kernel(self.per_element_kernel + "_grad", base + "_grad", "GRAD_ARRAY",
                               self.grain, name))
        return rows

    @property
    def required(self):
        """The parameters without a default, each with its first test value: the part of
        every parameter set the tests use."""
        return {p.name: p.test_values[0] for p in self.params if p.required}

    def variants(self):
        """Every parameter set the tests exercise: each choice, and each scalar test value,
        with the defaults first. A list of dicts (the defaults are {}, or the required
        parameters' first test values)."""
        base = self.required
        out = [dict(base)]
        for p in self.params:
            values = [c for c in p.choices if c != p.default] + list(p.test_values)
            out += [{**base, p.name: v} for v in values[1 if p.required else 0:]]
        return out

    def from_output_allowed(self, params):
        """Whether the derivative from the output takes this parameter set."""
        if self.from_output is None:
            return False
        if self.from_output_requires is None:
            return True
        name, test, _ = self.from_output_requires
        return bool(test(params.get(name, next(p.default for p in self.params
                                                if p.name == name))))

    def grad_kernel(self, kernel, from_output):
        """The derivative kernel of forward kernel `kernel` (from the output, or from x)."""
        own = from_output and self.from_output == "own"
        return kernel + ("_grad_from_output" if own else "_grad")

    def kernel_for(self, params):
        """The forward kernel name for a parameter dict (defaults filled in)."""
        choice = self.choice
        return self.kernel_names[None if choice is None else params.get(choice.name,
                                                                        choice.default)]

    def label(self, params):
        """The op called with a parameter dict, for tables and plots: gelu(approximate='tanh')."""
        args = ", ".join(f"{name}={value!r}" for name, value in params.items())
        return f"{self.name}({args})" if args else self.name


#: the calling shapes' suffix for 0, 1 and 2 scalar parameters
_PARAM_SHAPE = ("", "_PARAM", "_PARAM2")


@dataclasses.dataclass(frozen=True)
class Kernel:
    """One C array function: cyacts_<name>_f32 / _f64 over cyacts_elem_<elem>_<dtype>."""

    name: str
    elem: str
    #: calling shape: MAP (x, y, n), MAP_PARAM / MAP_PARAM2 (+ one or two scalars), MAP_ARRAY
    #: (+ one value per element), GRAD (x, grad_output, y, n) and GRAD_PARAM, GRAD_PARAM2,
    #: GRAD_ARRAY likewise; GATED (gate, value, out, n) and GATED_GRAD (gate, value,
    #: grad_output, grad_gate, grad_value, n), with _PARAM for one scalar
    shape: str
    grain: int
    #: the C names of the scalar parameters, or of the per-element one
    params: tuple = ()

    @property
    def param(self):
        """The first parameter's C name ("" for none)."""
        return self.params[0] if self.params else ""

    @property
    def gated(self):
        return self.shape.startswith("GATED")


def _positive(value):
    return value > 0


def _nonzero_finite(value):
    return value != 0 and math.isfinite(value)


def _by_sign(param, positive, negative):
    """A limit that depends on the sign of a parameter: f(params) -> the limit."""
    return lambda params: positive if params[param] > 0 else negative


ALPHA = Param("alpha", 0.01, "the slope for x <= 0: a number, or an array broadcastable to x "
              "(one slope per channel, as PReLU)", per_element=True, grad_keyword_only=True,
              test_values=(0.2,), stub_type="_Alpha")
APPROXIMATE = Param("approximate", "none", '"none" for the erf form, "tanh" for the tanh '
                    "approximation", choices=("none", "tanh"), keyword_only=True,
                    stub_type="_Approximate")

def _nonzero(value):
    return value != 0


def _finite_nonnegative(value):
    return 0 <= value < float("inf")


def _not_nan(value):
    return value == value


def _ordered_bounds(params):
    return params["min_val"] <= params["max_val"]


#: SELU's constants, PyTorch's doubles (the exact binary values are the definition)
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
#: scale * alpha rounded to float64 (the kernels carry the exact product)
SELU_SCALE_ALPHA = 1.7580993408473766

_FROM_OUTPUT_ALPHA = ("alpha", _positive,
                      "from_output=True needs alpha > 0 (then y <= 0 exactly where x <= 0)")
ELU_ALPHA = Param("alpha", 1.0, "the negative part's scale: alpha (exp(x) - 1) for x <= 0 "
                  "(any real number; -alpha is the limit at -inf)", test_values=(0.5, -0.375))
CELU_ALPHA = Param("alpha", 1.0, "the negative part's scale and width: alpha (exp(x/alpha) - 1) "
                   "for x <= 0 (a nonzero real number)", test_values=(2.0, 0.25),
                   valid=(_nonzero, "alpha must not be 0 (celu divides by it)"))
LAMBD = Param("lambd", 0.5, "the half-width of the band mapped to 0 (a finite number >= 0)",
              test_values=(0.0, 1.25),
              valid=(_finite_nonnegative, "lambd must be a finite number >= 0"))


def _celu_limit(params):
    """celu(-inf): -alpha, or -inf for alpha < 0 (alpha expm1(+inf))."""
    return -params["alpha"] if params["alpha"] > 0 else float("-inf")


def _celu_grad_limit(params):
    """celu'(-inf) = exp(-inf/alpha): 0, or inf for alpha < 0."""
    return 0.0 if params["alpha"] > 0 else float("inf")

BETA_VALID = (_nonzero_finite, "beta must be a finite nonzero number")
SILU_BETA = Param("beta", 1.0, "the slope of the sigmoid's argument, x sigmoid(beta x) (1.702: the "
                  "quick GELU of CLIP); any finite nonzero number", test_values=(1.702, -0.5),
                  valid=BETA_VALID)
SOFTPLUS_BETA = Param("beta", 1.0, "the sharpness, log1p(exp(beta x))/beta; any finite nonzero "
                      "number (beta < 0 gives -softplus(-x) with |beta|, as PyTorch)",
                      test_values=(2.0, -1.5), valid=BETA_VALID)
SOFTPLUS_THRESHOLD = Param("threshold", None, "x itself where beta x > threshold (PyTorch's "
                           "default is 20); None: the exact function everywhere",
                           test_values=(20.0, 12.0), none_value=math.inf)

OPS = (
    Op("relu", "piecewise",
       formula="max(0, x). NaN stays NaN.",
       grad_formula="1 where x > 0 else 0 (0 at x = 0), times grad_output when given.",
       from_output="same", limits=(0.0, "inf"), grad_limits=(0.0, 1.0),
       kinks=(Kink(0.0, 0.0),), grain=PIECEWISE_GRAIN, ulp=EXACT, grad_ulp=EXACT),
    Op("leaky_relu", "piecewise",
       formula="x if x > 0 else alpha*x; alpha is a number or an array broadcastable to x "
               "(PReLU).",
       grad_formula="1 where x > 0 else alpha (alpha at x = 0), times grad_output when given.",
       params=(ALPHA,), per_element_kernel="prelu", from_output="same",
       from_output_requires=("alpha", _positive,
                             "from_output=True needs alpha > 0 (with alpha <= 0 the input's sign "
                             "cannot be read from the output)"),
       limits=("-inf", "inf"), grad_limits=("alpha", 1.0), kinks=(Kink(0.0, "alpha"),),
       grain=PIECEWISE_GRAIN, ulp=EXACT, grad_ulp=EXACT),
    Op("relu6", "piecewise",
       formula="min(max(0, x), 6).",
       grad_formula="1 where 0 < x < 6 else 0, times grad_output when given.",
       from_output="same", limits=(0.0, 6.0), grad_limits=(0.0, 0.0),
       kinks=(Kink(0.0, 0.0), Kink(6.0, 0.0)), grain=PIECEWISE_GRAIN, ulp=EXACT,
       grad_ulp=EXACT),
    Op("squared_relu", "piecewise",
       formula="relu(x)^2 = max(0, x)^2 (Primer's squared ReLU), correctly rounded.",
       grad_formula="2 relu(x) (0 at x = 0), or 2 sqrt(y) from the output, times grad_output "
                    "when given.",
       from_output="own", limits=(0.0, "inf"), grad_limits=(0.0, "inf"),
       kinks=(Kink(0.0, 0.0),), grain=PIECEWISE_GRAIN, ulp=EXACT, grad_ulp=EXACT),
    Op("gelu", "gelu",
       formula='x * Phi(x) ("none", erf form) or 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 '
               'x^3))) ("tanh").',
       grad_formula="Phi(x) + x phi(x) (or the tanh form's derivative), times grad_output "
                    "when given.",
       notes="Phi is evaluated as erfc(-x/sqrt2)/2, so the negative tail keeps its relative "
             "accuracy down to the underflow.",
       params=(APPROXIMATE,), kernel_map={"none": "gelu", "tanh": "gelu_tanh"},
       from_output_refusal="GELU is not invertible, so its derivative cannot be computed "
                           "from its output",
       limits=(0.0, "inf"), grad_limits=(0.0, 1.0), ulp=_bounds(2, 4), grad_ulp=_bounds(4, 4)),
    Op("tanh", "logistic",
       formula="Hyperbolic tangent.",
       grad_formula="1 - tanh(x)^2 = 1/cosh(x)^2 (or 1 - y^2 from the output), times "
                    "grad_output.",
       from_output="own", limits=(-1.0, 1.0), grad_limits=(0.0, 0.0), ulp=_bounds(1, 2),
       grad_ulp=_bounds(4, 4)),
    Op("sigmoid", "logistic",
       formula="1 / (1 + exp(-x)), without overflow.",
       grad_formula="sigmoid(x)(1 - sigmoid(x)) (or y(1 - y) from the output), times "
                    "grad_output.",
       from_output="own", limits=(0.0, 1.0), grad_limits=(0.0, 0.0), ulp=_bounds(1, 2),
       grad_ulp=_bounds(4, 4)),
    Op("elu", "elu",
       formula="x if x > 0 else alpha (exp(x) - 1), with exp(x) - 1 as expm1 (relative "
               "accuracy down to the smallest |x|).",
       grad_formula="1 where x > 0 else alpha exp(x) (alpha at x = 0), or y + alpha from the "
                    "output (alpha > 0), times grad_output when given.",
       params=(ELU_ALPHA,), from_output="own", from_output_requires=_FROM_OUTPUT_ALPHA,
       limits=("-alpha", "inf"), grad_limits=(0.0, 1.0), kinks=(Kink(0.0, "alpha"),),
       ulp=_bounds(2, 4), grad_ulp=_bounds(4, 4)),
    Op("selu", "elu",
       formula="scale * elu(x, alpha) with PyTorch's constants alpha = 1.6732632423543772, "
               "scale = 1.0507009873554805 (their exact product carried in the kernels).",
       grad_formula="scale where x > 0 else scale alpha exp(x) (scale alpha at x = 0), or "
                    "y + scale alpha from the output, times grad_output when given.",
       from_output="own", limits=(-SELU_SCALE_ALPHA, "inf"), grad_limits=(0.0, SELU_SCALE),
       kinks=(Kink(0.0, SELU_SCALE_ALPHA),), ulp=_bounds(2, 4), grad_ulp=_bounds(4, 4)),
    Op("celu", "elu",
       formula="max(0, x) + min(0, alpha (exp(x/alpha) - 1)): x if x > 0 else alpha "
               "expm1(x/alpha), x/alpha carried to twice the precision.",
       grad_formula="1 where x > 0 else exp(x/alpha) (1 at x = 0), or (y + alpha)/alpha from "
                    "the output (alpha > 0), times grad_output when given.",
       notes="A negative alpha is allowed, as in PyTorch: then x < 0 maps to alpha expm1(x/alpha) "
             "< 0 with x/alpha > 0, computed up to its own overflow (alpha e^(x/alpha) may be "
             "finite where e^(x/alpha) is not).",
       params=(CELU_ALPHA,), from_output="own", from_output_requires=_FROM_OUTPUT_ALPHA,
       limits=(_celu_limit, "inf"), grad_limits=(_celu_grad_limit, 1.0),
       kinks=(Kink(0.0, 1.0),), ulp=_bounds(2, 4), grad_ulp=_bounds(4, 4)),
    Op("hardtanh", "piecewise",
       formula="min(max(x, min_val), max_val).",
       grad_formula="1 where min_val < x < max_val else 0 (0 at both bounds), times "
                    "grad_output when given.",
       params=(Param("min_val", -1.0, "the lower bound", test_values=(-2.5,)),
               Param("max_val", 1.0, "the upper bound (>= min_val)", test_values=(0.5,))),
       param_check=(_ordered_bounds, "min_val must not be greater than max_val"),
       from_output="same", limits=("min_val", "max_val"), grad_limits=(0.0, 0.0),
       kinks=(Kink("min_val", 0.0), Kink("max_val", 0.0)), grain=PIECEWISE_GRAIN, ulp=EXACT,
       grad_ulp=EXACT),
    Op("hardsigmoid", "piecewise",
       formula="relu6(x + 3)/6 = min(max(x/6 + 1/2, 0), 1), within 1 ulp (x + 3 carried exactly).",
       grad_formula="1/6 where -3 < x < 3 else 0 (0 at both ends), times grad_output when "
                    "given.",
       from_output="own", limits=(0.0, 1.0), grad_limits=(0.0, 0.0),
       kinks=(Kink(-3.0, 0.0), Kink(3.0, 0.0)), grain=PIECEWISE_GRAIN, ulp=_bounds(1, 1),
       grad_ulp=EXACT),
    Op("hardswish", "piecewise",
       formula="x relu6(x + 3)/6: 0 for x <= -3, x for x >= 3, x (x + 3)/6 between.",
       grad_formula="0 where x <= -3, 1 where x >= 3, (2x + 3)/6 between (PyTorch's values at "
                    "-3 and 3), times grad_output when given.",
       from_output_refusal="hardswish is not invertible (it dips to -3/8 at x = -3/2), so its "
                           "derivative cannot be computed from its output",
       limits=(0.0, "inf"), grad_limits=(0.0, 1.0), kinks=(Kink(-3.0, 0.0), Kink(3.0, 1.0)),
       grain=PIECEWISE_GRAIN, ulp=_bounds(2, 2), grad_ulp=_bounds(4, 4)),
    Op("softsign", "piecewise",
       formula="x / (1 + |x|), within 1 ulp.",
       grad_formula="1 / (1 + |x|)^2 (or (1 - |y|)^2 from the output), times grad_output when "
                    "given.",
       from_output="own", limits=(-1.0, 1.0), grad_limits=(0.0, 0.0), grain=PIECEWISE_GRAIN,
       ulp=_bounds(1, 1), grad_ulp=_bounds(4, 4)),
    Op("hardshrink", "piecewise",
       formula="x if |x| > lambd else 0.",
       grad_formula="1 where |x| > lambd else 0 (0 at +-lambd), times grad_output when given.",
       params=(LAMBD,), from_output="same", limits=("-inf", "inf"), grad_limits=(1.0, 1.0),
       kinks=(Kink("lambd", 0.0), Kink("-lambd", 0.0)), grain=PIECEWISE_GRAIN, ulp=EXACT,
       grad_ulp=EXACT),
    Op("softshrink", "piecewise",
       formula="x - lambd if x > lambd, x + lambd if x < -lambd, else 0 (x * 0: the sign of "
               "zero follows x).",
       grad_formula="1 where |x| > lambd else 0 (0 at +-lambd; from the output: 1 where y != 0), "
                    "times grad_output when given.",
       params=(LAMBD,), from_output="own", limits=("-inf", "inf"), grad_limits=(1.0, 1.0),
       kinks=(Kink("lambd", 0.0), Kink("-lambd", 0.0)), grain=PIECEWISE_GRAIN, ulp=EXACT,
       grad_ulp=EXACT),
    Op("threshold", "piecewise",
       formula="x if x > threshold else value.",
       grad_formula="1 where x > threshold else 0 (0 at the threshold), times grad_output when "
                    "given.",
       params=(Param("threshold", REQUIRED, "the input at or below which the output is value",
                     test_values=(0.5, -1.25), valid=(_not_nan, "threshold must not be NaN")),
               Param("value", REQUIRED, "the output at or below the threshold",
                     test_values=(-2.0, 0.0))),
       from_output_refusal="threshold's output at or below the threshold is `value`, which "
                           "the input above it may equal, so the derivative cannot be read "
                           "from the output",
       limits=("value", "inf"), grad_limits=(0.0, 1.0), kinks=(Kink("threshold", 0.0),),
       grain=PIECEWISE_GRAIN, ulp=EXACT, grad_ulp=EXACT),
    Op("silu", "softplus",
       formula="x * sigmoid(beta x) (SiLU, or swish; beta = 1.702 is the quick GELU).",
       grad_formula="s (1 + beta x (1 - s)), s = sigmoid(beta x), times grad_output when given.",
       notes="The derivative crosses zero at beta x = -1.2785; near there it keeps its relative "
             "accuracy.",
       params=(SILU_BETA,),
       from_output_refusal="SiLU is not invertible, so its derivative cannot be computed from "
                           "its output",
       limits=(_by_sign("beta", 0.0, "-inf"), _by_sign("beta", "inf", 0.0)),
       grad_limits=(_by_sign("beta", 0.0, 1.0), _by_sign("beta", 1.0, 0.0)),
       ulp=_bounds(2, 4), grad_ulp=_bounds(4, 4)),
    Op("mish", "softplus",
       formula="x * tanh(softplus(x)), as x (e^2 + 2e)/(e^2 + 2e + 2), e = exp(x), without "
               "overflow.",
       grad_formula="tanh(softplus(x)) + x sigmoid(x) (1 - tanh(softplus(x))^2), times "
                    "grad_output when given.",
       notes="The derivative crosses zero at x = -1.1924; near there it keeps its relative "
             "accuracy.",
       from_output_refusal="Mish is not invertible, so its derivative cannot be computed from "
                           "its output",
       limits=(0.0, "inf"), grad_limits=(0.0, 1.0), ulp=_bounds(2, 4), grad_ulp=_bounds(4, 4)),
    Op("softplus", "softplus",
       formula="log1p(exp(beta x)) / beta, or x where beta x > threshold (PyTorch's rule).",
       grad_formula="sigmoid(beta x), 1 where beta x > threshold (or 1 - exp(-beta y) from the "
                    "output), times grad_output when given.",
       notes="beta x is compared with the threshold after rounding to the computing dtype, as "
             "PyTorch does; threshold=None (the default) never applies it, so the result is "
             "the exact function everywhere (PyTorch's default threshold is 20). From the "
             "output, values of beta y just above the threshold are read as the threshold "
             "branch's (slope 1): within exp(-threshold) of it an output of either branch can "
             "have the same value.",
       params=(SOFTPLUS_BETA, SOFTPLUS_THRESHOLD), from_output="own",
       limits=(_by_sign("beta", 0.0, "-inf"), _by_sign("beta", "inf", 0.0)),
       grad_limits=(_by_sign("beta", 0.0, 1.0), _by_sign("beta", 1.0, 0.0)),
       from_output_grain=TRANSCENDENTAL_GRAIN, ulp=_bounds(2, 4), grad_ulp=_bounds(4, 4)),
    Op("log_sigmoid", "softplus",
       formula="log(sigmoid(x)) = -softplus(-x), without overflow or cancellation.",
       grad_formula="sigmoid(-x) (or 1 - exp(y) from the output), times grad_output when given.",
       from_output="own", limits=("-inf", 0.0), grad_limits=(1.0, 0.0),
       from_output_grain=TRANSCENDENTAL_GRAIN, ulp=_bounds(2, 4), grad_ulp=_bounds(4, 4)),
    Op("tanhshrink", "softplus",
       formula="x - tanh(x), accurate near 0 (where it is x^3/3).",
       grad_formula="tanh(x)^2, times grad_output when given.",
       from_output_refusal="tanhshrink's inverse has no closed form, so its derivative is "
                           "not computed from its output",
       limits=("-inf", "inf"), grad_limits=(1.0, 1.0), ulp=_bounds(2, 4),
       grad_ulp=_bounds(4, 4)),
)

BY_NAME = {op.name: op for op in OPS}


@dataclasses.dataclass(frozen=True)
class Gated:
    """A gated unit: act(gate) * value, the activation being an op of OPS."""

    name: str
    #: the op applied to the gate; its parameters are the unit's
    activation: str
    #: the op's forward kernel -> this unit's kernel
    kernel_map: dict
    formula: str
    grad_formula: str
    notes: str = ""
    #: where the oracle lives: the names in cyacts.reference
    reference: str = ""

    @property
    def op(self):
        return BY_NAME[self.activation]

    @property
    def params(self):
        return self.op.params

    @property
    def reference_names(self):
        return (self.reference or self.name), (self.reference or self.name) + "_grad"

    @property
    def ulp(self):
        """The activation's bound plus one rounding for the product."""
        return {k: v + 1 for k, v in self.op.ulp.items()}

    @property
    def grad_ulp(self):
        """Both gradients: the activation's (forward or derivative) bound plus one."""
        return {k: max(v, self.op.grad_ulp[k]) + 1 for k, v in self.op.ulp.items()}

    def kernel_for(self, params):
        """The forward kernel name for a parameter dict (defaults filled in)."""
        return self.kernel_map[self.op.kernel_for(params)]

    def kernels(self):
        scalars = tuple(p.name for p in self.op.scalars)
        shape = _PARAM_SHAPE[len(scalars)]
        rows = []
        for base, kernel in self.kernel_map.items():
            rows.append(Kernel(kernel, base, "GATED" + shape, self.op.grain, scalars))
            rows.append(Kernel(kernel + "_grad", base, "GATED_GRAD" + shape, self.op.grain,
                               scalars))
        return rows


GATED = (
    Gated("glu", "sigmoid", {"sigmoid": "glu"},
          formula="sigmoid(gate) * value (PyTorch's F.glu(h) is glu(h[..., d:], h[..., :d])).",
          grad_formula="(grad_gate, grad_value) = (g value sigmoid'(gate), g sigmoid(gate)) for "
                       "g = grad_output (1 when None), from one pass."),
    Gated("swiglu", "silu", {"silu": "swiglu"},
          formula="silu(gate, beta) * value (the gated feed-forward unit of LLaMA-style "
                  "models).",
          grad_formula="(grad_gate, grad_value) = (g value silu'(gate), g silu(gate)) for "
                       "g = grad_output (1 when None), from one pass."),
    Gated("geglu", "gelu", {"gelu": "geglu", "gelu_tanh": "geglu_tanh"},
          formula="gelu(gate, approximate) * value (Gemma's GeGLU).",
          grad_formula="(grad_gate, grad_value) = (g value gelu'(gate), g gelu(gate)) for "
                       "g = grad_output (1 when None), from one pass."),
)

GATED_BY_NAME = {unit.name: unit for unit in GATED}


def kernels():
    """Every C kernel of every op and gated unit, in table order."""
    return [k for op in OPS + GATED for k in op.kernels()]


def bias_kernels():
    """The forward kernels with a fused-bias C function, cyacts_<name>_bias_<dtype>(x, bias, y,
    rows, cols[, scalars])."""
    return [k for k in kernels() if k.shape.startswith("MAP") and k.shape != "MAP_ARRAY"]


def c_functions():
    """The names of every array function of the C API, without the dtype suffix."""
    return [k.name for k in kernels()] + [k.name + "_bias" for k in bias_kernels()]


@dataclasses.dataclass(frozen=True)
class KernelUse:
    """What a kernel computes, as a call of the public functions: op, derivative or forward."""

    op: Op
    #: the choice parameter's value that selects it ({} without a choice)
    params: dict
    grad: bool
    from_output: bool
    #: fed the per-element parameter as an array
    per_element: bool
    #: the gated unit this kernel computes (op is its activation), or None
    gated: Optional[Gated] = None

    @property
    def ulp(self):
        """The published bound of this kernel's results, {dtype: ULPs}."""
        entry = self.gated or self.op
        return entry.grad_ulp if self.grad else entry.ulp


def kernel_uses():
    """kernel name -> KernelUse, for every kernel of the registry."""
    uses = {}
    for op in OPS:
        choice = op.choice
        for value, kernel in op.kernel_names.items():
            params = dict(op.required, **({} if choice is None else {choice.name: value}))
            uses[kernel] = KernelUse(op, params, False, False, False)
            uses[kernel + "_grad"] = KernelUse(op, params, True, False, False)
            if op.from_output == "own":
                uses[kernel + "_grad_from_output"] = KernelUse(op, params, True, True, False)
        if op.per_element_kernel:
            uses[op.per_element_kernel] = KernelUse(op, {}, False, False, True)
            uses[op.per_element_kernel + "_grad"] = KernelUse(op, {}, True, False, True)
    for unit in GATED:
        for base, kernel in unit.kernel_map.items():
            params = uses[base].params
            uses[kernel] = KernelUse(unit.op, params, False, False, False, unit)
            uses[kernel + "_grad"] = KernelUse(unit.op, params, True, False, False, unit)
    assert set(uses) == {k.name for k in kernels()}
    return uses


def public_names():
    """The public functions made from the registry: f, f_ and f_grad of every op, then f and
    f_grad of every gated unit."""
    return ([n for op in OPS for n in (op.name, op.name + "_", op.name + "_grad")]
            + [n for unit in GATED for n in (unit.name, unit.name + "_grad")])


def resolve(value, params, op):
    """A limit or kink value: a number, "inf"/"-inf", the name of a parameter, or a function of
    the parameters (a dict with every parameter, defaults filled in) giving one of those."""
    if callable(value):
        full = {p.name: params.get(p.name, p.default) for p in op.params}
        return resolve(value(full), params, op)
    if isinstance(value, str):
        if value in ("inf", "-inf"):
            return float(value)
        sign, name = (-1.0, value[1:]) if value.startswith("-") else (1.0, value)
        param = next(p for p in op.params if p.name == name)
        return sign * params.get(name, param.default)
    return value



# ============================================================================================
# Reductions: functions along an axis (softmax, log_softmax, logsumexp and the derivatives)
# ============================================================================================
# A family of its own: each entry is one public function of cyacts (made by _softmax.py), one
# op of the reductions' kernel table (_kernels/reduce_ops.h, generated) and one C function per
# dtype (include/cyacts/softmax.h), with its oracle in cyacts.reference. The C functions take
# `rows` rows of `cols` contiguous elements, `row_stride` apart.

#: the header holding the reductions (their element functions, row loops and C API)
REDUCTION_HEADER = "softmax.h"


@dataclasses.dataclass(frozen=True)
class Reduction:
    """One function along an axis of its input."""

    name: str
    #: first docstring line: the formula
    formula: str
    #: the rest of the docstring: semantics and trade-offs
    notes: str = ""
    #: the array arguments: ("x",) for a forward, ("y", "grad_output") for a derivative read
    #: from the forward's output y
    inputs: tuple = ("x",)
    #: "elements" (the input's shape) or "rows" (one value per row: the axis removed, or kept
    #: with keepdims=True)
    result: str = "elements"
    #: has the in-place form f_(x, axis)
    inplace: bool = False
    #: max error in ULPs against the correctly rounded result, {dtype: bound}
    ulp: Optional[dict] = None
    #: what the bound is relative to, where that is not the result itself
    ulp_of: str = "the result"
    #: the oracle in cyacts.reference (default: the same name)
    reference: str = ""

    @property
    def is_grad(self):
        return len(self.inputs) == 2

    @property
    def reference_name(self):
        return self.reference or self.name

    def c_arguments(self, ctype):
        """The parameter list of cyacts_<name>_<f32|f64>."""
        T = ctype
        tail = "size_t rows, size_t cols, ptrdiff_t row_stride"
        if self.is_grad:
            return f"const {T} *y, const {T} *grad_output, {T} *grad_input, {tail}"
        return f"const {T} *x, {T} *y, {tail}"


_SOFTMAX_NOTES = (
    "axis is an int (negative counts from the end) or None (the whole array as one row). "
    "Stable for any finite input (the row's maximum is subtracted); -inf entries get "
    "probability 0; a row that is all -inf, or holds +inf or NaN, gives NaN.")

REDUCTIONS = (
    Reduction("softmax", "exp(x - max) / sum(exp(x - max)) along axis.",
              notes=_SOFTMAX_NOTES, inplace=True, ulp=_bounds(2, 4)),
    Reduction("log_softmax", "(x - max) - log(sum(exp(x - max))) along axis.",
              notes=_SOFTMAX_NOTES.replace("probability 0", "log-probability -inf"),
              inplace=True, ulp=_bounds(2, 4)),
    Reduction("logsumexp", "max + log(sum(exp(x - max))) along axis: log(sum(exp(x))).",
              notes="axis is an int or None (every element); keepdims=True keeps the axis "
                    "with length 1. A row that is all -inf, or empty, gives -inf; +inf gives "
                    "+inf, NaN gives NaN.",
              result="rows", ulp=_bounds(2, 4),
              ulp_of="the result, or of max(|max|, log(sum)) where the two cancel"),
    Reduction("softmax_grad", "y * (grad_output - sum(grad_output * y)) along axis, "
              "y = softmax(x): the gradient of softmax from its output.",
              notes="out=grad_output computes in place.", inputs=("y", "grad_output"),
              ulp=_bounds(2, 4), ulp_of="y * max(|grad_output|, |sum(grad_output * y)|)"),
    Reduction("log_softmax_grad", "grad_output - exp(y) * sum(grad_output) along axis, "
              "y = log_softmax(x): the gradient of log_softmax from its output.",
              notes="out=grad_output computes in place.", inputs=("y", "grad_output"),
              ulp=_bounds(2, 4), ulp_of="max(|grad_output|, |exp(y) sum(grad_output)|)"),
)

REDUCTIONS_BY_NAME = {r.name: r for r in REDUCTIONS}


def reduction_names():
    """The public functions of the reductions: f, and f_ where it has an in-place form."""
    return [n for r in REDUCTIONS for n in ((r.name, r.name + "_") if r.inplace else (r.name,))]
