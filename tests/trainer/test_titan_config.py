"""The GPU module on CPU: torchtitan builds its full config through `--module trainer.titan --config …`,
the model is the configured Llama3 with FlexAttention, and our loader satisfies `BaseDataLoader`
(iteration, per-rank state, resume through torchtitan's DCP checkpoint manager). No GPU here: the
Trainer itself is not constructed (torchtitan's Trainer does not start on a CPU-only machine).
"""
from __future__ import annotations

import json
import math

import pytest
import torch
import torch.distributed as dist
import yaml
from torch.distributed.checkpoint.stateful import Stateful
from torchtitan.components.dataloader import BaseDataLoader
from torchtitan.components.optimizer import OptimizersContainer
from torchtitan.components.optimizer.optimizer import ParamGroupConfig
from torchtitan.config import ConfigManager, ParallelismConfig
from torchtitan.models.common.attention import FlexAttention
from torchtitan.models.llama3.parallelize import parallelize_llama

from conf import ConfigError
from trainer.lifecycle.checkpoints import checkpoints_dir
from trainer.titan import (
    FlywheelCheckpointManager, FlywheelDataLoader, FlywheelLRSchedulers, FlywheelTrainer, build_config,
    check_parallelism, split_category_ids)

from tests.trainer.fixtures import write_synthetic_chunks

SEQ_LEN, VOCAB = 64, 512


def _argv(tmp_path, cfg, vocab=VOCAB, **train) -> list[str]:
    """Real chunks + a tokenizer artifact's metadata.json + the YAML a user would pass; the CLI flags."""
    tokenizers = tmp_path / "tokenizers"
    (tokenizers / "fixture").mkdir(parents=True)  # the fixture chunks' tokenizer_version
    (tokenizers / "fixture" / "metadata.json").write_text(json.dumps({"vocab_size": vocab}))
    settings = {"spark": {"warehouse": cfg.spark.warehouse}, "tokenizer": {"dir": str(tokenizers)},
                "mix": {"seq_len": SEQ_LEN}, "train": {"run_dir": str(tmp_path / "run"), "max_steps": 300, **train}}
    path = tmp_path / "flywheel.yaml"
    path.write_text(yaml.safe_dump(settings))
    return ["--flywheel.config_files", str(path)]


@pytest.fixture
def env(cfg, tmp_path):
    from conf import replace

    cfg = replace(cfg, [f"mix.seq_len={SEQ_LEN}"])
    chunks = write_synthetic_chunks(cfg, 2, blocks_per_chunk=8, vocab_size=VOCAB, seed=4)
    return {"cfg": cfg, "argv": _argv(tmp_path, cfg), "chunks": chunks, "run": tmp_path / "run"}


def _parse(argv: list[str]):
    """What `torchrun -m torchtitan.train --module trainer.titan --config flywheel_debug …` parses."""
    import sys

    full = ["--module", "trainer.titan", "--config", "flywheel_debug", *argv]
    saved, sys.argv = sys.argv, ["torchtitan.train", *full]
    try:
        return ConfigManager().parse_args(full)
    finally:
        sys.argv = saved


def test_cli_module_config_builds_flywheel_trainer_config(env):
    config = _parse([*env["argv"], "--training.steps", "7", "--flywheel.overrides", "train.log_every=5"])
    assert isinstance(config, FlywheelTrainer.Config) and type(config)._owner is FlywheelTrainer
    assert (config.training.steps, config.training.seq_len, config.training.local_batch_size) == (7, SEQ_LEN, 2)
    assert config.training.mixed_precision_param == "bfloat16" and config.training.global_batch_size == -1
    assert config.metrics.log_freq == 5  # the flywheel override reached the config function
    assert config.flywheel.overrides == ["train.log_every=5"]
    assert config.dump_folder == str(env["run"])
    assert isinstance(config.dataloader, FlywheelDataLoader.Config)
    assert config.dataloader.config_files == config.flywheel.files()
    assert isinstance(config.checkpoint, FlywheelCheckpointManager.Config) and config.checkpoint.folder == "checkpoints"
    assert isinstance(config.lr_scheduler, FlywheelLRSchedulers.Config)
    assert config.model_spec.parallelize_fn is parallelize_llama


