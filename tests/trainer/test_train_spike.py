"""A block of garbage tokens in chunk 1: exactly one rollback, its doc excluded, the run goes on."""
from __future__ import annotations

from conf import load_config
from tables.chunk_lifecycle import read_chunks
from tables.delta_rs import read_arrow
from tests.conftest import TEST_OVERRIDES
from tests.trainer.fixtures import garbage_tokens, pack_blocks, replace_block, synthetic_docs, write_chunk
from tests.trainer.train_runs import SEQ_LEN, VOCAB, log_records, overrides, torchrun, write_tokenizer_metadata

# One category and documents of 48-96 tokens: a normal block holds one or two unpredictable
# document starts and one successor table, so normal steps stay within ~1.5x of their mean.
DOC_TOKENS = {"min_tokens": 48, "max_tokens": 96, "categories": ("code",)}
CHUNK0_BLOCKS, CHUNK1_BLOCKS = 128, 32  # 32 + 8 steps of 4 blocks: the table is learned before chunk 1
CHUNK0_STEPS = CHUNK0_BLOCKS // 4
GARBAGE_BLOCK = 13
# Measured: normal steps stay under 1.6x the window mean, the garbage step is ~9x.
SPIKE = ["train.spike.rule=ratio", "train.spike.max_ratio=3.0", "train.spike.window=8", "train.spike.min_steps=8",
         "train.spike.on_spike=skip_blocks", "train.spike.max_rollbacks=2"]


def _write_chunks(cfg) -> None:
    for chunk_id, n_blocks in ((0, CHUNK0_BLOCKS), (1, CHUNK1_BLOCKS)):
        docs = synthetic_docs(n_blocks * (SEQ_LEN + 1) // DOC_TOKENS["min_tokens"] + 1, vocab_size=VOCAB,
                              seed=20 + chunk_id, prefix=f"c{chunk_id}", **DOC_TOKENS)
        blocks = pack_blocks(docs, SEQ_LEN, chunk_id, n_blocks=n_blocks)
        if chunk_id == 1:
            # Uniform random ids: a model that learned the successor table scores them far above its mean.
            blocks = replace_block(blocks, GARBAGE_BLOCK, garbage_tokens(SEQ_LEN, VOCAB, seed=5), doc_id="garbage")
        write_chunk(cfg, blocks)


def test_train_garbage_block_one_rollback_doc_excluded_chunk_trained(tmp_path):
    cfg = load_config(overrides=TEST_OVERRIDES + [f"spark.warehouse={tmp_path / 'warehouse'}", f"mix.seq_len={SEQ_LEN}"])
    _write_chunks(cfg)
    write_tokenizer_metadata(cfg)
    run_dir = tmp_path / "run"
    out = torchrun(overrides(cfg, run_dir, *SPIKE))

    spikes = [line for line in out.stdout.splitlines() if line.startswith("spike at")]
    assert len(spikes) == 1, out.stdout[-3000:]
    assert "rolled back to chunk-0" in spikes[0]
    excluded = read_arrow(cfg, "excluded_docs").to_pylist()
    assert [(r["doc_id"], r["chunk_id"], r["block_id"], r["reason"]) for r in excluded] == [
        ("garbage", 1, GARBAGE_BLOCK, "loss_spike")]
    # Chunk 1 retried without the block: 31 blocks -> 7 full steps of 4 blocks after chunk 0.
    rows = {r["chunk_id"]: r for r in read_chunks(cfg)}
    assert (rows[0]["status"], rows[1]["status"]) == ("trained", "trained")
    assert rows[1]["step"] == CHUNK0_STEPS + 7
    assert max(r["step"] for r in log_records(run_dir)) == CHUNK0_STEPS + 7
