"""BlockLoader over real Delta `blocks` + `chunks` tables written with delta-rs (tests/trainer/fixtures.py)."""
from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from conf import ConfigError, load_config
from tables.chunk_lifecycle import set_status
from tests.trainer.fixtures import write_synthetic_chunks
from trainer.data import (
    BatchSizeMismatchError, BlockFormatError, BlockLoader, ChunkFingerprintError, DataParallelMismatchError,
    SeedMismatchError, SeqLenMismatchError, StateFormatError, TableVersionError)

SEQ_LEN, VOCAB, BLOCKS_PER_CHUNK = 16, 64, 13
# read_blocks=3 with files of 5 rows: batches straddle record batches and files; no wait at the end.
OVERRIDES = [f"mix.seq_len={SEQ_LEN}", "train.data.read_blocks=3", "train.data.prefetch_batches=2",
             "train.data.max_wait_seconds=0", "train.data.poll_seconds=0.01"]


def make_cfg(warehouse, *extra):
    return load_config(overrides=[f"spark.warehouse={warehouse}", *OVERRIDES, *extra])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """Two ready chunks of 13 blocks, each in 3 files (5 + 5 + 3 rows), categories code and web."""
    path = tmp_path_factory.mktemp("loader") / "warehouse"
    chunks = write_synthetic_chunks(make_cfg(path), 2, blocks_per_chunk=BLOCKS_PER_CHUNK, vocab_size=VOCAB,
                                    seed=5, rows_per_file=5)
    return path, {(c.chunk_id, r["block_id"]): r for c in chunks for r in c.blocks.to_pylist()}


def run_cfg(warehouse, batch: int = 2, *extra):
    return make_cfg(warehouse[0], f"train.local_batch_size={batch}", *extra)


def take(iterator, n: int) -> list[tuple]:
    out = []
    for _ in range(n):
        inputs, labels = next(iterator)
        out.append((inputs, labels))
    return out


def batches_of(loader: BlockLoader, limit: int | None = None) -> list[tuple[list, dict, torch.Tensor]]:
    """(block ids, inputs, labels) of every batch the loader yields (or the first `limit`)."""
    out = []
    for inputs, labels in loader:
        out.append((list(loader.last_block_ids), inputs, labels))
        if limit is not None and len(out) == limit:
            break
    return out


def same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        ia == ib and all(torch.equal(xa[k], xb[k]) for k in xa) and torch.equal(la, lb)
        for (ia, xa, la), (ib, xb, lb) in zip(a, b))


def expected_row(row: dict) -> tuple[list, list, list, list]:
    """Per-token reference for one stored block: inputs, labels, positions, category names (None = masked)."""
    starts, tokens = row["doc_starts"], row["tokens"]
    out = ([], [], [], [])
    for i in range(SEQ_LEN):
        span = max(k for k, s in enumerate(starts) if s <= i)
        crosses = (i + 1) in starts
        out[0].append(tokens[i])
        out[1].append(-100 if crosses else tokens[i + 1])
        out[2].append(i - starts[span])
        out[3].append(None if crosses else row["doc_categories"][span])
    return out


def test_loader_two_ranks_every_block_once_with_reference_labels_and_positions(warehouse):
    cfg = run_cfg(warehouse, batch=2)
    seen = {}
    for rank in range(2):
        loader = BlockLoader(cfg, dp_rank=rank, dp_world_size=2)
        steps = 0
        for inputs, labels in loader:
            steps += 1
            assert loader.categories == ["code", "web"]
            assert inputs["input"].shape == labels.shape == (2, SEQ_LEN)
            for b, key in enumerate(loader.last_block_ids):
                assert key not in seen
                seen[key] = rank
                want_in, want_labels, want_pos, want_cats = expected_row(warehouse[1][key])
                assert inputs["input"][b].tolist() == want_in
                assert labels[b].tolist() == want_labels
                assert inputs["positions"][b].tolist() == want_pos
                assert [None if c < 0 else loader.categories[c] for c in inputs["category_ids"][b].tolist()] \
                    == want_cats
        # 13 blocks per chunk, 2 ranks x 2 blocks: 3 steps per chunk, one block left over.
        assert steps == 6
        loader.close()
    for chunk_id in (0, 1):
        assert sum(1 for c, _ in seen if c == chunk_id) == 12