def test_debug_model_flex_attention_no_bias_tokenizer_vocab(env):
    config = _parse(env["argv"])
    model_config = config.model_spec.model
    assert all(isinstance(layer.attention.inner_attention, FlexAttention.Config) for layer in model_config.layers)
    model_config.update_from_config(config=config)  # torchtitan's own check of seq_len against RoPE
    with torch.device("meta"):
        model = model_config.build()
    names = [n for n, _ in model.named_parameters()]
    assert not [n for n in names if "bias" in n]
    # dim 256, 6 layers, SwiGLU hidden 768 (8/3 * 256 rounded up to 256), vocab 512 untied:
    # 2 * 512 * 256 + final norm 256 + 6 * (4 * 256^2 + 3 * 256 * 768 + 2 * 256) = 5,377,280
    assert sum(p.numel() for p in model.parameters()) == 5_377_280


def test_1b_preset_llama32_shape_about_1b_params(env, tmp_path):
    argv = _argv(tmp_path / "big", env["cfg"], vocab=32768, max_steps=5000)
    model_config = build_config("1b", argv).model_spec.model
    with torch.device("meta"):
        model = model_config.build()
    assert model.lm_head.weight is model.tok_embeddings.weight  # tied
    # per layer: wq 2048^2 + wk, wv 2048 * 512 (8 kv heads of 64) + wo 2048^2 = 10,485,760;
    # SwiGLU 3 * 2048 * 8192 = 50,331,648; norms 4,096. 16 layers + embedding 32768 * 2048 + norm 2048:
    assert sum(p.numel() for p in model.parameters()) == 16 * 60_821_504 + 67_108_864 + 2_048 == 1_040_254_976


def _loader(config, rank=0, world=1) -> FlywheelDataLoader:
    # The keyword arguments torchtitan's Trainer.__init__ passes to config.dataloader.build.
    return config.dataloader.build(dp_world_size=world, dp_rank=rank, tokenizer=None,
                                   seq_len=config.training.seq_len, local_batch_size=config.training.local_batch_size,
                                   snapshot_every_n_steps=None)


def test_loader_is_base_dataloader_yielding_model_inputs(env):
    config = _parse(env["argv"])
    loader = _loader(config, rank=1, world=2)
    assert isinstance(loader, BaseDataLoader) and isinstance(loader, Stateful)
    inputs, labels = next(iter(loader))
    assert sorted(inputs) == ["category_ids", "input", "positions"]
    assert all(v.shape == (2, SEQ_LEN) and v.dtype == torch.int64 for v in (*inputs.values(), labels))
    blocks = env["chunks"][0].blocks.to_pylist()
    for row, (chunk_id, block_id) in enumerate(loader.last_block_ids):
        assert chunk_id == 0
        tokens = blocks[block_id]["tokens"]
        assert inputs["input"][row].tolist() == tokens[:-1]
        kept = labels[row] != -100
        assert labels[row][kept].tolist() == torch.tensor(tokens[1:])[kept].tolist()
    assert loader.categories == ["code", "web"]


def test_loader_state_per_rank_key_resumes_next_batch(env):
    config = _parse(env["argv"])
    first = _loader(config)
    batches = iter(first)
    next(batches)
    state = first.state_dict()
    assert list(state) == ["dp_rank_0"] and isinstance(state["dp_rank_0"], str)
    expected = next(batches)
    resumed = _loader(config)
    resumed.load_state_dict(state)
    got = next(iter(resumed))
    assert torch.equal(got[1], expected[1]) and all(torch.equal(got[0][k], expected[0][k]) for k in expected[0])


def test_loader_seq_len_other_than_blocks_refused(env):
    config = _parse(env["argv"])
    with pytest.raises(ConfigError, match="training.seq_len=128 but mix.seq_len=64"):
        config.dataloader.build(dp_world_size=1, dp_rank=0, tokenizer=None, seq_len=128, local_batch_size=2)


