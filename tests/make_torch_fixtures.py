"""Record torch.optim trajectories and autograd gradients for ``test_torch_parity.py``.

Run by hand when a case is added (torch is a development tool, never a dependency)::

    .venv/bin/python tests/make_torch_fixtures.py

Everything runs in float64 (``torch.set_default_dtype(torch.float64)``, so torch's scalar
state ``step`` and ``mu_product`` is float64 too). Each case optimizes one parameter
tensor of shape (2,) with ``foreach=False`` (torch's ``_single_tensor_*`` path, also its
CPU default). The gradient fed to torch at each step is mathcore's symbolic
``surface.grad`` at the current point (evaluated as mathcore's runner does, on a batch of
one point), assigned to ``p.grad``, so the trajectories test only the optimizer
arithmetic. The symbolic gradients are tested separately against torch autograd of the
same formulas written in torch ops, at sampled points.

Each case is recorded twice, each time in a fresh interpreter:

``points`` (the reference): torch.optim with IEEE float64 kernels. Two things in a stock
x86 build of torch are not plain IEEE arithmetic, so this run changes them, and checks
before recording that every kernel the optimizers use now agrees bit for bit with
the C++ expression it evaluates:

- ``ATEN_CPU_CAPABILITY=default`` selects ATen's baseline x86-64 kernels. The AVX2 and
  AVX512 kernels, picked by default on any recent CPU, are compiled with GCC's default
  ``-ffp-contract=fast`` and ``-mfma``, so on the scalar path that 2-element tensors take,
  ``self + value * t1 * t2`` (addcmul), ``self + alpha * other`` (add) and
  ``self + weight * (end - self)`` (lerp) are contracted into fused multiply-adds, rounded
  once instead of twice (verified: stock results equal an exact FMA of those operands).
  NumPy has no FMA; the baseline kernels, built without ``-mfma``, have none either.
- ``aten::sqrt`` is replaced, for CPU tensors, by ``numpy.sqrt``. Stock torch computes
  float64 ``sqrt`` with MKL's ``vmdSqrt`` in ``VML_HA`` mode, which is faithful but not
  correctly rounded: 1 to 3% of results (depending on the inputs) are 1 ulp away from
  the IEEE square root.

``stock_points``: the same cases with torch exactly as installed (AVX2/AVX512 kernels,
MKL sqrt). Per case, ``stock_rtol`` is the smallest power of ten, at least 1e-9, within
which this run agrees with the reference run: a torch-against-torch measure of how far
the FMAs and MKL's roundings alone move a trajectory. It is 1e-9 except on the most
chaotic case, where those last bits grow to ~1e-2.

Floats are written by ``json``, whose ``repr`` round-trips float64 exactly.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "torch_parity.json"

STARTS = {
    "rosenbrock": (-1.5, 2.0),
    "rastrigin": (2.3, -1.7),
    "sigmoid-error": (-2.0, -2.0),
}

# (optimizer, surface, steps, hyperparameters with mathcore's = torch's names, id suffix).
# Variants of the hyperparameters sit mostly on Rosenbrock, whose gradient is exact
# polynomial arithmetic on every platform (the test checks those cases bit for bit).
# Cases on Rastrigin (sin) and the sigmoid error (exp) are chosen far from chaotic, so
# that another platform's libm, a few ulps off in the gradient, stays far under 1e-9.
CASES = [
    ("gd", "rosenbrock", 400, dict(lr=1e-3), ""),
    ("gd", "rastrigin", 400, dict(lr=2e-4), ""),
    ("gd", "sigmoid-error", 400, dict(lr=1.0), ""),
    ("gd", "rosenbrock", 400, dict(lr=1.5e-3, weight_decay=0.01), "wd"),
    ("momentum", "rosenbrock", 400, dict(lr=1e-3), ""),
    ("momentum", "rastrigin", 400, dict(lr=2e-4), ""),
    ("momentum", "sigmoid-error", 400, dict(lr=0.5), ""),
    ("momentum", "rosenbrock", 400, dict(lr=2e-3, momentum=0.8, dampening=0.1, weight_decay=1e-3), "damp-wd"),
    ("nesterov", "rosenbrock", 400, dict(lr=1e-3), ""),
    ("nesterov", "rastrigin", 400, dict(lr=2e-4), ""),
    ("nesterov", "sigmoid-error", 400, dict(lr=0.5), ""),
    ("nesterov", "rosenbrock", 400, dict(lr=1e-3, momentum=0.8, weight_decay=0.01), "wd"),
    ("adagrad", "rosenbrock", 400, dict(lr=0.5), ""),
    ("adagrad", "rastrigin", 400, dict(lr=0.5), ""),
    ("adagrad", "sigmoid-error", 400, dict(lr=1.0), ""),
    ("adagrad", "rosenbrock", 400,
     dict(lr=1.0, lr_decay=0.01, weight_decay=1e-3, initial_accumulator_value=0.1, eps=1e-8), "decay-wd"),
    # RMSProp at lr 0.01 bounces across Rosenbrock's valley: one ulp of difference in the
    # gradient at every step grows to ~1e-7 relative in 500 steps.
    ("rmsprop", "rosenbrock", 500, dict(lr=0.01), "chaotic"),
    ("rmsprop", "rastrigin", 400, dict(lr=1e-3), ""),
    ("rmsprop", "sigmoid-error", 400, dict(lr=0.05), ""),
    ("rmsprop", "rosenbrock", 400, dict(lr=3e-3, centered=True), "centered"),
    ("rmsprop", "rosenbrock", 400, dict(lr=1e-3, momentum=0.9), "momentum"),
    ("rmsprop", "rosenbrock", 400,
     dict(lr=3e-3, alpha=0.9, eps=1e-6, weight_decay=0.01, momentum=0.5, centered=True), "centered-momentum-wd"),
    # Adadelta at lr 1 rattles along the valley floor, chaotically (~1e-3 from one ulp).
    ("adadelta", "rosenbrock", 400, dict(lr=1.0), "chaotic"),
    ("adadelta", "rastrigin", 400, dict(lr=1.0), ""),
    ("adadelta", "sigmoid-error", 400, dict(lr=1.0), ""),
    ("adadelta", "rosenbrock", 400, dict(lr=3.0, rho=0.95, eps=1e-4, weight_decay=0.01), "rho-eps-wd"),
    ("adam", "rosenbrock", 400, dict(lr=0.05), ""),
    ("adam", "rastrigin", 400, dict(lr=0.05), ""),
    ("adam", "sigmoid-error", 400, dict(lr=0.1), ""),
    ("adam", "rosenbrock", 400, dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.01), "betas-eps-wd"),
    ("adam", "rosenbrock", 400, dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True), "decoupled"),
    # beta1 < 0.5: lerp's weight 1 - beta1 >= 0.5 takes torch's other lerp formula.
    ("adam", "rosenbrock", 400, dict(lr=0.02, betas=(0.3, 0.9)), "low-beta1"),
    ("adamw", "rosenbrock", 400, dict(lr=0.02), ""),
    ("adamw", "rastrigin", 400, dict(lr=0.05, weight_decay=0.1), ""),
    ("adamw", "sigmoid-error", 400, dict(lr=0.1, weight_decay=0.05), ""),
    ("adamw", "rosenbrock", 400, dict(lr=0.05, weight_decay=0.05, amsgrad=True), "amsgrad"),
    ("amsgrad", "rosenbrock", 400, dict(lr=0.05), ""),
    ("amsgrad", "rastrigin", 400, dict(lr=0.05), ""),
    ("amsgrad", "sigmoid-error", 400, dict(lr=0.1), ""),
    ("amsgrad", "rosenbrock", 400, dict(lr=0.05, weight_decay=0.01), "wd"),
    ("nadam", "rosenbrock", 400, dict(lr=0.02), ""),
    ("nadam", "rastrigin", 400, dict(lr=0.05), ""),
    ("nadam", "sigmoid-error", 400, dict(lr=0.1), ""),
    ("nadam", "rosenbrock", 400, dict(lr=0.02, weight_decay=0.01, momentum_decay=0.01), "wd"),
    ("nadam", "rosenbrock", 400,
     dict(lr=0.02, betas=(0.85, 0.995), weight_decay=0.1, decoupled_weight_decay=True), "decoupled"),
    ("nadam", "rosenbrock", 400, dict(lr=0.02, betas=(0.4, 0.99)), "low-beta1"),
]

X_DATA, Y_DATA = (0.5, 2.5), (0.2, 0.9)  # the sigmoid error's data set


def case_id(name, surface_name, suffix):
    return "-".join(filter(None, (name, surface_name, suffix)))


# ----------------------------------------------------------------------------- recording
# Runs in a child interpreter: ATEN_CPU_CAPABILITY must be set before torch is imported.


def _ieee_sqrt_override(torch):
    """Replace ``aten::sqrt`` and ``aten::sqrt_`` on CPU by NumPy's correctly rounded sqrt."""
    import warnings

    lib = torch.library.Library("aten", "IMPL")  # noqa: TOR901

    def sqrt(x):
        return torch.from_numpy(np.sqrt(x.detach().numpy()))

    def sqrt_(x):
        return x.copy_(sqrt(x))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Overriding a previously registered kernel"
        lib.impl("sqrt", sqrt, "CPU")
        lib.impl("sqrt_", sqrt_, "CPU")
    return lib  # keep it alive: the override lasts as long as the Library object