def test_loader_chunk_flags_mark_first_and_last_batch_of_each_chunk(warehouse):
    loader = BlockLoader(run_cfg(warehouse, batch=4))
    flags = []
    for _ in loader:
        flags.append((loader.chunk_id, loader.chunk_began, loader.chunk_ended, loader.version))
    # 13 blocks, batches of 4: 3 steps per chunk; both read at the version of the sixth append (0-based 5).
    assert [f[:3] for f in flags] == [(0, True, False), (0, False, False), (0, False, True),
                                      (1, True, False), (1, False, False), (1, False, True)]
    assert {f[3] for f in flags} == {5}


def test_loader_same_seed_same_order_other_seed_other_unit_order(warehouse):
    def order(seed):
        return [ids for ids, _, _ in batches_of(BlockLoader(run_cfg(warehouse, 1, f"train.seed={seed}")))]

    first, again, other = order(3), order(3), order(4)
    assert first == again
    assert sorted(map(tuple, first)) == sorted(map(tuple, other)) and first != other


@settings(max_examples=25, deadline=None)
@given(world=st.integers(1, 3), batch=st.integers(1, 3), data=st.data())
def test_loader_resume_after_k_batches_next_batches_equal_uninterrupted(warehouse, world, batch, data):
    cfg = run_cfg(warehouse, batch)
    rank = data.draw(st.integers(0, world - 1))
    full = batches_of(BlockLoader(cfg, dp_rank=rank, dp_world_size=world))
    k = data.draw(st.integers(0, len(full)))
    first = BlockLoader(cfg, dp_rank=rank, dp_world_size=world)
    head = batches_of(first, limit=k) if k else []
    state = first.state_dict()
    first.close()
    resumed = BlockLoader(cfg, dp_rank=rank, dp_world_size=world)
    resumed.load_state_dict(state)
    assert same(head + batches_of(resumed), full)


def test_loader_load_state_dict_mid_iteration_same_iterator_replays(warehouse):
    # The CPU loop rolls back by loading an older state into the loader it is iterating.
    loader = BlockLoader(run_cfg(warehouse, 2))
    it = iter(loader)
    take(it, 2)
    state = loader.state_dict()
    replay = [(b, loader.last_block_ids) for b in take(it, 4)]
    loader.load_state_dict(state)
    again = [(b, loader.last_block_ids) for b in take(it, 4)]
    assert [ids for _, ids in again] == [ids for _, ids in replay]
    assert all(torch.equal(a[0][1], b[0][1]) and torch.equal(a[0][0]["positions"], b[0][0]["positions"])
               for a, b in zip(replay, again))
    loader.close()


def test_loader_waits_for_building_chunk_logs_once_then_trains_it(tmp_path, caplog):
    cfg = make_cfg(tmp_path / "wh", "train.local_batch_size=2", "train.data.max_wait_seconds=null")
    write_synthetic_chunks(cfg, 1, blocks_per_chunk=4, vocab_size=VOCAB, seed=1)
    write_synthetic_chunks(cfg, 1, blocks_per_chunk=4, vocab_size=VOCAB, seed=1, first_chunk_id=1, status="building")
    polls = []

    def agree(decide):
        choice = decide()
        polls.append(choice)
        if choice is None and polls.count(None) == 3:  # the mix job finishes chunk 1 while the loader waits
            set_status(cfg, 1, "ready")
        return choice

    loader = BlockLoader(cfg, agree=agree)
    with caplog.at_level(logging.INFO, logger="flywheel.trainer.data"):
        chunks = [loader.chunk_id for _ in zip(range(4), loader)]
    assert chunks == [0, 0, 1, 1]
    waits = [r.message for r in caplog.records if "no ready chunk after chunk 0" in r.message]
    assert len(waits) == 1 and "mix job" in waits[0]
    loader.close()


