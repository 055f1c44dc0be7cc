"""EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"), closed form.

Usage: python ranking_ease.py --train TRAIN.csv --given GIVEN.csv --out DIR \
           --grid '[{"lambda": 200, "positives": false}, ...]' [--n 100] [--threads 1]

For each grid point: X = the binary user x movie matrix of the training ratings (all of them, or with
"positives": true only ratings >= 4), G = X'X + lambda*I, P = G^-1, B = I - P * diagMat(1/diag(P)) (so
diag(B) = 0). A held-out user's scores are x B with x their given movies binarised the same way;
their given movies are excluded, the top N written to DIR/lists-<i>.csv. Movies with no entry in X
are left out of the inversion (their rows and columns of B would be zero: they score 0 either way).
Float64, LAPACK Cholesky (potrf + potri) on --threads BLAS threads. Prints one JSON line: the
versions and, per grid point, its parameters, the items inverted and the fit and scoring seconds.
"""
import time

import numpy as np
import scipy
import scipy.linalg.lapack as lapack
from ranking_io import run_grid, top_n


def fit_ease(X, lam):
    """B over the columns of X that have an entry; returns (B, columns)."""
    columns = np.flatnonzero(np.asarray(X.getnnz(axis=0)) > 0)
    Xc = X[:, columns].astype(np.float64)
    G = (Xc.T @ Xc).toarray()
    G[np.diag_indices_from(G)] += lam
    chol, info = lapack.dpotrf(G, lower=1, overwrite_a=1)
    if info != 0:
        raise RuntimeError(f"dpotrf failed ({info})")
    P, info = lapack.dpotri(chol, lower=1, overwrite_c=1)
    if info != 0:
        raise RuntimeError(f"dpotri failed ({info})")
    P = np.tril(P) + np.tril(P, -1).T
    B = P / (-np.diag(P))
    B[np.diag_indices_from(B)] = 0.0
    return B, columns


def run_point(args, problem, params):
    _, _, train_ratings = problem.train
    _, _, given_ratings = problem.given
    positives = bool(params.get("positives", False))
    keep_train = train_ratings >= 4 if positives else np.ones_like(train_ratings, bool)
    keep_given = given_ratings >= 4 if positives else np.ones_like(given_ratings, bool)
    started = time.perf_counter()
    X = problem.train_matrix(keep_train.astype(np.float64))
    X.eliminate_zeros()
    B, columns = fit_ease(X, float(params["lambda"]))
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    given = problem.given_matrix(keep_given.astype(np.float64))
    given.eliminate_zeros()
    scores = np.zeros((given.shape[0], problem.shape[1]))
    scores[:, columns] = given[:, columns] @ B
    # Movies outside X can never be recommended: they would tie at 0 with the rest.
    outside = np.ones(problem.shape[1], bool)
    outside[columns] = False
    scores[:, outside] = -np.inf
    every_given = problem.given_matrix(np.ones_like(given_ratings))
    lists = top_n(scores, every_given, args.n)
    return lists, fit_seconds, started, {"items": int(len(columns))}


def main():
    run_grid(
        "EASE on an exported held-out-users split",
        run_point,
        lambda args: {
            "system": "EASE",
            "versions": {"numpy": np.__version__, "scipy": scipy.__version__},
            "threads": args.threads,
        },
    )


if __name__ == "__main__":
    main()