def _kernel_mismatches(torch):
    """Count results of the optimizers' kernels, on 2-element tensors, that differ from IEEE.

    Each kernel is compared with the C++ expression of its scalar CPU loop, evaluated in
    NumPy (one rounding per operation).
    """
    rng = np.random.default_rng(0)
    n = 4000
    a, b = (rng.standard_normal(n) * np.exp(rng.uniform(-5, 5, n)) for _ in range(2))
    c = np.abs(rng.standard_normal(n)) + 0.1
    v = 0.37
    checks = {
        "addcmul": (lambda s, x, y: s.addcmul(x, y, value=v), a + v * b * c),
        "addcdiv": (lambda s, x, y: s.addcdiv(x, y, value=v), a + v * b / c),
        "add(alpha)": (lambda s, x, y: s.add(x, alpha=v), a + v * b),
        "lerp(0.1)": (lambda s, x, y: s.lerp(x, 0.1), a + 0.1 * (b - a)),
        "lerp(0.9)": (lambda s, x, y: s.lerp(x, 0.9), b - (b - a) * (1 - 0.9)),
        "mul": (lambda s, x, y: s.mul(v), a * v),
        "div(scalar)": (lambda s, x, y: s.div(v), a / v),
        "div": (lambda s, x, y: s / y, a / c),
        "sqrt": (lambda s, x, y: y.sqrt(), np.sqrt(c)),
        "maximum": (lambda s, x, y: torch.maximum(s, x), np.maximum(a, b)),
    }
    counts = {}
    for name, (op, expected) in checks.items():
        got = np.concatenate([op(*(torch.from_numpy(arr[i:i + 2].copy()) for arr in (a, b, c))).numpy()
                              for i in range(0, n, 2)])
        counts[name] = int((got != expected).sum())
    return counts


