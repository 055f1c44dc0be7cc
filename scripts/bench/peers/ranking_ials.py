"""benfred/implicit's CPU alternating least squares (Hu, Koren & Volinsky 2008; conjugate-gradient
solver of Takacs et al. 2011) on an exported held-out-users split.

Usage: python ranking_ials.py --train TRAIN.csv --given GIVEN.csv --out DIR \
           --grid '[{"factors": 64, "regularization": 0.1, "alpha": 10, "confidence": "binary"}, ...]' \
           [--n 100] [--seed 0] [--threads 1]

For each grid point: the user x movie confidence matrix has alpha * 1 ("binary") or alpha * rating
("rating") for every training rating (implicit weights an observed entry by its value, an unobserved
one by 1, and fits preference 1 to observed entries), fitted with AlternatingLeastSquares(use_gpu=False,
num_threads=THREADS, random_state=SEED, iterations=params.get("iterations", 15)); BLAS (item Gram
matrix) held to THREADS too. Held-out users are folded in from their given ratings, with the same
confidences, by implicit's own recalculate_user (an exact least-squares solve against the fitted item
factors), their given movies filtered, the top N written to DIR/lists-<i>.csv. Prints one JSON line:
implicit's version and per grid point its parameters and the fit and fold-in seconds.
"""
import time

import implicit
import numpy as np
from implicit.als import AlternatingLeastSquares
from ranking_io import run_grid


def confidences(ratings, kind):
    if kind == "binary":
        return np.ones_like(ratings, dtype=np.float32)
    if kind == "rating":
        return ratings.astype(np.float32)
    raise ValueError(f"confidence must be binary or rating, got {kind}")


def run_point(args, problem, params):
    _, _, train_ratings = problem.train
    _, _, given_ratings = problem.given
    model = AlternatingLeastSquares(
        factors=int(params["factors"]),
        regularization=float(params["regularization"]),
        alpha=float(params["alpha"]),
        iterations=int(params.get("iterations", 15)),
        use_gpu=False,
        use_cg=True,
        num_threads=args.threads,
        random_state=args.seed,
    )
    user_items = problem.train_matrix(confidences(train_ratings, params["confidence"]))
    started = time.perf_counter()
    model.fit(user_items, show_progress=False)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    given = problem.given_matrix(confidences(given_ratings, params["confidence"]))
    users = np.arange(given.shape[0])
    ids, scores = model.recommend(
        users,
        given,
        N=args.n,
        filter_already_liked_items=True,
        recalculate_user=True,
    )
    # implicit pads short lists with id -1 / score -inf.
    lists = [row[np.isfinite(s) & (row >= 0)] for row, s in zip(ids, scores)]
    return lists, fit_seconds, started, {}


def main():
    run_grid(
        "implicit's CPU ALS on an exported held-out-users split",
        run_point,
        lambda args: {
            "system": "implicit ALS",
            "versions": {"implicit": implicit.__version__, "numpy": np.__version__},
            "threads": args.threads,
            "seed": args.seed,
        },
    )


if __name__ == "__main__":
    main()
