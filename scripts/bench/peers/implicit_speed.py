"""Seconds per iteration of benfred/implicit's CPU ALS with its conjugate-gradient solver.

Usage: python implicit_speed.py RATINGS.csv --ranks 20,64,128 [--iterations 6] [--cg-steps 3]
                                [--alpha 0] [--unobserved-weight 0.1] [--reg 0.01]

Prints one JSON object on its last stdout line: {"implicit": version, "runs": [...]}, one run per
rank with the wall and CPU seconds of every iteration (from implicit's fit callback, which it calls
after the user and the item half of each iteration) and their mean over the iterations after the
first (implicit compiles nothing, but the first iteration pays for page faults and cold caches;
our side drops its first, JIT-warm-up iteration the same way).

Same problem as ours: one thread (num_threads=1, and threadpoolctl holds the BLAS that computes
YᵀY to one thread), float32 factors, cg_steps CG steps per row warm-started from the previous
factors. Our objective per row is (α₀·YᵀY + Σ_rated (c − α₀)·y yᵀ + λ_row·I) x = Σ_rated c·p·y with
c = 1 + alpha·|r|; implicit solves (YᵀY + Σ_rated (C − 1)·y yᵀ + λ·I) x = Σ_rated C·y. Dividing ours
by α₀ gives implicit's form with C = c/α₀ and λ = λ_row/α₀, so the confidences passed are c/α₀
(every rating here is positive: p = 1). implicit has one λ for all rows; we pass our penalty of the
average user row, reg·(n̄⁺ + α₀·N)/α₀, so the systems are alike in conditioning. Per row implicit
does what ours does: one product for the initial residual, then cg_steps products, each one
symmetric YᵀY·p (k²) plus a dot and an axpy per rated entry (4k).
"""
import argparse
import json
import sys
import time

import numpy as np
import scipy.sparse
import implicit
from implicit.cpu.als import AlternatingLeastSquares
from threadpoolctl import threadpool_limits

parser = argparse.ArgumentParser()
parser.add_argument("ratings")
parser.add_argument("--ranks", default="20,64,128")
parser.add_argument("--iterations", type=int, default=6)
parser.add_argument("--cg-steps", type=int, default=3)
parser.add_argument("--alpha", type=float, default=0.0)
parser.add_argument("--unobserved-weight", type=float, default=0.1)
parser.add_argument("--reg", type=float, default=0.01)
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()

started = time.perf_counter()
table = np.loadtxt(args.ratings, delimiter=",", skiprows=1, usecols=(0, 1, 2), dtype=np.float64)
users, user_index = np.unique(table[:, 0].astype(np.int64), return_inverse=True)
movies, movie_index = np.unique(table[:, 1].astype(np.int64), return_inverse=True)
confidence = (1.0 + args.alpha * np.abs(table[:, 2])) / args.unobserved_weight
user_items = scipy.sparse.csr_matrix(
    (confidence.astype(np.float32), (user_index, movie_index)), shape=(len(users), len(movies))
)
load_seconds = time.perf_counter() - started
mean_positives = user_items.nnz / len(users)
regularization = args.reg * (mean_positives + args.unobserved_weight * len(movies)) / args.unobserved_weight


def steady(xs):
    return xs[1:] if len(xs) > 1 else xs


runs = []
with threadpool_limits(limits=1):
    for rank in [int(r) for r in args.ranks.split(",")]:
        model = AlternatingLeastSquares(
            factors=rank,
            regularization=regularization,
            alpha=1.0,
            dtype=np.float32,
            use_native=True,
            use_cg=True,
            iterations=args.iterations,
            calculate_training_loss=False,
            num_threads=1,
            random_state=args.seed,
        )
        model.cg_steps = args.cg_steps
        wall, cpu = [], []
        mark = [time.process_time()]

        def on_iteration(_iteration, elapsed, _loss):
            now = time.process_time()
            cpu.append(now - mark[0])
            wall.append(elapsed)
            mark[0] = time.process_time()

        mark[0] = time.process_time()
        model.fit(user_items, show_progress=False, callback=on_iteration)
        runs.append(
            {
                "rank": rank,
                "cgSteps": model.cg_steps,
                "iterations": args.iterations,
                "secondsPerIteration": [round(s, 4) for s in wall],
                "cpuSecondsPerIteration": [round(s, 4) for s in cpu],
                "meanSecondsPerIteration": round(float(np.mean(steady(wall))), 4),
                "meanCpuSecondsPerIteration": round(float(np.mean(steady(cpu))), 4),
            }
        )
        print(f"implicit rank {rank}: {runs[-1]['meanSecondsPerIteration']} s/iteration", file=sys.stderr)

print(
    json.dumps(
        {
            "implicit": implicit.__version__,
            "numpy": np.__version__,
            "ratings": int(user_items.nnz),
            "users": len(users),
            "items": len(movies),
            "loadSeconds": round(load_seconds, 3),
            "settings": {
                "confidence": "(1 + alpha·|r|) / unobservedWeight",
                "alpha": args.alpha,
                "unobservedWeight": args.unobserved_weight,
                "regularization": round(regularization, 4),
                "threads": 1,
                "dtype": "float32",
            },
            "runs": runs,
        }
    )
)
