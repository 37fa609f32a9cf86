"""Session builder: Java checks, the settings it gives Spark, spark-submit entry points."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conf import load_config
from spark_jobs.session import JavaNotFoundError, check_java, java_version, spark_conf

ROOT = Path(__file__).resolve().parents[2]


def test_check_java_accepts_installed_java():
    check_java()
    assert java_version() in (17, 21)


def test_missing_java_home_error_names_what_is_needed(monkeypatch, tmp_path):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk-here"))
    with pytest.raises(JavaNotFoundError, match="Java 17 or 21"):
        check_java()


def test_spark_conf_resolves_delta_from_maven_into_persistent_ivy():
    conf = spark_conf(load_config(overrides=["spark.ivy_dir=/var/cache/ivy"]), "t")
    assert conf["spark.jars.packages"] == "io.delta:delta-spark_4.1_2.13:4.4.0"
    assert conf["spark.jars.ivy"] == "/var/cache/ivy"
    assert conf["spark.sql.extensions"] == "io.delta.sql.DeltaSparkSessionExtension"


def test_spark_conf_jars_replace_maven_for_air_gapped(tmp_path):
    jar = tmp_path / "delta.jar"
    jar.write_bytes(b"")
    conf = spark_conf(load_config(overrides=[f"spark.jars=['{jar}']"]), "t")
    assert conf["spark.jars"] == str(jar) and "spark.jars.packages" not in conf


def test_spark_conf_missing_jar_file_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="spark.jars"):
        spark_conf(load_config(overrides=[f"spark.jars=['{tmp_path / 'nope.jar'}']"]), "t")


def test_spark_submit_ingest_help_works():
    spark_submit = Path(sys.executable).parent / "spark-submit"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    out = subprocess.run([str(spark_submit), str(ROOT / "spark_jobs" / "ingest.py"), "--help"],
                         capture_output=True, text=True, timeout=300, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "--input" in out.stdout and "--warehouse" in out.stdout


def test_flywheel_cli_lists_commands_and_rejects_unknown():
    from flywheel.cli import main

    assert main(["--help"]) == 0
    assert main(["no-such-command"]) == 2