class _TrainState(Stateful):
    def __init__(self):
        self.step = 0

    def state_dict(self):
        return {"step": self.step}

    def load_state_dict(self, state):
        self.step = state["step"]


def _manager(config, loader, run_dir):
    model = torch.nn.Linear(4, 4, bias=False)
    optimizers = OptimizersContainer.Config(param_groups=[ParamGroupConfig(
        pattern=".*", optimizer_name="AdamW", optimizer_kwargs={"lr": 1e-3})], implementation="for-loop"
    ).build(model_parts=[model])
    schedulers = config.lr_scheduler.build(optimizers=optimizers, training_steps=config.training.steps)
    state = _TrainState()
    manager = config.checkpoint.build(dataloader=loader, model_parts=[model], optimizers=optimizers,
                                      lr_schedulers=schedulers, states={"train_state": state}, sd_adapter=None,
                                      base_folder=config.dump_folder)
    return manager, state


@pytest.fixture
def one_rank(tmp_path):
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'pg'}", rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def test_checkpoint_manager_init_latest_and_loader_resume(env, one_rank):
    config = _parse(env["argv"])
    loader = _loader(config)
    manager, state = _manager(config, loader, env["run"])
    root = checkpoints_dir(env["run"])
    assert manager.load() is False  # fresh run: nothing to resume, `init` written
    assert (root / "LATEST").read_text() == "init\n"
    batches = iter(loader)
    for _ in range(3):
        next(batches)
    state.step = 3
    assert manager.save(3) is False  # train.checkpoint.every_steps is null: no periodic save
    manager.save_named("chunk-0")
    assert (root / "LATEST").read_text() == "chunk-0\n"
    expected = next(batches)

    fresh_loader = _loader(config)
    fresh, fresh_state = _manager(config, fresh_loader, env["run"])
    assert fresh.load() is True and fresh_state.step == 3
    got = next(iter(fresh_loader))
    assert torch.equal(got[0]["input"], expected[0]["input"])
    manager.close()
    fresh.close()


def test_lr_schedulers_follow_flywheel_schedule(env):
    config = _parse([*env["argv"], "--flywheel.overrides",
                     "train.schedule.warmup_steps=2,train.schedule.total_steps=4,train.schedule.min_lr_ratio=0.1"])
    model = torch.nn.Linear(2, 2, bias=False)
    optimizers = OptimizersContainer.Config(param_groups=[ParamGroupConfig(
        pattern=".*", optimizer_name="AdamW", optimizer_kwargs={"lr": 1.0})], implementation="for-loop"
    ).build(model_parts=[model])
    schedulers = config.lr_scheduler.build(optimizers=optimizers, training_steps=config.training.steps)
    lrs = []
    for _ in range(5):
        lrs.append(optimizers.optimizers[0].param_groups[0]["lr"])
        optimizers.step()
        schedulers.step()
    # warmup (s + 1) / 2, then cosine from 1 to 0.1 over steps 2..4: 1, 0.1 + 0.9 * (1 + cos(pi/2)) / 2, 0.1
    assert lrs == pytest.approx([0.5, 1.0, 1.0, 0.55, 0.1])


def test_split_category_ids_model_inputs_without_them():
    ids = torch.zeros(1, 3, dtype=torch.int64)
    rest, category_ids = split_category_ids({"input": ids, "positions": ids, "category_ids": ids + 1})
    assert sorted(rest) == ["input", "positions"] and torch.equal(category_ids, ids + 1)


def test_tensor_parallel_refused_naming_the_key():
    with pytest.raises(ConfigError, match="parallelism.tensor_parallel_degree=2"):
        check_parallelism(ParallelismConfig(tensor_parallel_degree=2))
    check_parallelism(ParallelismConfig(data_parallel_shard_degree=-1))


def test_grad_clip_null_means_no_clipping(env, tmp_path):
    argv = _argv(tmp_path / "noclip", env["cfg"])
    assert build_config("debug", argv + ["--flywheel.overrides", "train.optim.grad_clip=null"]).training.max_norm == math.inf
