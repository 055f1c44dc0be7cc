"""Files shared by the ranking peers (ranking_ease.py, ranking_ials.py) and scripts/bench/ranking.ts.

Input, written by the bench (scripts/bench/ranking-files.ts):
  TRAIN.csv  userId,movieId,rating   every rating of the training users
  GIVEN.csv  userId,movieId,rating   each held-out user's given ratings (users in the bench's order)
Output, one file per grid point: userId,rank,movieId (rank 1 = best), at most N rows per user, the
user's given movies and movies absent from TRAIN never listed. The bench scores them.
"""
import argparse
import json
import sys
import time

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits


def arguments(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--train", required=True)
    parser.add_argument("--given", required=True)
    parser.add_argument("--out", required=True, help="folder for lists-<i>.csv, one per grid point")
    parser.add_argument("--grid", required=True, help="JSON list of parameter objects")
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    args.grid = json.loads(args.grid)
    return args


def read_ratings(path):
    """(users, movies, ratings) columns; an empty file gives empty arrays."""
    data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.float64)
    if data.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)
    return data[:, 0].astype(np.int64), data[:, 1].astype(np.int64), data[:, 2]


class Problem:
    """Training matrix indices and the held-out users' given ratings on the same item index."""

    def __init__(self, train_path, given_path):
        started = time.perf_counter()
        users, movies, ratings = read_ratings(train_path)
        self.movie_ids, items = np.unique(movies, return_inverse=True)
        self.user_ids, rows = np.unique(users, return_inverse=True)
        self.train = (rows, items, ratings)
        g_users, g_movies, g_ratings = read_ratings(given_path)
        # Held-out users in the order the bench wrote them (first appearance).
        _, first = np.unique(g_users, return_index=True)
        self.given_user_ids = g_users[np.sort(first)]
        position = {u: k for k, u in enumerate(self.given_user_ids.tolist())}
        g_rows = np.fromiter((position[u] for u in g_users.tolist()), np.int64, len(g_users))
        # Given movies the training data never saw cannot be scored; they are only excluded.
        at = np.searchsorted(self.movie_ids, g_movies)
        at = np.minimum(at, len(self.movie_ids) - 1)
        known = self.movie_ids[at] == g_movies
        self.given = (g_rows[known], at[known], g_ratings[known])
        self.read_seconds = time.perf_counter() - started

    @property
    def shape(self):
        return len(self.user_ids), len(self.movie_ids)

    def sizes(self):
        """The report's size fields, the same for every peer."""
        return {
            "users": self.shape[0],
            "movies": self.shape[1],
            "heldOutUsers": int(len(self.given_user_ids)),
        }

    def train_matrix(self, values):
        rows, items, _ = self.train
        return sp.csr_matrix((values, (rows, items)), shape=self.shape)

    def given_matrix(self, values):
        rows, items, _ = self.given
        return sp.csr_matrix((values, (rows, items)), shape=(len(self.given_user_ids), self.shape[1]))


def top_n(scores, exclude, n):
    """Best-first item indices per row of a dense score matrix, excluded (csr) entries skipped."""
    scores = np.array(scores, dtype=np.float64, copy=True)
    for u in range(scores.shape[0]):
        scores[u, exclude.indices[exclude.indptr[u] : exclude.indptr[u + 1]]] = -np.inf
    k = min(n, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=1), axis=1, kind="stable")
    best = np.take_along_axis(part, order, axis=1)
    keep = np.isfinite(np.take_along_axis(scores, best, axis=1))
    return [best[u][keep[u]] for u in range(best.shape[0])]


def write_lists(path, problem, lists):
    """lists[k]: item indices, best first, for the k-th held-out user."""
    lines = ["userId,rank,movieId"]
    for user, items in zip(problem.given_user_ids.tolist(), lists):
        movies = problem.movie_ids[np.asarray(items, dtype=np.int64)].tolist()
        lines.extend(f"{user},{r + 1},{m}" for r, m in enumerate(movies))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def timed_run(params, fit_seconds, recommend_started, **extra):
    """One grid point's entry of the report: its parameters, fit and recommend seconds."""
    return {
        "params": params,
        **extra,
        "fitSeconds": round(fit_seconds, 3),
        "recommendSeconds": round(time.perf_counter() - recommend_started, 3),
    }


def run_grid(description, run_point, summary):
    """A peer's main: reads the split, runs `run_point(args, problem, params)` for each grid point
    on --threads BLAS threads (it returns the point's lists, fit seconds, when recommending started
    and extra fields for its run), writes each point's lists, timing them with the recommending,
    and reports `summary(args)`, the problem's sizes and the runs."""
    args = arguments(description)
    problem = Problem(args.train, args.given)
    runs = []
    with threadpool_limits(args.threads):
        for i, params in enumerate(args.grid):
            lists, fit_seconds, started, extra = run_point(args, problem, params)
            write_lists(f"{args.out}/lists-{i}.csv", problem, lists)
            runs.append(timed_run(params, fit_seconds, started, **extra))
    report({**summary(args), **problem.sizes(), "runs": runs})


def report(payload):
    """The one JSON line the bench reads: the last line of stdout."""
    sys.stdout.write(json.dumps(payload) + "\n")
    sys.stdout.flush()
