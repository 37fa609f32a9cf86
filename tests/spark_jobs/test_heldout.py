"""heldout on real local Spark + Delta: the per-group sample, its determinism, and the mix leaving it out."""
import contextlib
import io

import pytest

from conf import ConfigError, load_config, replace
from spark_jobs import heldout, mix
from tables.delta_rs import read_arrow
from tests.spark_jobs.curated_corpus import SMALL_TOKENIZER, job_args, tokenized_warehouse

MIX = SMALL_TOKENIZER + ["mix.seq_len=63", "mix.chunk_tokens=1280", "mix.seed=11"]
HELD = ["eval.heldout.docs_per_group=4", "eval.heldout.max_fraction=0.25", "eval.heldout.seed=5"]


def run_quiet(main, argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def held(spark, tmp_path_factory):
    """A tokenized warehouse (20 documents per group) with its held-out split, then one mixed chunk."""
    warehouse = str(tmp_path_factory.mktemp("heldout") / "warehouse")
    tokenized_warehouse(spark, warehouse)
    cfg = load_config(overrides=MIX + HELD + [f"spark.warehouse={warehouse}"])
    printed = run_quiet(heldout.main, job_args(warehouse, MIX + HELD))
    eval_docs = read_arrow(cfg, "eval_docs").to_pylist()
    mixed = run_quiet(mix.main, job_args(warehouse, MIX + HELD))
    return cfg, eval_docs, printed, mixed


@pytest.mark.spark
def test_heldout_takes_min_of_count_and_fraction_per_group(held):
    cfg, eval_docs, printed, _ = held
    groups = {}
    for d in eval_docs:
        groups[(d["category"], d["lang"])] = groups.get((d["category"], d["lang"]), 0) + 1
    # 20 curated documents per group: min(4, floor(0.25 * 20) = 5) = 4 each.
    assert groups == {("code", "en"): 4, ("web", "en"): 4, ("web", "zh"): 4}
    assert "heldout: 12 documents held out into eval_docs" in printed


@pytest.mark.spark
def test_heldout_rows_hold_curated_text_and_its_utf8_bytes(held):
    cfg, eval_docs, _, _ = held
    curated = {r["doc_id"]: r for r in read_arrow(cfg, "curated_docs").to_pylist()}
    for d in eval_docs:
        assert d["text"] == curated[d["doc_id"]]["text"]
        assert d["text_bytes"] == len(d["text"].encode("utf-8"))
        assert d["split_seed"] == 5


@pytest.mark.spark
def test_heldout_no_heldout_doc_id_in_blocks(held):
    cfg, eval_docs, _, mixed = held
    packed = {d for b in read_arrow(cfg, "blocks").to_pylist() for d in b["doc_ids"]}
    assert packed  # the chunk was built
    assert {d["doc_id"] for d in eval_docs} & packed == set()
    assert "left out 12 held-out documents (eval_docs)" in mixed


@pytest.mark.spark
def test_heldout_rerun_same_seed_same_sample_other_partitioning(spark, held):
    cfg, eval_docs, _, _ = held
    old = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", "3")
    try:  # after the mix: the same sample holds no trained document, so it is accepted
        run_quiet(heldout.main, job_args(cfg.spark.warehouse, MIX + HELD))
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", old)
    again = read_arrow(cfg, "eval_docs").to_pylist()
    assert sorted(d["doc_id"] for d in again) == sorted(d["doc_id"] for d in eval_docs)


@pytest.mark.spark
def test_heldout_other_seed_after_mix_refused(spark, held):
    cfg, _, _, _ = held
    other = replace(cfg, ["eval.heldout.docs_per_group=10", "eval.heldout.max_fraction=0.5", "eval.heldout.seed=99"])
    with pytest.raises(heldout.HeldoutTrainedError, match="run heldout before the first mix"):
        heldout.run(spark, other)


def test_heldout_bad_fraction_names_the_key(cfg):
    with pytest.raises(ConfigError, match=r"eval\.heldout\.max_fraction must be in \[0, 1\)"):
        heldout.check_config(replace(cfg, ["eval.heldout.max_fraction=1.5"]))
