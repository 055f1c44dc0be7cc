"""scikit-surprise SVD (biased matrix factorisation by SGD) on the split the bench exported.

Usage: python surprise_svd.py TRAIN.csv TEST.csv RANK REG EPOCHS SEED
Runs two configurations, printing one JSON object (a list under "runs") on its last stdout line:
  matched  - n_factors = RANK, reg_all = REG, n_epochs = EPOCHS (the per-rating penalty on factors and
             biases is the same objective as weighted-lambda ALS; the solver is SGD, not ALS);
  defaults - Surprise's own defaults (100 factors, 20 epochs, reg 0.02, lr 0.005).
"""
import csv
import json
import math
import sys
import time

import surprise
from surprise import SVD, Dataset, Reader

train_path, test_path = sys.argv[1], sys.argv[2]
rank, reg, epochs, seed = int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])


def read(path):
    with open(path, newline="") as f:
        rows = csv.reader(f)
        next(rows)
        # Surprise keys users and items by their raw text, as load_from_file reads them.
        return [(u, m, float(r)) for u, m, r, _ in rows]


test_rows = read(test_path)
reader = Reader(line_format="user item rating timestamp", sep=",", skip_lines=1, rating_scale=(0.5, 5.0))


def build_trainset():
    return Dataset.load_from_file(train_path, reader).build_full_trainset()


def run(name, algo):
    trainset = build_trainset()
    train_count = trainset.n_ratings
    started = time.perf_counter()
    algo.fit(trainset)
    fit_seconds = time.perf_counter() - started
    se = 0.0
    for u, m, r in test_rows:
        est = algo.predict(u, m).est
        se += (est - r) ** 2
    return {
        "config": name,
        "params": {
            "n_factors": algo.n_factors,
            "n_epochs": algo.n_epochs,
            "reg_all": algo.reg_pu,
            "lr_all": algo.lr_pu,
            "biased": algo.biased,
        },
        "train": train_count,
        "fitSeconds": round(fit_seconds, 3),
        "rmse": round(math.sqrt(se / len(test_rows)), 4),
    }


runs = [
    run("matched", SVD(n_factors=rank, n_epochs=epochs, reg_all=reg, random_state=seed)),
    run("defaults", SVD(random_state=seed)),
]
print(
    json.dumps(
        {
            "peer": "scikit-surprise-svd",
            "version": surprise.__version__,
            "train": runs[0]["train"],
            "test": len(test_rows),
            "runs": runs,
        }
    )
)
