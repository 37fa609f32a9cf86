"""mix.adapt on real local Spark + Delta: a category whose channel loss in chunk k-1 is higher
gets a larger share of chunk k, up to its cap, with the change and its reason in the chunks row."""
import json
import math

import pyarrow as pa
import pytest

from conf import load_config
from spark_jobs import mix
from tables.catalog import TRAIN_METRICS
from tables.delta_rs import append, read_arrow
from tests.spark_jobs.curated_corpus import SMALL_TOKENIZER, job_args, tokenized_warehouse

MIX = SMALL_TOKENIZER + ["mix.seq_len=63", "mix.chunk_tokens=1280", "mix.seed=3", "mix.phases=[]",
                         "mix.target_shares={web: 1, code: 1}", "mix.default_max_repeats=null",
                         "mix.adapt={eta: 1.0, reference: {}, min_share: 0.1, max_share: 0.8}"]


def metrics(rows):
    return pa.Table.from_pylist([dict(run_id="r", step=s, chunk_id=0, category=c, loss=l, tokens=n)
                                 for s, c, l, n in rows], TRAIN_METRICS.arrow_schema())


@pytest.mark.spark
def test_higher_code_loss_raises_codes_share_of_the_next_chunk_within_its_cap(spark, tmp_path):
    warehouse = str(tmp_path / "warehouse")
    tokenized_warehouse(spark, warehouse)
    cfg = load_config(overrides=MIX + [f"spark.warehouse={warehouse}"])
    assert mix.main(job_args(warehouse, MIX)) == 0
    # chunk 0's channel loss: code 4.0 (token-weighted over two log steps), web 2.0, and `_all`
    append(cfg, "train_metrics", metrics([(10, "code", 3.0, 100), (20, "code", 4.5, 200), (10, "web", 2.0, 300),
                                          (10, "_all", 9.0, 600)]))
    assert mix.main(job_args(warehouse, MIX)) == 0
    rows = sorted(read_arrow(cfg, "chunks").to_pylist(), key=lambda r: r["chunk_id"])
    first = json.loads(rows[0]["adaptation"])
    assert first["reason"] == "first chunk" and first["shares"] == {"code": 0.5, "web": 0.5}
    change = json.loads(rows[1]["adaptation"])["changes"]
    # reference = mean loss 3.0: code 0.5 e^1 vs web 0.5 e^-1 -> 0.881, held at the 0.8 cap
    assert math.e / (math.e + 1 / math.e) > 0.8
    assert change["code"] == {"from": 0.5, "to": 0.8, "loss": 4.0, "reference": 3.0,
                              "reason": "loss 4.0000 above reference 3.0000 (held at mix.adapt.max_share)"}
    assert change["web"]["to"] == pytest.approx(0.2) and change["web"]["reason"].startswith("loss 2.0000 below")
    docs = {r["doc_id"]: r["category"] for r in read_arrow(cfg, "tokenized_docs").to_pylist()}
    code = sum(n for b in read_arrow(cfg, "blocks").to_pylist() if b["chunk_id"] == 1
               for d, n in zip(b["doc_ids"], b["doc_lengths"]) if docs[d] == "code")
    assert abs(code / 1280 - 0.8) <= 0.01
    assert json.loads(rows[1]["achieved_shares"])["code"] == pytest.approx(0.8, abs=0.01)
