"""Spark jobs of flywheel: one module per `spark-submit` job, plus the session builder,
config loader and the `flywheel` command line."""
