"""GPU backend: torchtitan 0.3.0's own Trainer, fed by our loader and driven by trainer/lifecycle.

    torchrun --nproc_per_node=8 -m torchtitan.train --module trainer.titan --config flywheel_1b \\
        [--flywheel.config_files my.yaml] [--flywheel.overrides train.run_dir=runs/a] [--training.steps 5000]

`--module trainer.titan` makes torchtitan's ConfigManager import this module and call the
function named by `--config`; it returns a `FlywheelTrainer.Config` (a `Trainer.Config` with a
`flywheel` section naming our YAML files), which `torchtitan.train` builds into
`FlywheelTrainer`. Components are torchtitan's, swapped by subclassing with a nested Config:

  FlywheelDataLoader      BaseDataLoader over trainer.data.BlockLoader: ({"input", "positions",
                          "category_ids"}, labels) Long[B, L]; per-rank state under "dataloader"
  FlywheelLRSchedulers    torchtitan's scheduler container with trainer/schedule.py's curve
  FlywheelCheckpointManager  DCP folders in <run_dir>/checkpoints named by trainer/lifecycle
                          (`init`, `chunk-<k>` never purged, `step-<n>`), resume from LATEST
  FlywheelMetricsProcessor  torchtitan's console/TensorBoard metrics, keeping the last logged
                          loss, grad norm and lr for the Prometheus gauges
  FlywheelTrainer         per step: per-token loss -> spike guard (before backward, so a spiky
                          step is never applied) -> channel loss -> `save` trigger -> chunk end;
                          rank 0 serves TRAIN_METRICS on `monitoring.trainer_listen`
                          (trainer/lifecycle/live_metrics.py; MFU from torchtitan's GPU table)

The model is torchtitan's Llama3 (trainer/model/llama.py) with FlexAttention: `positions`
restart at every document, and torchtitan's `post_dataloading_process` turns them into a
block-causal document mask. Parameters train in bf16 under FSDP2 mixed precision (fp32
master weights and reductions). Only data parallelism is supported (FSDP / HSDP): tensor,
pipeline and context parallel would shard the per-token losses the lifecycle reads.

Cost of the lifecycle on the GPU: per step one host sync (the spike decision needs the
loss before backward) and two 16-byte all-reduces; per log step one all-gather of category
names and one 24-byte all-reduce for the Prometheus window (tokens/s, data-wait share, MFU). The loss is computed unchunked from full logits (B x L x vocab floats), as torchtitan's
plain CrossEntropyLoss does, because the channel loss needs per-token values.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torchtitan.components.checkpoint import AsyncMode, CheckpointManager
from torchtitan.components.dataloader import BaseDataLoader
from torchtitan.components.loss import IGNORE_INDEX, CrossEntropyLoss
from torchtitan.components.metrics import MetricsProcessor
from torchtitan.components.optimizer import LRSchedulersContainer, OptimizersContainer
from torchtitan.components.optimizer.optimizer import ParamGroupConfig
from torchtitan.config import ParallelismConfig, TrainingConfig
from torchtitan.models.common.attention import FlexAttention
from torchtitan.models.llama3.parallelize import parallelize_llama
from torchtitan.protocols.model_spec import ModelSpec
from torchtitan.tools.logging import logger
from torchtitan.trainer import Trainer

from conf import ConfigError, load_config
from conf.schema import PipelineConfig
from conf.train_schema import TrainScheduleConfig
from trainer.data import BlockLoader
from trainer.lifecycle import (
    ChannelLoss, ChunkLedger, SaveTrigger, SpikeGuard, chunk_checkpoint_name, excluded_blocks, latest_checkpoint,
    mark_latest, per_block_loss, roll_back_on_spike, run_id, step_checkpoint_name, steps_to_purge,
    write_channel_losses)
from trainer.lifecycle.checkpoints import CHECKPOINTS_DIR, INIT_NAME
from trainer.lifecycle.collectives import rank
from trainer.lifecycle.live_metrics import LiveMetrics, known_peak_flops
from trainer.lifecycle.spike import SpikeDecision
from trainer.model import llama_config
from trainer.schedule import decay_window, lr_multiplier, total_steps
from tables.artifacts import tokenizer_dir
from trainer.vocab import chunks_tokenizer_version, padded_vocab_size

# Size presets: YAML overlays merged over conf/default.yaml (whose train.model is the debug shape).
PRESETS = {"debug": [], "1b": [str(Path(__file__).resolve().parents[1] / "conf" / "train_1b.yaml")]}
# Parameters without weight decay: norm gains and the embedding (as trainer/optim.py decides).
NO_DECAY_PATTERN = r"(norm\.weight|tok_embeddings\.weight)$"


@dataclass(kw_only=True, slots=True)
class FlywheelSection:
    """Which flywheel configuration the run trains with (the single source for model, data, lifecycle).

    On the command line both lists are comma-separated (torchtitan's rule for list[str] flags),
    so an override value cannot itself hold a comma: put such values in a YAML file.
    """

    preset_files: list[str] = field(default_factory=list)
    """YAML files of the size preset (set by the config function; merged first)."""
    config_files: list[str] = field(default_factory=list)
    """Your YAML files, merged over conf/default.yaml and the preset, in order."""
    overrides: list[str] = field(default_factory=list)
    """`section.key=value` overrides of the flywheel config, e.g. train.run_dir=runs/a."""

    def files(self) -> list[str]:
        return [*self.preset_files, *self.config_files]

    def load(self) -> PipelineConfig:
        return load_config(self.files(), list(self.overrides))


def argv_section(preset_files: list[str], argv: list[str]) -> FlywheelSection:
    """The flywheel section as `--flywheel.config_files` / `--flywheel.overrides` in `argv` will set it.

    torchtitan calls the `--config` function before it parses the command line, yet the model
    shape and the lr horizon come from those flags, so the function reads them here first (the
    way torchtitan itself reads `--module` and `--config`); tyro then sets the same values.
    """
    found: dict[str, list[str]] = {"config_files": [], "overrides": []}
    for i, arg in enumerate(argv):
        for name in found:
            for flag in (f"--flywheel.{name}", f"--flywheel.{name.replace('_', '-')}"):
                value = arg[len(flag) + 1:] if arg.startswith(flag + "=") else (
                    argv[i + 1] if arg == flag and i + 1 < len(argv) else None)
                if value is not None:
                    found[name] = [v for v in value.split(",") if v]
    return FlywheelSection(preset_files=list(preset_files), **found)


# ---- data ------------------------------------------------------------------------------------
class FlywheelDataLoader(BaseDataLoader):
    """torchtitan's dataloader protocol over `trainer.data.BlockLoader` (this rank's share of each ready chunk).

    >>> loader = FlywheelDataLoader.Config().build(dp_world_size=1, dp_rank=0, tokenizer=None,   # doctest: +SKIP
    ...                                            seq_len=2048, local_batch_size=8)
    >>> inputs, labels = next(iter(loader))     # inputs: input / positions / category_ids, Long[B, L]
    """

    @dataclass(kw_only=True, slots=True)
    class Config(BaseDataLoader.Config):
        config_files: list[str] = field(default_factory=list)
        """Flywheel YAML files (FlywheelTrainer copies the flywheel section's preset and config files here)."""
        overrides: list[str] = field(default_factory=list)
        """Flywheel overrides (FlywheelTrainer copies `flywheel.overrides` here)."""

    def __init__(self, config: Config, *, dp_world_size: int, dp_rank: int, tokenizer: Any = None, seq_len: int,
                 local_batch_size: int, snapshot_every_n_steps: int | None = None):
        cfg = load_config(list(config.config_files), list(config.overrides))
        for key, given, ours in (("training.seq_len", seq_len, ("mix.seq_len", cfg.mix.seq_len)),
                                 ("training.local_batch_size", local_batch_size,
                                  ("train.local_batch_size", cfg.train.local_batch_size))):
            if given != ours[1]:
                raise ConfigError(f"{key}={given} but {ours[0]}={ours[1]}: the blocks decide it, so set "
                                  f"{ours[0]} in the flywheel config and leave {key} to trainer.titan")
        name = run_id(cfg)
        self.blocks = BlockLoader(cfg, dp_rank=dp_rank, dp_world_size=dp_world_size,
                                  exclusions=lambda chunk_id: excluded_blocks(cfg, chunk_id=chunk_id, run_id=name))

    def __iter__(self) -> Iterator[tuple[dict[str, torch.Tensor], torch.Tensor]]:
        return iter(self.blocks)

    def state_dict(self) -> dict[str, str]:
        """{"dp_rank_<r>": JSON of the loader state}: DCP stores a string whole, whatever its lists hold."""
        return {key: json.dumps(value, sort_keys=True) for key, value in self.blocks.state_dict().items()}

    def load_state_dict(self, state_dict: dict[str, str]) -> None:
        if state_dict:  # empty: `dataloader` excluded from loading
            self.blocks.load_state_dict({key: json.loads(value) for key, value in state_dict.items()})

    def __getattr__(self, name: str) -> Any:
        # chunk_id, version, categories, last_block_ids, chunk_began, chunk_ended of the last batch
        if name == "blocks":
            raise AttributeError(name)
        return getattr(self.blocks, name)


def split_category_ids(input_dict: dict[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], torch.Tensor | None]:
    """The model's inputs without `category_ids` (not a model argument), and the category ids."""
    rest = dict(input_dict)
    return rest, rest.pop("category_ids", None)


# ---- schedule --------------------------------------------------------------------------------
class FlywheelLRSchedulers(LRSchedulersContainer):
    """torchtitan's LambdaLR container with trainer/schedule.py's multiplier: one lr curve for both backends.

    Reads `schedule_name`, `warmup_steps`, `total_steps`, `min_lr_factor` and `decay_fraction`;
    torchtitan's `decay_ratio` / `decay_type` are not used.
    """

    @dataclass(kw_only=True, slots=True)
    class Config(LRSchedulersContainer.Config):
        schedule_name: str = "cosine"
        """cosine | linear | wsd (train.schedule.name)."""
        decay_fraction: float = 0.2
        """wsd: the last share of total steps spent decaying (train.schedule.decay_fraction)."""
        decay_start: int | None = None
        """wsd: first decay step, the first step of train.schedule.decay_phase's chunks (schedule.decay_window)."""

        def build(self, *, optimizers: OptimizersContainer, training_steps: int) -> LRSchedulersContainer:
            total = self.total_steps if self.total_steps is not None else training_steps
            schedule = TrainScheduleConfig(name=self.schedule_name, warmup_steps=self.warmup_steps, total_steps=total,
                                           min_lr_ratio=self.min_lr_factor, decay_fraction=self.decay_fraction,
                                           decay_phase=None)
            return FlywheelLRSchedulers(optimizers, lr_multiplier(schedule, total, decay_start=self.decay_start))


# ---- checkpoints -----------------------------------------------------------------------------
class FlywheelCheckpointManager(CheckpointManager):
    """torchtitan's DCP manager with the run-folder rules of trainer/lifecycle/checkpoints.py.

    Resume reads LATEST only (a folder torchtitan would pick by its `step-<n>` pattern may be one
    a rollback abandoned); every save updates LATEST; `step-<n>` folders rotate by
    `train.checkpoint.keep_latest` while `init` and `chunk-<k>` stay; a fresh run first saves `init`.
    """

    @dataclass(kw_only=True, slots=True)
    class Config(CheckpointManager.Config):
        every_steps: int | None = None
        """Also save `step-<n>` every this many steps (train.checkpoint.every_steps); None = never."""
        keep_steps: int = 2
        """`step-<n>` checkpoints kept (train.checkpoint.keep_latest); torchtitan's keep_latest_k stays 0."""

        def __post_init__(self) -> None:
            CheckpointManager.Config.__post_init__(self)
            if self.folder != CHECKPOINTS_DIR:
                raise ValueError(f"checkpoint.folder must be {CHECKPOINTS_DIR!r} (trainer/lifecycle's layout), "
                                 f"got {self.folder!r}")
            if self.async_mode != "disabled":
                raise ValueError("checkpoint.async_mode must be 'disabled': LATEST may only name a finished save")

    def __init__(self, config: Config, **kwargs: Any):
        super().__init__(config, **kwargs)
        self.on_saved = lambda unix_time=None: None  # FlywheelTrainer points it at its LiveMetrics
        if self.enable:
            self.run_dir = Path(self.folder).parent
            self.every_steps, self.keep_steps = config.every_steps, config.keep_steps

    def _should_save(self, curr_step: int, last_step: bool = False) -> bool:
        if not self.enable or self.load_only:
            return False
        return last_step or (self.every_steps is not None and curr_step % self.every_steps == 0)

    def _save(self, curr_step: int, last_step: bool = False) -> bool:
        saved = super()._save(curr_step, last_step)
        if saved:
            self._after_save(step_checkpoint_name(curr_step))
        return saved

    def save_named(self, name: str) -> Path:
        """Collective: save the full training state as `<run_dir>/checkpoints/<name>` and point LATEST at it."""
        path = Path(self.folder) / name
        self.dcp_save(self._flattened_model_states_sd(), checkpoint_id=str(path), async_mode=AsyncMode.DISABLED,
                      enable_garbage_collection=True)
        self._after_save(name)
        return path

    def load_path(self, path: Path) -> None:
        """Collective: restore model, optimiser, scheduler, loader and train state from `path`."""
        self.dcp_load(self._states_to_load(model_only=False), checkpoint_id=str(path), from_hf=False,
                      from_quantized=False)

    def _after_save(self, name: str) -> None:
        self.on_saved()
        if rank() == 0:
            mark_latest(self.run_dir, name)
            for old in steps_to_purge(self.run_dir, self.keep_steps):
                shutil.rmtree(old)

    def _find_load_step(self, folder: str = "") -> int:
        return -1  # resume is LATEST's decision (see _load), never "the highest step-<n>"

    def _load(self, step: int = -1) -> bool:
        latest = latest_checkpoint(self.run_dir) if step == -1 else None
        if latest is not None:
            logger.info(f"Resuming from {latest} (checkpoints/LATEST)")
            self.load_path(latest)
            self.on_saved(latest.stat().st_mtime)
            return True
        loaded = super()._load(step)  # an explicit load_step or checkpoint.initial_load_path
        if latest_checkpoint(self.run_dir) is None:
            self.save_named(INIT_NAME)  # the rollback target of a spike inside the first chunk
        return loaded


# ---- metrics ---------------------------------------------------------------------------------
class FlywheelMetricsProcessor(MetricsProcessor):
    """torchtitan's MetricsProcessor that also keeps what it logged last: (step, loss, grad norm, lr).

    torchtitan computes the global loss and the grad norm inside `Trainer.train_step` and hands
    them only to `log`; FlywheelTrainer reads them from `last` for the Prometheus gauges.
    """

    @dataclass(kw_only=True, slots=True)
    class Config(MetricsProcessor.Config):
        pass

    def __init__(self, config: Config, **kwargs: Any):
        super().__init__(config, **kwargs)
        self.last: tuple[int, float, float, float] | None = None

    def log(self, step: int, global_avg_loss: float, global_max_loss: float, grad_norm: float,
            extra_metrics: dict[str, Any] | None = None):
        lrs = [v for k, v in (extra_metrics or {}).items() if k.startswith("lr/")]
        self.last = (step, global_avg_loss, grad_norm, lrs[-1] if lrs else math.nan)
        super().log(step, global_avg_loss, global_max_loss, grad_norm, extra_metrics=extra_metrics)


# ---- the trainer -----------------------------------------------------------------------------
@dataclass
class _Batch:
    """One step's batch as the lifecycle needs it (one batch per step: no gradient accumulation)."""

    chunk_id: int
    version: int
    categories: list[str]
    block_ids: list[tuple[int, int]]
    began: bool
    ended: bool
    category_ids: torch.Tensor | None = None


class _SpikeStep(Exception):
    """Raised between forward and backward of a spiking step; caught by FlywheelTrainer.train_step."""

    def __init__(self, decision: SpikeDecision, sums: torch.Tensor, tokens: torch.Tensor):
        super().__init__(f"loss spike {decision.loss} > {decision.limit}")
        self.decision, self.sums, self.tokens = decision, sums, tokens


class FlywheelTrainer(Trainer):
    """torchtitan's Trainer calling trainer/lifecycle at the same moments as the CPU loop."""

    @dataclass(kw_only=True, slots=True)
    class Config(Trainer.Config):
        flywheel: FlywheelSection = field(default_factory=FlywheelSection)
        """Flywheel YAML files and overrides: model shape, data, spike guard, save trigger, run folder."""
        flavor: str = "debug"
        """Size preset the config function started from (debug | 1b); informational."""

    def __init__(self, config: Config):
        cfg = config.flywheel.load()
        # One source of truth: what the flywheel config decides is re-derived after the CLI.
        config.model_spec = model_spec(cfg, config.flavor)
        config.dataloader.config_files = config.flywheel.files()
        config.dataloader.overrides = list(config.flywheel.overrides)
        check_parallelism(config.parallelism)
        super().__init__(config)
        if self.gradient_accumulation_steps != 1:
            raise ConfigError(f"trainer.titan trains one batch per step (a chunk ends on a step), but "
                              f"training.global_batch_size gives {self.gradient_accumulation_steps} accumulation "
                              "steps: leave --training.global_batch_size at -1")
        self.cfg, self.run_dir, self.run_name = cfg, Path(cfg.train.run_dir), run_id(cfg)
        self.ledger = ChunkLedger(cfg, self.run_dir)
        self.trigger = SaveTrigger(cfg.train.save, run_dir=self.run_dir)
        self.guard = SpikeGuard(cfg.train.spike)
        self.channels = ChannelLoss()
        self.recent: deque[float] = deque(maxlen=cfg.train.log_every)  # losses of the last log window
        self.chunks_done = 0
        self._fetched: deque[_Batch] = deque()
        self._batch: _Batch | None = None
        peak = known_peak_flops(torch.cuda.get_device_name(self.device)) if self.device.type == "cuda" else None
        self.live = LiveMetrics(cfg, rank=rank(), world_size=dist.get_world_size() if dist.is_initialized() else 1,
                                flops_per_token=self.metrics_processor.num_flops_per_token, device_peak_flops=peak)
        self.checkpointer.on_saved = self.live.checkpoint_saved

    # -- data hooks --
    def batch_generator(self, data_iterable: Iterable) -> Iterator[tuple[dict[str, torch.Tensor], torch.Tensor]]:
        source = super().batch_generator(data_iterable)
        while True:
            waited = time.perf_counter()
            try:
                input_dict, labels = next(source)
            except StopIteration:
                return
            self.live.batch_loaded(time.perf_counter() - waited, tokens=labels.numel())  # as torchtitan counts
            d = self.dataloader
            self._fetched.append(_Batch(d.chunk_id, d.version, list(d.categories), list(d.last_block_ids),
                                        d.chunk_began, d.chunk_ended))
            yield input_dict, labels

    def post_dataloading_process(self, input_dict, labels):
        input_dict, category_ids = split_category_ids(input_dict)
        self._batch = self._fetched.popleft()
        self._batch.category_ids = category_ids
        return super().post_dataloading_process(input_dict, labels)

    # -- step --
    def _forward_backward_body(self, inputs, labels, global_valid_tokens, extra_kwargs):
        with self.train_context():
            logits = self.model_parts[0](inputs, **extra_kwargs)  # (B, L, vocab)
            token_loss = F.cross_entropy(logits.flatten(0, 1).float(), labels.flatten(0, 1), reduction="none",
                                         ignore_index=IGNORE_INDEX).view_as(labels)
            del logits
            sums, tokens = per_block_loss(token_loss, labels)
            decision = self.guard.check(sums.sum(), tokens.sum())  # collective; one host sync
            if decision.spike:
                raise _SpikeStep(decision, sums.cpu(), tokens.cpu())
            self._decision = decision
            self.channels.add(token_loss.detach(), self._batch.category_ids.to(token_loss.device),
                              self._batch.categories)
            loss = token_loss.sum() / global_valid_tokens  # torchtitan's normalisation: sum / global tokens
            loss.backward()
        return loss

    def train_step(self, data_iterator):
        try:
            super().train_step(data_iterator)
        except _SpikeStep as spike:
            self._roll_back(spike)
            return
        batch = self._batch
        self.live.step_done()
        if batch.began:
            self._begin_chunk(batch.chunk_id)
        self.recent.append(self._decision.loss)
        if self.metrics_processor.should_log(self.step):
            self._log_step(batch.chunk_id)
        if self.trigger.requested(self.step):
            self.checkpointer.save_named(step_checkpoint_name(self.step))
            self.trigger.done()
        if batch.ended:
            self._end_chunk(batch.chunk_id)

    def should_continue_training(self) -> bool:
        limit = self.cfg.train.max_chunks
        return super().should_continue_training() and (limit is None or self.chunks_done < limit)

    # -- lifecycle --
    def _begin_chunk(self, chunk_id: int) -> None:
        if rank() == 0:
            self.ledger.start(chunk_id)
            logger.info(f"chunk {chunk_id}: training")

    def _end_chunk(self, chunk_id: int) -> None:
        path = self.checkpointer.save_named(chunk_checkpoint_name(chunk_id))
        loss = sum(self.recent) / len(self.recent) if self.recent else None
        if rank() == 0:
            self.ledger.finish(chunk_id, step=self.step, loss=loss, checkpoint=path)
            logger.info(f"chunk {chunk_id}: trained at step {self.step}, checkpoint {path.name}")
        self.chunks_done += 1

    def _log_step(self, chunk_id: int) -> None:
        means = self.channels.reduce()  # collective
        _, loss, grad_norm, lr = self.metrics_processor.last
        window = self.live.log_step(step=self.step, chunk_id=chunk_id, loss=loss, grad_norm=grad_norm, lr=lr,
                                    channels=means)  # collective
        if rank() == 0:
            # torchtitan's own step line has no chunk and no learning rate: this one has both.
            logger.info(f"step {self.step} chunk {chunk_id} loss {loss:.4f} "
                        f"tok/s {window.tokens_per_second:,.0f} lr {lr:.3e}")
        if rank() == 0 and means:
            write_channel_losses(self.cfg, means, run_id=self.run_name, step=self.step, chunk_id=chunk_id)
            logger.info("channel loss: " + ", ".join(f"{k} {v[0]:.4f} ({v[1]} tok)" for k, v in means.items()))

    def _roll_back(self, spike: _SpikeStep) -> None:
        batch = self._batch
        self.optimizers.zero_grad()
        self.live.spike()
        plan = roll_back_on_spike(self.cfg, self.guard, spike.decision, run_dir=self.run_dir, run_id=self.run_name,
                                  chunk_id=batch.chunk_id, step=self.step, block_ids=batch.block_ids,
                                  loss_sums=spike.sums, tokens=spike.tokens, blocks_version=batch.version)
        if plan.target is None:  # FlywheelCheckpointManager saves `init` before the first step
            raise RuntimeError(f"spike at step {self.step} but {self.run_dir} has no checkpoint to return to")
        logger.warning(f"spike at step {self.step}: loss {spike.decision.loss:.4f} > {spike.decision.limit}; "
                       f"rolling back to {plan.target.name}, skipping blocks {plan.skip_blocks}")
        self.checkpointer.load_path(plan.target)  # restores self.step and the loader position too
        self._fetched.clear()
        self.recent.clear()
        self.channels.reduce()  # drop the half-filled window (collective on every rank alike)

    def close(self) -> None:
        super().close()
        if hasattr(self, "live"):
            self.live.close()

    # -- train state: torchtitan's plus the spike window --
    def state_dict(self) -> dict[str, Any]:
        window = self.guard.state_dict()
        return {**super().state_dict(), "spike_guard": json.dumps(
            {"format": window["format"], "window": window["window"].tolist()})}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        saved = json.loads(state_dict["spike_guard"])
        self.guard.load_state_dict({"format": saved["format"],
                                    "window": torch.tensor(saved["window"], dtype=torch.float64)})


def check_parallelism(p: ParallelismConfig) -> None:
    """ConfigError unless only data parallelism (FSDP / HSDP) is asked for."""
    for key in ("tensor_parallel_degree", "pipeline_parallel_degree", "context_parallel_degree",
                "expert_parallel_degree"):
        if getattr(p, key, 1) != 1:
            raise ConfigError(f"parallelism.{key}={getattr(p, key)}: trainer.titan supports data parallelism only "
                              "(the lifecycle reads whole per-token losses on each rank)")


# ---- config functions ------------------------------------------------------------------------
def model_spec(cfg: PipelineConfig, flavor: str) -> ModelSpec:
    """torchtitan's ModelSpec of `train.model` with FlexAttention, the tokenizer's vocab and mix.seq_len."""
    vocab = padded_vocab_size(cfg, chunks_tokenizer_version(cfg))
    model = llama_config(cfg.train.model, vocab_size=vocab, seq_len=cfg.mix.seq_len,
                         inner_attention=FlexAttention.Config())
    return ModelSpec(name="flywheel_llama3", flavor=flavor, model=model, parallelize_fn=parallelize_llama,
                     pipelining_fn=None, post_optimizer_build_fn=None, state_dict_adapter=None)


def _adamw(cfg: PipelineConfig) -> OptimizersContainer.Config:
    o = cfg.train.optim
    common = {"lr": o.lr, "betas": tuple(o.betas), "eps": o.eps}
    return OptimizersContainer.Config(param_groups=[
        ParamGroupConfig(pattern=NO_DECAY_PATTERN, optimizer_name="AdamW",
                         optimizer_kwargs={**common, "weight_decay": 0.0}),
        ParamGroupConfig(pattern=r".*", optimizer_name="AdamW",
                         optimizer_kwargs={**common, "weight_decay": o.weight_decay}),
    ])


def build_config(flavor: str, argv: list[str] | None = None) -> FlywheelTrainer.Config:
    """The full torchtitan config of size preset `flavor` (debug | 1b), with the flywheel flags of `argv`
    (default: this process's command line)."""
    section = argv_section(PRESETS[flavor], sys.argv[1:] if argv is None else argv)
    cfg = section.load()
    t = cfg.train
    spec = model_spec(cfg, flavor)
    # Only data parallelism runs here, so the dp world is torchrun's WORLD_SIZE.
    window = decay_window(cfg, int(os.environ.get("WORLD_SIZE", "1")))
    horizon = window[1] if window else total_steps(t)
    return FlywheelTrainer.Config(
        flywheel=section,
        flavor=flavor,
        model_spec=spec,
        hf_assets_path=str(tokenizer_dir(cfg) / chunks_tokenizer_version(cfg)),
        dump_folder=t.run_dir,
        dataloader=FlywheelDataLoader.Config(config_files=section.files(), overrides=list(section.overrides)),
        loss=CrossEntropyLoss.Config(global_vocab_size=spec.model.vocab_size),
        optimizer=_adamw(cfg),
        lr_scheduler=FlywheelLRSchedulers.Config(
            schedule_name=t.schedule.name, warmup_steps=t.schedule.warmup_steps, total_steps=horizon,
            min_lr_factor=t.schedule.min_lr_ratio, decay_fraction=t.schedule.decay_fraction,
            decay_start=window[0] if window else None),
        training=TrainingConfig(
            local_batch_size=t.local_batch_size, seq_len=cfg.mix.seq_len, global_batch_size=-1,
            steps=t.max_steps if t.max_steps is not None else horizon,
            max_norm=t.optim.grad_clip if t.optim.grad_clip is not None else math.inf,
            mixed_precision_param="bfloat16", disable_cuda_graphs=True),  # host-side lifecycle in the step
        metrics=FlywheelMetricsProcessor.Config(log_freq=t.log_every),
        checkpoint=FlywheelCheckpointManager.Config(
            enable=True, folder=CHECKPOINTS_DIR, keep_latest_k=0, last_save_model_only=False,
            every_steps=t.checkpoint.every_steps, keep_steps=t.checkpoint.keep_latest),
    )


def flywheel_debug() -> FlywheelTrainer.Config:
    """`--config flywheel_debug`: conf/default.yaml's train.model (torchtitan's debug shape)."""
    return build_config("debug")


def flywheel_1b() -> FlywheelTrainer.Config:
    """`--config flywheel_1b`: the Llama 3.2 1B shape of conf/train_1b.yaml."""
    return build_config("1b")
