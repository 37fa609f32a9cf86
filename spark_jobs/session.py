"""The one SparkSession builder of flywheel.

Defaults to `local[*]` with the Delta warehouse on local disk; `spark.master` (or `--master`)
points the same jobs at `spark://…`, `k8s://…` or `yarn`. Delta (and, when asked, Spark NLP)
JARs are resolved from Maven Central into a persistent Ivy cache through
`spark.jars.packages`, or taken from `spark.jars` (`--jars`) on clusters without network.
Under `spark-submit` the session already exists; its settings win and only missing
Delta settings are added.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conf.errors import UserError
from conf.schema import PipelineConfig

SUPPORTED_JAVA = (17, 21)
"""Spark 4.1 runs on Java 17 and 21."""


class JavaNotFoundError(UserError, RuntimeError):
    """No usable Java runtime: Spark 4.1 needs Java 17 or 21."""


def java_version() -> int:
    """Major version of the `java` that Spark will start (JAVA_HOME first, then PATH)."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise JavaNotFoundError(
            "Java not found: Spark 4.1 needs Java 17 or 21 (e.g. `apt-get install openjdk-17-jre-headless`, "
            "or set JAVA_HOME)"
        )
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60).stderr
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise JavaNotFoundError(f"could not run {java} -version: {exc}; Spark 4.1 needs Java 17 or 21") from exc
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        raise JavaNotFoundError(f"could not read the Java version from {java}: {out.strip()[:200]!r}")
    major = int(match.group(1))
    if major == 1 and match.group(2):  # "1.8.0" style
        major = int(match.group(2))
    return major


def check_java() -> None:
    """Raise `JavaNotFoundError` naming what is needed unless Java 17 or 21 is there."""
    major = java_version()
    if major not in SUPPORTED_JAVA:
        raise JavaNotFoundError(
            f"found Java {major}, but Spark 4.1 needs Java 17 or 21: install openjdk-17 and set JAVA_HOME to it"
        )


def spark_conf(cfg: PipelineConfig, app: str, extra_packages: list[str] = ()) -> dict[str, str]:
    """Every Spark setting flywheel needs, as a plain dict (tests and spark-submit docs use it)."""
    sc = cfg.spark
    conf = {
        "spark.app.name": f"{sc.app_name}-{app}",
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.shuffle.partitions": str(sc.shuffle_partitions),
        "spark.driver.memory": sc.driver_memory,
        # Workers must run the same interpreter (with the same packages) as the driver.
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # New tables get no deletion vectors: delta-rs readers (the trainer) must read them.
        "spark.databricks.delta.properties.defaults.enableDeletionVectors": "false",
        "spark.ui.showConsoleProgress": "false",
    }
    if sc.jars:
        missing = [j for j in sc.jars if not Path(j).exists() and "://" not in j]
        if missing:
            raise FileNotFoundError(f"spark.jars names files that do not exist: {missing}")
        conf["spark.jars"] = ",".join(sc.jars)
    else:
        packages = [sc.delta_package] + ([sc.spark_nlp_package] if sc.spark_nlp else []) + list(extra_packages)
        conf["spark.jars.packages"] = ",".join(dict.fromkeys(packages))
        conf["spark.jars.ivy"] = str(Path(sc.ivy_dir).expanduser())
    conf.update(sc.extra_conf)
    return conf


def get_spark(cfg: PipelineConfig, app: str = "job", extra_packages: list[str] = ()):
    """Return the active SparkSession, or build one configured for Delta from `cfg`."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    conf = spark_conf(cfg, app, extra_packages)
    builder = SparkSession.builder
    if under_spark_submit():
        # spark-submit already chose the master and resolved --packages/--jars before the JVM
        # started; setting them again here would silently override the user's command line.
        for key in ("spark.jars.packages", "spark.jars.ivy", "spark.jars", "spark.driver.memory"):
            conf.pop(key, None)
    else:
        check_java()
        # Local workers are started with PYSPARK_PYTHON (the spark.pyspark.python setting is
        # not read in local mode); without it they would run a system Python lacking our packages.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        if conf.get("spark.jars.ivy"):
            Path(conf["spark.jars.ivy"]).mkdir(parents=True, exist_ok=True)
        builder = builder.master(cfg.spark.master)
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    _check_delta_loaded(spark, cfg)
    return spark


def under_spark_submit() -> bool:
    """True when this Python process was started by `spark-submit` (its JVM is already up)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def _check_delta_loaded(spark, cfg: PipelineConfig) -> None:
    # Spark's own class loader sees --packages JARs; java.lang.Class.forName would not.
    if not spark._jvm.org.apache.spark.util.Utils.classIsLoadable("io.delta.tables.DeltaTable"):
        raise RuntimeError(
            "Delta Lake classes are not on the classpath: run spark-submit with "
            f"`--packages {cfg.spark.delta_package}` (or `--jars` with the Delta JARs)"
        )