def torch_optimizer(torch, name, params, hp):
    """The torch.optim optimizer that mathcore's ``name`` follows, on its single-tensor path."""
    hp = dict(hp, foreach=False)
    if name == "gd":
        return torch.optim.SGD(params, **hp)
    if name == "momentum":
        return torch.optim.SGD(params, **{"momentum": 0.9, **hp})
    if name == "nesterov":
        return torch.optim.SGD(params, nesterov=True, **{"momentum": 0.9, **hp})
    if name == "amsgrad":
        return torch.optim.Adam(params, amsgrad=True, **hp)
    cls = {"adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop, "adadelta": torch.optim.Adadelta,
           "adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "nadam": torch.optim.NAdam}[name]
    return cls(params, **hp)


def torch_trajectory(torch, name, surface, start, steps, hp):
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = torch_optimizer(torch, name, [p], hp)
    points = [p.detach().numpy().copy()]
    for _ in range(steps):
        # Evaluated on a batch of one point, shape (2, 1), as mathcore's runner does: on a
        # shape (2,) point NumPy would compute Rosenbrock's x**2 on float64 scalars with C
        # pow (1 ulp off x*x for ~0.1% of x with glibc), on arrays with an exact np.square.
        grad = surface.grad(p.detach().numpy()[:, None])[:, 0]
        p.grad = torch.from_numpy(np.array(grad, dtype=np.float64))
        opt.step()
        points.append(p.detach().numpy().copy())
    return np.array(points)


def autograd_samples(torch, surface, n=20, seed=0):
    """Torch autograd gradients of the surface's formula, written in torch ops, at n points."""
    formulas = {
        "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
        "rastrigin": lambda x, y: (20 + x**2 - 10 * torch.cos(2 * math.pi * x)
                                   + y**2 - 10 * torch.cos(2 * math.pi * y)),
        "sigmoid-error": lambda w, b: sum(0.5 * (torch.sigmoid(w * xi + b) - yi) ** 2
                                          for xi, yi in zip(X_DATA, Y_DATA)),
    }
    rng = np.random.default_rng(seed)
    lows, highs = np.array(surface.domain).T
    points = rng.uniform(lows, highs, size=(n, 2))
    grads = []
    for point in points:
        p = torch.tensor(point, dtype=torch.float64, requires_grad=True)
        formulas[surface.name](p[0], p[1]).backward()
        grads.append(p.grad.numpy().copy())
    return points, np.array(grads)


def record(mode):
    """Run every case in this interpreter; return a JSON-able dict."""
    if mode == "ieee" and os.environ.get("ATEN_CPU_CAPABILITY") != "default":
        raise SystemExit("internal: the ieee recording needs ATEN_CPU_CAPABILITY=default")
    import torch

    sys.path.insert(0, str(ROOT))
    from mathcore import get_surface, make_optimizer

    torch.set_default_dtype(torch.float64)
    keep = _ieee_sqrt_override(torch) if mode == "ieee" else None  # noqa: F841
    kernels = _kernel_mismatches(torch)
    if mode == "ieee" and any(kernels.values()):
        raise SystemExit(f"torch's kernels are not IEEE here, the reference would be wrong: {kernels}")
    out = dict(capability=torch.backends.cpu.get_cpu_capability(), mkl=torch.backends.mkl.is_available(),
               kernel_mismatches=kernels, cases={}, gradients={})
    for name, surface_name, steps, hp, suffix in CASES:
        surface = get_surface(surface_name)
        make_optimizer(name, **hp)  # mathcore accepts the same hyperparameters
        points = torch_trajectory(torch, name, surface, STARTS[surface_name], steps, hp)
        out["cases"][case_id(name, surface_name, suffix)] = points.tolist()
    if mode == "ieee":
        for surface_name in STARTS:
            points, grads = autograd_samples(torch, get_surface(surface_name))
            out["gradients"][surface_name] = dict(points=points.tolist(), grads=grads.tolist())
    out["torch_version"] = torch.__version__
    return out


def libm_pow_calls():
    """The ``x ** y`` on Python floats that torch (and mathcore) compute in the recorded cases.

    Adam's and NAdam's bias corrections and NAdam's momentum schedule are C ``pow`` calls,
    the only operations of the optimizers that are not correctly rounded IEEE arithmetic.
    They are recorded as ``[x, y, x ** y]`` so that the test can tell whether the platform it
    runs on rounds them as the recording platform did.
    """
    calls = set()
    for name, _, steps, hp, _ in CASES:
        beta1, beta2 = hp.get("betas", (0.9, 0.999))
        for t in map(float, range(1, steps + 1)):
            if name in ("adam", "adamw", "amsgrad"):
                calls |= {(beta1, t), (beta2, t), (1 - beta2**t, 0.5)}
            elif name == "nadam":
                decay = hp.get("momentum_decay", 4e-3)
                calls |= {(beta2, t), (0.96, t * decay), (0.96, (t + 1) * decay)}
    return [[x, y, x**y] for x, y in sorted(calls)]


def _run_child(mode):
    env = {k: val for k, val in os.environ.items() if k != "ATEN_CPU_CAPABILITY"}
    if mode == "ieee":
        env["ATEN_CPU_CAPABILITY"] = "default"
    result = subprocess.run([sys.executable, __file__, "--record", mode], env=env, check=True,
                            stdout=subprocess.PIPE, text=True)
    return json.loads(result.stdout)


def stock_rtol(stock, reference):
    """The smallest power of ten >= 1e-9 that bounds ``stock`` against ``reference``.

    Same criterion as the test: ``|a - b| <= rtol * |b| + 1e-3 * rtol * max|b|``.
    """
    stock, reference = np.asarray(stock), np.asarray(reference)
    scale = np.abs(reference).max()
    err = np.abs(stock - reference) / (np.abs(reference) + 1e-3 * scale)
    return float(10.0 ** max(-9, math.ceil(math.log10(max(err.max(), 1e-300)))))


def main():
    ieee, stock = _run_child("ieee"), _run_child("stock")
    cases = []
    print(f"{'case':44s} steps  stock torch within  (relative, against the IEEE run)")
    for name, surface_name, steps, hp, suffix in CASES:
        cid = case_id(name, surface_name, suffix)
        points = np.array(ieee["cases"][cid])
        if not np.isfinite(points).all() or np.abs(points).max() > 1e6:
            raise SystemExit(f"{cid}: the torch run diverges; pick another lr")
        rtol = stock_rtol(stock["cases"][cid], points)
        cases.append(dict(id=cid, optimizer=name, surface=surface_name, hyperparams=hp,
                          start=list(STARTS[surface_name]), steps=steps, points=points.tolist(),
                          stock_points=stock["cases"][cid], stock_rtol=rtol))
        print(f"{cid:44s} {steps:5d}  {rtol:.0e}")
    gradients = [dict(surface=s, **g) for s, g in ieee["gradients"].items()]
    data = dict(
        torch_version=ieee["torch_version"], dtype="float64",
        reference=dict(capability=ieee["capability"], sqrt="numpy.sqrt (IEEE)",
                       kernel_mismatches=ieee["kernel_mismatches"]),
        stock=dict(capability=stock["capability"], mkl=stock["mkl"],
                   kernel_mismatches=stock["kernel_mismatches"]),
        cases=cases, gradients=gradients, libm_pow=libm_pow_calls())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"stock torch ({stock['capability']}, MKL {stock['mkl']}): results of 4000 ops on 2-element tensors "
          f"that differ from IEEE: {stock['kernel_mismatches']}")
    print(f"wrote {len(cases)} cases to {OUT.relative_to(ROOT)} ({OUT.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", choices=("ieee", "stock"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.record:
        json.dump(record(args.record), sys.stdout)
    else:
        main()
