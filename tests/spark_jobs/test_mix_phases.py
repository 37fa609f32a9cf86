"""mix.phases on real local Spark + Delta: each chunk's phase, shares and quality floor; the wsd
decay of the trainer's schedule lands on the anneal chunks the mix built (read by the real loader)."""
import hashlib
import json

import numpy as np
import pytest

from conf import load_config, replace
from spark_jobs import mix
from tables.delta_rs import read_arrow
from tests.spark_jobs.curated_corpus import SMALL_TOKENIZER, job_args, tokenized_warehouse

SEQ_LEN = 63  # blocks of 64 tokens, chunks of 1280 tokens = 20 blocks
PHASE = "{{name: {}, chunks: {}, tokens: {}, target_shares: {}, min_quality_quantile: {}, max_repeats: {{}}}}"
PHASES = [PHASE.format("warmup", 1, "null", "{zh: 4, en: 4, code: 2}", "null"),
          PHASE.format("stable", "null", 1280, "{zh: 1, en: 1, code: 2}", "null"),
          PHASE.format("anneal", 1, "null", "{}", 0.5)]
MIX = SMALL_TOKENIZER + [f"mix.seq_len={SEQ_LEN}", "mix.chunk_tokens=1280", "mix.seed=5",
                         "mix.target_shares={zh: 1, en: 2, code: 1}", "mix.default_max_repeats=null",
                         f"mix.phases=[{', '.join(PHASES)}]"]
SHARES = [{"zh": 0.4, "en": 0.4, "code": 0.2}, {"zh": 0.25, "en": 0.25, "code": 0.5},
          {"zh": 0.25, "en": 0.5, "code": 0.25}]


def score(doc_id):
    """A quality score fixed by the doc id, spread over [0, 1)."""
    return int(hashlib.sha256(doc_id.encode()).hexdigest()[:8], 16) / 2**32


def group_of(row):
    return "code" if row["category"] == "code" else row["lang"]


def set_quality_scores(spark, cfg):
    """Give curated_docs varied quality scores (the shared corpus has 0.9 everywhere)."""
    from tables.merge import overwrite_partitions
    from tables.spark_tables import read_table, spark_schema

    rows = [{**r.asDict(), "quality_score": score(r["doc_id"])} for r in read_table(spark, cfg, "curated_docs").collect()]
    overwrite_partitions(spark, cfg, "curated_docs", spark.createDataFrame(rows, spark_schema("curated_docs")))


def build(spark, warehouse, extra=()):
    tokenized_warehouse(spark, warehouse)
    cfg = load_config(overrides=MIX + list(extra) + [f"spark.warehouse={warehouse}"])
    set_quality_scores(spark, cfg)
    assert mix.main(job_args(warehouse, MIX + list(extra)) + ["--chunks", "3"]) == 0
    return cfg


@pytest.fixture(scope="module")
def phased(spark, tmp_path_factory):
    return build(spark, str(tmp_path_factory.mktemp("phases") / "warehouse"))


def blocks_of(cfg, k):
    return sorted((b for b in read_arrow(cfg, "blocks").to_pylist() if b["chunk_id"] == k), key=lambda b: b["block_id"])


def chunk_rows(cfg):
    return sorted(read_arrow(cfg, "chunks").to_pylist(), key=lambda r: r["chunk_id"])


@pytest.mark.spark
def test_chunks_record_their_phase_and_match_its_shares_within_one_percent(phased):
    cfg = phased
    docs = {r["doc_id"]: group_of(r) for r in read_arrow(cfg, "tokenized_docs").to_pylist()}
    rows = chunk_rows(cfg)
    assert [r["phase"] for r in rows] == ["warmup", "stable", "anneal"]
    for k, want in enumerate(SHARES):
        tokens = dict.fromkeys(want, 0)
        for b in blocks_of(cfg, k):
            for d, n in zip(b["doc_ids"], b["doc_lengths"]):
                tokens[docs[d]] += n
        assert {g: abs(tokens[g] / 1280 - s) <= 0.01 for g, s in want.items()} == dict.fromkeys(want, True)
        assert json.loads(rows[k]["target_shares"]) == want


@pytest.mark.spark
def test_anneal_chunk_holds_only_documents_at_or_above_the_groups_median_score(phased):
    cfg = phased
    docs = {r["doc_id"]: group_of(r) for r in read_arrow(cfg, "tokenized_docs").to_pylist()}
    by_group = {}
    for d, g in docs.items():
        by_group.setdefault(g, []).append(score(d))
    # the 0.5 quantile, "lower": the element at floor(0.5 * (n - 1)) of the sorted scores
    floors = {g: sorted(s)[int(0.5 * (len(s) - 1))] for g, s in by_group.items()}
    anneal = {d for b in blocks_of(cfg, 2) for d in b["doc_ids"]}
    assert anneal and all(score(d) >= floors[docs[d]] for d in anneal)
    row = chunk_rows(cfg)[2]
    assert json.loads(row["quality_floor"]) == pytest.approx(floors, abs=1e-6)
    earlier = {d for k in (0, 1) for b in blocks_of(cfg, k) for d in b["doc_ids"]}
    assert any(score(d) < floors[docs[d]] for d in earlier)  # the floor is the anneal's alone
    assert chunk_rows(cfg)[0]["quality_floor"] is None


@pytest.mark.spark
def test_a_fourth_chunk_past_the_plan_is_refused(phased):
    with pytest.raises(Exception, match="chunk 3 lies past the last phase of mix.phases"):
        mix.main(job_args(phased.spark.warehouse, MIX))


@pytest.mark.spark
def test_wsd_decay_lands_on_the_anneal_chunk_the_loader_reads(phased):
    from trainer.data import BlockLoader
    from trainer.schedule import schedule_for

    cfg = replace(phased, ["train.local_batch_size=2", "train.schedule.name=wsd", "train.schedule.warmup_steps=2",
                           "train.schedule.min_lr_ratio=0.1", "train.schedule.decay_phase=anneal",
                           "train.data.max_wait_seconds=0"])
    loader = BlockLoader(cfg, dp_rank=0, dp_world_size=2)
    chunk_of_step = []
    try:
        for _ in loader:
            chunk_of_step.append(loader.chunk_id)
    finally:
        loader.close()
    assert chunk_of_step == [0] * 5 + [1] * 5 + [2] * 5  # 20 blocks / (2 x 2 ranks) a chunk
    f = schedule_for(cfg, 2)
    lr = np.array([f(s) for s in range(len(chunk_of_step))])
    steps = np.array(chunk_of_step)
    assert (lr[2:10] == 1.0).all()  # flat after warmup through warmup and stable
    anneal = lr[steps == 2]
    assert anneal[0] == 1.0 and (np.diff(anneal) < 0).all()  # decaying over the anneal chunk only
    assert f(len(chunk_of_step)) == pytest.approx(0.1)  # the floor is reached as the anneal chunk ends


@pytest.mark.spark
def test_phased_chunks_same_for_other_partitioning(spark, phased, tmp_path):
    old = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", "3")
    try:
        other = build(spark, str(tmp_path / "warehouse"))
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", old)
    for k in range(3):
        assert blocks_of(other, k) == blocks_of(phased, k)
