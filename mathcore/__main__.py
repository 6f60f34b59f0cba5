"""Command line: ``python -m mathcore surfaces | describe ... | trajectory ...``.

Bad input gets one line on stderr naming the bad value and what is accepted, and exit
status 2; nothing is printed on stdout then.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys

from .optimizers import OPTIMIZERS, hyperparameter_names, make_optimizer
from .runner import MAX_STEPS, run
from .surfaces import SURFACES, FormulaError, check_domain, get_surface
from .symbolic import one_line

# Options whose value may start with '-' (a negative number such as -2,-2).
VALUE_OPTIONS = ("--start", "--lr", "--hp", "--bound", "--grad-tol", "--loss-tol", "--domain", "--surface",
                 "--seed", "--steps", "--batch-size")


class UsageError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(message)


def join_negative_values(argv: list[str]) -> list[str]:
    """``--start -2,-2`` -> ``--start=-2,-2``: argparse alone takes ``-2,-2`` for an option."""
    out, i = [], 0
    while i < len(argv):
        if argv[i] in VALUE_OPTIONS and i + 1 < len(argv) and argv[i + 1].startswith("-") and argv[i + 1] != "--":
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def parse_start(text: str, dim: int) -> list[float]:
    parts = text.split(",")
    try:
        values = [float(v) for v in parts]
    except ValueError:
        values = []
    if len(values) != dim or not all(math.isfinite(v) for v in values):
        example = ",".join(["-2"] * dim)
        raise UsageError(f"invalid --start {text!r}; accepted: {dim} finite numbers separated by commas, e.g. {example}")
    return values


def parse_value(text: str):
    """A hyperparameter value: a number, true/false, or a comma-separated pair (betas)."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        if "," in text:
            return tuple(float(v) for v in text.split(","))
        return int(text) if text.strip().lstrip("-").isdigit() else float(text)
    except ValueError:
        raise UsageError(f"invalid hyperparameter value {text!r}; accepted: a number, true/false, or numbers separated by commas") from None


def parse_hyperparams(items: list[str], optimizer: str) -> dict:
    accepted = ", ".join(h for h in hyperparameter_names(optimizer) if h != "lr")
    hp = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"invalid --hp {item!r}; accepted: NAME=VALUE with NAME one of {accepted}")
        if name not in hyperparameter_names(optimizer) or name == "lr":
            raise UsageError(f"unknown hyperparameter {name!r} for {optimizer}; accepted: {accepted} (set the learning rate with --lr)")
        hp[name] = parse_value(value)
    return hp