def test_loader_no_chunk_within_max_wait_stops_with_log_line(tmp_path, caplog):
    cfg = make_cfg(tmp_path / "wh", "train.data.max_wait_seconds=0.03")
    write_synthetic_chunks(cfg, 1, blocks_per_chunk=4, vocab_size=VOCAB, seed=1, status="building")
    with caplog.at_level(logging.WARNING, logger="flywheel.trainer.data"):
        assert list(BlockLoader(cfg)) == []
    assert any("within 0.03s (train.data.max_wait_seconds); stopping" in r.message for r in caplog.records)


def test_loader_excluded_blocks_never_yielded_and_kept_in_state(warehouse):
    cfg = run_cfg(warehouse, 1)
    excluded = {0: {2, 7}, 1: {0}}
    full = [loader_ids for loader_ids, _, _ in batches_of(BlockLoader(cfg, exclusions=excluded.__getitem__))]
    assert sorted(b for (c, b), in full if c == 0) == [0, 1, 3, 4, 5, 6, 8, 9, 10, 11, 12]
    assert sorted(b for (c, b), in full if c == 1) == list(range(1, 13))
    loader = BlockLoader(cfg, exclusions=excluded.__getitem__)
    batches_of(loader, limit=3)
    state = loader.state_dict()
    loader.close()
    assert state["dp_rank_0"]["excluded"] == [2, 7]
    # Resumed mid-chunk, the saved exclusions hold even if the exclusion source now says otherwise;
    # chunk 1, opened after the resume, asks the source again (now: nothing excluded).
    resumed = BlockLoader(cfg, exclusions=lambda chunk_id: set())
    resumed.load_state_dict(state)
    rest = [ids for ids, _, _ in batches_of(resumed)]
    assert rest[:8] == full[3:11]
    assert sorted(b for (c, b), in rest if c == 1) == list(range(13))


@pytest.mark.parametrize("change, error, message", [
    ("train.seed=99", SeedMismatchError, "train.seed=1234, the config has 99"),
    ("train.local_batch_size=3", BatchSizeMismatchError, "train.local_batch_size=2, the config has 3"),
    ("mix.seq_len=32", SeqLenMismatchError, "mix.seq_len=16, the config has 32"),
])
def test_loader_load_state_dict_run_setting_changed_raises_specific_error(warehouse, change, error, message):
    loader = BlockLoader(run_cfg(warehouse, batch=2))
    take(iter(loader), 1)
    state = loader.state_dict()
    loader.close()
    with pytest.raises(error, match=message):
        BlockLoader(run_cfg(warehouse, 2, change)).load_state_dict(state)


def test_loader_load_state_dict_other_dp_world_raises_data_parallel_mismatch(warehouse):
    cfg = run_cfg(warehouse, batch=2)
    loader = BlockLoader(cfg, dp_rank=0, dp_world_size=2)
    take(iter(loader), 1)
    state = loader.state_dict()
    loader.close()
    with pytest.raises(DataParallelMismatchError, match="dp rank 0 of 2, this process is dp rank 0 of 1"):
        BlockLoader(cfg).load_state_dict(state)
    with pytest.raises(DataParallelMismatchError, match="not 'dp_rank_1'"):
        BlockLoader(cfg, dp_rank=1, dp_world_size=2).load_state_dict(state)


def test_loader_load_state_dict_other_format_raises_state_format_error(warehouse):
    cfg = run_cfg(warehouse, batch=2)
    state = BlockLoader(cfg).state_dict()
    state["dp_rank_0"]["format_version"] = 0
    with pytest.raises(StateFormatError, match="format 0, this loader reads format 1"):
        BlockLoader(cfg).load_state_dict(state)
    del state["dp_rank_0"]["format_version"]
    with pytest.raises(StateFormatError):
        BlockLoader(cfg).load_state_dict(state)


