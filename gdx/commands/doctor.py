"""``gdx doctor``: what renders need, and the command that fixes each missing piece."""

from __future__ import annotations

from ..doctor import healthy, report, run_checks


def add_parser(sub) -> None:
    sub.add_parser("doctor", help="check cairo, pango, latex, dvisvgm, the voice engines and the Python packages")


def run(args) -> int:
    checks = run_checks()
    print(report(checks))
    return 0 if healthy(checks) else 1
