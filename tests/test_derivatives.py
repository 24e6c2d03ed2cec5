"""Every derivative against a numerical derivative of its forward, for every op of the registry.

The forward is checked against the oracle elsewhere (test_oracle, test_accuracy); here each
derivative, cyacts's from the input and from the output and the oracle's own, is checked against
central differences of the oracle's float64 forward (Richardson-extrapolated), so the compiled
derivative, the oracle's derivative and the forward cannot agree on a shared mistake.
"""
import numpy as np
import pytest

import cyacts
from cyacts import _ops, reference

CASES = [pytest.param(op, kw, id="-".join([op.name] + [f"{k}={v}" for k, v in kw.items()]))
         for op in _ops.OPS for kw in op.variants()]


def _step(x):
    return 1e-3 * np.maximum(1.0, np.abs(x))


def _points(op, kw):
    """Points over [-8, 8] and the tails whose differences do not straddle a kink."""
    x = np.concatenate([np.linspace(-8, 8, 1601), [-30.0, -15.0, -3.3, 2.7, 15.0, 30.0]])
    for kink in op.kinks:
        x = x[np.abs(x - _ops.resolve(kink.x, kw, op)) > 2 * _step(x)]
    for point in NOT_SMOOTH.get(op.name, ()):  # f' continuous there but f'' jumps
        x = x[np.abs(x - point) > 2 * _step(x)]
    return x


#: points where f' has a corner (no kink of f', but Richardson's step assumes f'' is smooth)
NOT_SMOOTH = {"softsign": (0.0,)}


def _numerical(f, x):
    """f'(x) by central differences, one Richardson step: error ~1e-10 relative."""
    h = _step(x)

    def central(step):
        return (f(x + step) - f(x - step)) / (2 * step)

    return (4 * central(h / 2) - central(h)) / 3


@pytest.mark.parametrize("op, kw", CASES)
def test_derivative_is_the_slope_of_the_forward(op, kw):
    forward, grad = (getattr(reference, n) for n in op.reference_names)
    x = _points(op, kw)
    want = _numerical(lambda t: np.asarray(forward(t, **kw), np.float64), x)
    tol = 1e-7 * np.maximum(1.0, np.abs(want))
    got = {
        "cyacts": getattr(cyacts, op.name + "_grad")(x, **kw),
        "reference": grad(x, **kw),
    }
    if op.from_output_allowed(kw):
        y = getattr(cyacts, op.name)(x, **kw)
        got["cyacts, from the output"] = getattr(cyacts, op.name + "_grad")(
            y, from_output=True, **kw)
    for label, value in got.items():
        err = np.abs(np.asarray(value, np.float64) - want)
        i = int(np.argmax(err - tol))
        assert np.all(err <= tol), (
            f"{op.name}_grad ({label}) at x={x[i]!r}: {value[i]!r}, numerically {want[i]!r}")


def test_a_wrong_derivative_is_caught():
    """The check has power: the derivative of a neighbouring function fails it."""
    x = _points(_ops.BY_NAME["sigmoid"], {})
    want = _numerical(lambda t: np.asarray(reference.sigmoid(t), np.float64), x)
    wrong = cyacts.sigmoid_grad(x) * (1 + 1e-5)
    assert np.any(np.abs(wrong - want) > 1e-7 * np.maximum(1.0, np.abs(want)))