def test_loader_state_from_recreated_warehouse_raises_fingerprint_or_version_error(tmp_path):
    cfg = make_cfg(tmp_path / "wh", "train.local_batch_size=2")
    write_synthetic_chunks(cfg, 2, blocks_per_chunk=6, vocab_size=VOCAB, seed=1)  # blocks version 1
    loader = BlockLoader(cfg)
    take(iter(loader), 4)  # into chunk 1
    state = loader.state_dict()
    loader.close()
    # The warehouse is re-created with other chunks: version 1 exists again, with other data.
    shutil.rmtree(tmp_path / "wh")
    write_synthetic_chunks(cfg, 2, blocks_per_chunk=8, vocab_size=VOCAB, seed=1)
    with pytest.raises(ChunkFingerprintError, match="chunk 1 at blocks version 1 holds 8 blocks"):
        BlockLoader(cfg).load_state_dict(state)
    # ...or with fewer versions: the pinned one is gone.
    shutil.rmtree(tmp_path / "wh")
    write_synthetic_chunks(cfg, 1, blocks_per_chunk=6, vocab_size=VOCAB, seed=1)
    with pytest.raises(TableVersionError, match="blocks version 1 .chunk 1. cannot be read"):
        BlockLoader(cfg).load_state_dict(state)


def test_loader_chunk_of_other_seq_len_raises_block_format_error(tmp_path):
    cfg = make_cfg(tmp_path / "wh")
    write_synthetic_chunks(cfg, 1, blocks_per_chunk=4, vocab_size=VOCAB, seed=1, seq_len=8)
    with pytest.raises(BlockFormatError, match="holds 9 tokens, expected 17 .mix.seq_len . 1."):
        next(iter(BlockLoader(cfg)))


def test_loader_chunk_smaller_than_global_batch_skipped_with_log_line(tmp_path, caplog):
    cfg = make_cfg(tmp_path / "wh", "train.local_batch_size=4")
    write_synthetic_chunks(cfg, 1, blocks_per_chunk=3, vocab_size=VOCAB, seed=1)
    write_synthetic_chunks(cfg, 1, blocks_per_chunk=4, vocab_size=VOCAB, seed=2, first_chunk_id=1)
    loader = BlockLoader(cfg)
    with caplog.at_level(logging.WARNING, logger="flywheel.trainer.data"):
        assert [loader.chunk_id for _ in loader] == [1]
    assert any("chunk 0" in r.message and "fewer than one global batch" in r.message for r in caplog.records)


def test_loader_config_out_of_range_raises_config_error_naming_key(warehouse):
    with pytest.raises(ConfigError, match="train.data.prefetch_batches must be at least 1"):
        BlockLoader(run_cfg(warehouse, 2, "train.data.prefetch_batches=0"))


def _rank_main(rank: int, world: int, warehouse: str, init_file: str, out_dir: str) -> None:
    """One process of test_loader_gloo_ranks_agree_on_rank0_decision (a real gloo process group)."""
    import torch.distributed as dist

    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    # Each rank's exclusion source disagrees; rank 0's answer must hold on every rank.
    loader = BlockLoader(make_cfg(warehouse, "train.local_batch_size=2"), dp_rank=rank, dp_world_size=world,
                         exclusions=lambda chunk_id: {3} if rank == 0 else set())
    seen = [(loader.chunk_id, loader.version, loader.last_block_ids) for _ in loader]
    dist.destroy_process_group()
    (Path(out_dir) / f"rank{rank}.json").write_text(json.dumps(seen))


def test_loader_gloo_ranks_agree_on_rank0_decision(warehouse, tmp_path):
    import torch.multiprocessing as mp

    mp.spawn(_rank_main, args=(2, str(warehouse[0]), str(tmp_path / "init"), str(tmp_path)), nprocs=2)
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(2)]
    assert [(c, v) for c, v, _ in ranks[0]] == [(c, v) for c, v, _ in ranks[1]]
    blocks = [tuple(b) for rank in ranks for _, _, ids in rank for b in ids]
    assert len(blocks) == len(set(blocks)) and (0, 3) not in blocks and (1, 3) not in blocks
    # 12 blocks left in each chunk after excluding block 3: 3 steps of 2 x 2 ranks each.
    assert len(ranks[0]) == 6 and {c for c, _ in blocks} == {0, 1}