def build_parser() -> Parser:
    parser = Parser(prog="python -m mathcore", description="Surfaces and optimizer trajectories.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    sub.add_parser("surfaces", help="list the surfaces with formula and gradient")
    surface_help = f"one of {', '.join(SURFACES)}, or a formula in x and y"
    domain_help = "plot domain XMIN,XMAX,YMIN,YMAX (XMIN,XMAX for a surface of one variable)"
    d = sub.add_parser("describe", help="print what a surface is like: critical points, f*, curvature, rates")
    d.add_argument("--surface", required=True, help=surface_help)
    d.add_argument("--domain", default=None, help=domain_help + "; default: the surface's own")
    d.add_argument("--format", choices=("text", "json"), default="text")
    t = sub.add_parser("trajectory", help="print an optimizer's trajectory as CSV or JSON")
    t.add_argument("--surface", required=True, help=surface_help)
    t.add_argument("--domain", default=None, help=domain_help + " (the gap f - f* is to the lowest minimum in it)")
    t.add_argument("--optimizer", required=True, help=f"one of {', '.join(OPTIMIZERS)}")
    t.add_argument("--lr", type=str, default=None, help="learning rate (> 0); default: the optimizer's torch default")
    t.add_argument("--steps", type=str, default="100", help="number of updates (default 100)")
    t.add_argument("--start", required=True, help="start point, e.g. -2,-2 (w,b for sigmoid-error)")
    t.add_argument("--hp", action="append", default=[], metavar="NAME=VALUE", help="hyperparameter, torch's name")
    t.add_argument("--batch-size", type=str, default=None, help="examples per update for data-based losses")
    t.add_argument("--seed", type=str, default="0")
    t.add_argument("--format", choices=("csv", "json"), default="csv")
    return parser


def positive_number(name: str, text: str | None, kind=float):
    if text is None:
        return None
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or value <= 0:
        noun = "an integer" if kind is int else "a number"
        raise UsageError(f"invalid {name} {text!r}; accepted: {noun} > 0")
    return value


def cmd_surfaces(out) -> None:
    for name in SURFACES:
        s = get_surface(name)
        grad = ", ".join(f"d/d{v} = {g}" for v, g in zip(s.variable_names, s.grad_exprs))
        print(f"{name}: f({', '.join(s.variable_names)}) = {s.expr}", file=out)
        print(f"    gradient: {grad}", file=out)


def parse_domain(text: str) -> tuple:
    """``XMIN,XMAX,YMIN,YMAX`` -> ((XMIN, XMAX), (YMIN, YMAX)); any even count of numbers."""
    parts = text.split(",")
    try:
        values = [float(v) for v in parts]
    except ValueError:
        values = []
    ok = len(values) in (2, 4) and all(math.isfinite(v) for v in values)
    pairs = tuple(zip(values[::2], values[1::2]))
    if not ok or not all(a < b for a, b in pairs):
        raise UsageError(f"invalid --domain {text!r}; accepted: XMIN,XMAX,YMIN,YMAX (finite numbers, each "
                         "min below its max), e.g. -3,3,-2,2")
    return pairs


def load_surface(args):
    """The --surface, over --domain when given; one-line errors."""
    domain = parse_domain(args.domain) if getattr(args, "domain", None) is not None else None
    try:
        surface = get_surface(args.surface)
        if domain is not None:
            if len(domain) != surface.dim:
                raise UsageError(f"invalid --domain {args.domain!r}; {surface.name} takes {2 * surface.dim} numbers "
                                 f"({'XMIN,XMAX' if surface.dim == 1 else 'XMIN,XMAX,YMIN,YMAX'})")
            surface = get_surface(args.surface, domain=check_domain(domain, surface.dim))
    except FormulaError as exc:
        raise UsageError(f"invalid --surface: {exc}") from None
    except ValueError as exc:
        raise UsageError(f"invalid --domain: {exc}") from None
    return surface


def cmd_describe(args, out) -> None:
    facts = load_surface(args).facts
    out.write(facts.to_json() + "\n" if args.format == "json" else facts.to_text())


def finite_or_none(v):
    v = float(v)
    return v if math.isfinite(v) else None


def cmd_trajectory(args, out) -> None:
    surface = load_surface(args)
    if args.optimizer not in OPTIMIZERS:
        raise UsageError(f"unknown optimizer {args.optimizer!r}; accepted: {', '.join(OPTIMIZERS)}")
    lr = positive_number("--lr", args.lr)
    steps = positive_number("--steps", args.steps, int)
    if steps > MAX_STEPS:
        raise UsageError(f"invalid --steps {args.steps!r}; accepted: an integer from 1 to {MAX_STEPS}")
    start = parse_start(args.start, surface.dim)
    batch_size = positive_number("--batch-size", args.batch_size, int)
    try:
        seed = int(args.seed)
    except ValueError:
        seed = -1
    if seed < 0:
        raise UsageError(f"invalid --seed {args.seed!r}; accepted: an integer >= 0")
    hp = parse_hyperparams(args.hp, args.optimizer)
    try:
        optimizer = make_optimizer(args.optimizer, **hp)
        traj = run(surface, optimizer, start, steps, lr, batch_size=batch_size, seed=seed)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None
    names = ["x", "y"][: surface.dim]
    gaps = traj.gap
    if args.format == "json":
        rows = [dict(step=i, **{n: float(c) for n, c in zip(names, p)}, loss=float(loss), gap=finite_or_none(gap))
                for i, (p, loss, gap) in enumerate(zip(traj.points, traj.losses, gaps))]
        ended = traj.ended_in
        json.dump(dict(surface=surface.name, variables=list(surface.variable_names),
                       domain=[list(pair) for pair in surface.domain], optimizer=optimizer.name,
                       hyperparams={**optimizer.hyperparams, "lr": traj.settings["lr"]}, lr=traj.settings["lr"],
                       status=traj.status, success=bool(traj.success), n_steps=traj.n_steps,
                       f_min=surface.facts.f_min,
                       ended_in=None if ended is None else ended.as_dict(names), trajectory=rows), out, indent=1)
        out.write("\n")
        return
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["step", *names, "loss", "grad_norm", "gap"])
    for i, (p, loss, g, gap) in enumerate(zip(traj.points, traj.losses, traj.grad_norms, gaps)):
        writer.writerow([i, *(repr(float(c)) for c in p), repr(float(loss)), repr(float(g)), repr(float(gap))])


def main(argv: list[str] | None = None) -> int:
    argv = join_negative_values(list(sys.argv[1:] if argv is None else argv))
    buffer = io.StringIO()  # nothing reaches stdout unless the whole command succeeds
    try:
        args = build_parser().parse_args(argv)
        if args.command == "surfaces":
            cmd_surfaces(buffer)
        elif args.command == "describe":
            cmd_describe(args, buffer)
        else:
            cmd_trajectory(args, buffer)
    except UsageError as exc:
        print(f"mathcore: error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    sys.stdout.write(buffer.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
