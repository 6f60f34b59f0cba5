"""Adam on Rastrigin for a grid of starts, mathcore's vectorized runner against torch.optim.

    .venv/bin/python benchmarks/optimizer_batch.py [--grid 400] [--steps 500] [--workers 2]

Both sides do the same work in float64: the whole batch as one (N, 2) array / tensor, the
Rastrigin gradient 2v + 2*pi*A*sin(2*pi*v) evaluated each step, then Adam(lr=0.01). torch
is a development-only tool here (`pip install torch==2.13.0`). Prints the time of each and
the ratio mathcore / torch (below 1: mathcore is faster), measured in one process, and checks
that both end at the same points.
"""

import argparse
import math
import os
import time

import numpy as np

import mathcore as mc


def run_mathcore(starts, steps, workers):
    t0 = time.perf_counter()
    traj = mc.run("rastrigin", mc.make_optimizer("adam", lr=0.01), starts, steps, record="final", workers=workers)
    return time.perf_counter() - t0, traj.x


def run_torch(starts, steps, threads):
    import torch

    torch.set_num_threads(threads)
    torch.set_default_dtype(torch.float64)
    t0 = time.perf_counter()
    p = torch.tensor(starts, requires_grad=False)
    opt = torch.optim.Adam([p], lr=0.01)
    two_pi = 2 * math.pi
    with torch.no_grad():
        for _ in range(steps):
            p.grad = 2 * p + 2 * math.pi * 10 * torch.sin(two_pi * p)
            opt.step()
    return time.perf_counter() - t0, p.numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=400)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    xs = np.linspace(-5.12, 5.12, args.grid)
    starts = np.stack(np.meshgrid(xs, xs, indexing="ij"), -1).reshape(-1, 2)
    print(f"Adam on Rastrigin: {len(starts):,} starts x {args.steps} steps, float64, {os.cpu_count()} cores")
    t_torch, end_torch = run_torch(starts, args.steps, args.workers)
    t_np, end_np = run_mathcore(starts, args.steps, args.workers)
    t_np1, _ = run_mathcore(starts, args.steps, 1)
    agree = np.max(np.abs(end_np - end_torch))
    print(f"torch.optim.Adam ({args.workers} threads): {t_torch:7.2f} s")
    print(f"mathcore.run ({args.workers} workers):     {t_np:7.2f} s   ratio mathcore/torch = {t_np / t_torch:.2f}")
    print(f"mathcore.run (1 worker):       {t_np1:7.2f} s   ratio mathcore/torch = {t_np1 / t_torch:.2f}")
    print(f"largest difference between the end points: {agree:.1e}")


if __name__ == "__main__":
    main()
