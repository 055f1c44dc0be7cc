"""Spark MLlib ALS on the split the bench exported, with the bench's rank/reg/iterations/seed.

Usage: python spark_als.py TRAIN.csv TEST.csv RANK REG ITERATIONS SEED CORES
Prints one JSON object on its last stdout line: fit seconds, test RMSE, counts.
Spark's ALS fits r ~ u.v with weighted-lambda regularisation and no bias terms.
"""
import json
import sys
import time

from pyspark.ml.evaluation import RegressionEvaluator
from pyspark.ml.recommendation import ALS
from pyspark.sql import SparkSession
from pyspark.sql.types import FloatType, IntegerType, StructField, StructType

train_path, test_path = sys.argv[1], sys.argv[2]
rank, reg, iterations, seed, cores = (
    int(sys.argv[3]),
    float(sys.argv[4]),
    int(sys.argv[5]),
    int(sys.argv[6]),
    int(sys.argv[7]),
)

started = time.perf_counter()
spark = (
    SparkSession.builder.master(f"local[{cores}]")
    .appName("recsys-bench-peer")
    .config("spark.ui.enabled", "false")
    .config("spark.sql.shuffle.partitions", str(cores * 2))
    .config("spark.driver.memory", "2g")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
startup = time.perf_counter() - started

schema = StructType(
    [
        StructField("userId", IntegerType()),
        StructField("movieId", IntegerType()),
        StructField("rating", FloatType()),
        StructField("timestamp", IntegerType()),
    ]
)
train = spark.read.csv(train_path, header=True, schema=schema).cache()
test = spark.read.csv(test_path, header=True, schema=schema).cache()
train_count, test_count = train.count(), test.count()

als = ALS(
    rank=rank,
    regParam=reg,
    maxIter=iterations,
    seed=seed,
    userCol="userId",
    itemCol="movieId",
    ratingCol="rating",
    coldStartStrategy="drop",
    nonnegative=False,
)
started = time.perf_counter()
model = als.fit(train)
# fit() is lazy about the factor RDDs: count them so the timing covers the whole training.
model.userFactors.count()
model.itemFactors.count()
fit_seconds = time.perf_counter() - started

predictions = model.transform(test).cache()
scored = predictions.count()
rmse = RegressionEvaluator(metricName="rmse", labelCol="rating", predictionCol="prediction").evaluate(
    predictions
)
spark.stop()
print(
    json.dumps(
        {
            "peer": "spark-mllib-als",
            "version": __import__("pyspark").__version__,
            "master": f"local[{cores}]",
            "params": {"rank": rank, "regParam": reg, "maxIter": iterations, "seed": seed},
            "startupSeconds": round(startup, 3),
            "fitSeconds": round(fit_seconds, 3),
            "rmse": round(rmse, 4),
            "train": train_count,
            "test": test_count,
            "scored": scored,
        }
    )
)
