"""Typed shape of the `train:` section of `conf/default.yaml` (trainer/, both backends).

The sequence length is `mix.seq_len` (blocks hold seq_len + 1 tokens) and the vocabulary is the
tokenizer's padded vocab (read from the tokenizer artifact), so neither is repeated here. As in
`conf/schema.py`, no field has a default: every value lives in the YAML.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class TrainModelConfig:
    """A torchtitan Llama3 decoder (no biases, RoPE, SwiGLU, RMSNorm) built from these numbers."""
    dim: int
    """Model width; a multiple of n_heads (head dim = dim / n_heads)."""
    n_layers: int
    """Transformer blocks; each block is one FSDP2 unit."""
    n_heads: int
    """Query heads."""
    n_kv_heads: int | None
    """Key/value heads (grouped-query attention); null = n_heads (plain multi-head)."""
    ffn_multiple_of: int
    """SwiGLU hidden size is rounded up to a multiple of this (torchtitan `compute_ffn_hidden_dim`)."""
    ffn_dim_multiplier: float | None
    """Scales the SwiGLU hidden size (Llama 3 1B: 1.5); null = 1."""
    rope_theta: float
    """RoPE base frequency (Llama 3: 500,000)."""
    norm_eps: float
    """RMSNorm epsilon."""
    weight_tying: bool
    """Share the embedding and output matrices (Llama 3.2 1B/3B do)."""
    init_std: float
    """Std of the truncated-normal init of the linear layers (output projections scaled by depth)."""


@dataclass(frozen=True, kw_only=True)
class TrainOptimConfig:
    """AdamW with decoupled weight decay and global-norm gradient clipping."""
    lr: float
    """Peak learning rate (after warmup)."""
    betas: list[float]
    """AdamW (beta1, beta2); DESIGN: (0.9, 0.95)."""
    eps: float
    """AdamW epsilon."""
    weight_decay: float
    """Decoupled weight decay of matrices; norms and embeddings get none."""
    grad_clip: float | None
    """Clip the global gradient norm to this (DESIGN: 1.0); null = no clipping."""


@dataclass(frozen=True, kw_only=True)
class TrainScheduleConfig:
    """Learning-rate multiplier over steps: linear warmup, then the decay named by `name`."""
    name: str
    """cosine | linear | wsd (warmup-stable-decay: flat at the peak, then a linear decay at the end)."""
    warmup_steps: int
    """Steps of linear warmup from lr/warmup_steps up to lr."""
    total_steps: int | None
    """Steps over which the schedule runs to min_lr_ratio; null = train.max_steps."""
    min_lr_ratio: float
    """Final learning rate as a share of the peak (e.g. 0.1)."""
    decay_fraction: float
    """wsd only: the last share of total_steps spent decaying (e.g. 0.2)."""
    decay_phase: str | None
    """wsd only: decay exactly over the chunks of this `mix.phases` phase (e.g. anneal), the steps
    counted from the chunks' blocks, batch size and data-parallel world; it then sets the horizon and
    replaces total_steps and decay_fraction. null, or a plan without that phase = decay_fraction."""


@dataclass(frozen=True, kw_only=True)
class TrainDataConfig:
    """The loader over `blocks` (trainer/data): one chunk at a pinned Delta version at a time."""
    prefetch_batches: int
    """Batches a background thread prepares ahead; bounds loader memory (not the chunk size)."""
    poll_seconds: float
    """When no chunk is `ready`, look again after this many seconds (one log line per wait)."""
    max_wait_seconds: float | None
    """Stop training when no chunk became ready for this long; null = wait forever."""
    read_blocks: int
    """Blocks per Arrow record batch read from Parquet (memory per read ~ read_blocks x (seq_len + 1) x 4 bytes,
    ~8x that once prepared as int64 inputs, labels, positions and category ids)."""
    read_buffer_bytes: int
    """Parquet column data is read through a buffer of this size instead of pre-buffering whole column chunks
    (the reader still decodes one row group at a time)."""


@dataclass(frozen=True, kw_only=True)
class TrainSpikeConfig:
    """Loss-spike guard (trainer/lifecycle): decided identically on all ranks via an all-reduce."""
    rule: str | None
    """zscore | ratio; null = no guard."""
    window: int
    """Recent step losses the rule compares against."""
    max_zscore: float
    """zscore: a loss more than this many standard deviations above the window mean is a spike."""
    max_ratio: float
    """ratio: a loss above this multiple of the window mean is a spike."""
    min_steps: int
    """No decision before this many losses are in the window (early losses fall fast)."""
    on_spike: str
    """retry (roll back to the last chunk checkpoint and re-run the chunk) | skip_blocks (roll back,
    leave out the fewest highest-loss blocks of the step that explain the spike, write their doc
    ids to excluded_docs, re-run the chunk without them)."""
    max_rollbacks: int
    """More rollbacks than this in one run stop it with an error (the data or the lr is broken)."""


@dataclass(frozen=True, kw_only=True)
class TrainSaveConfig:
    """The `save` trigger: a file in the run folder makes all ranks checkpoint at the next step."""
    file_name: str
    """Name of the trigger file inside train.run_dir; removed once the checkpoint is written."""
    check_every: int
    """Look for the file every this many steps (one all-reduce so all ranks agree)."""


@dataclass(frozen=True, kw_only=True)
class TrainCheckpointConfig:
    """DCP checkpoints in `<run_dir>/checkpoints`: `chunk-<k>` at every chunk end (never deleted),
    `step-<n>` on the save trigger and every `every_steps`."""
    every_steps: int | None
    """Also checkpoint every this many steps (resume point inside a chunk); null = never."""
    keep_latest: int
    """`step-<n>` checkpoints kept (older ones deleted); `chunk-<k>` ones are never deleted."""


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """The trainer: CPU FSDP2 loop (trainer/train.py) and GPU torchtitan module (trainer/titan.py)."""
    run_dir: str
    """Folder of this run: checkpoints, the `save` trigger file, the metrics log."""
    run_id: str | None
    """Name written to train_metrics and excluded_docs; null = the last part of run_dir."""
    seed: int
    """Seed of the model init and of the loader's block order (same seed, same run)."""
    local_batch_size: int
    """Blocks per rank per step (global batch = this x data-parallel ranks)."""
    max_steps: int | None
    """Stop after this many optimiser steps; null = when no chunk is left to train."""
    max_chunks: int | None
    """Stop after this many chunks finished in this run; null = no limit."""
    log_every: int
    """Log (loss, lr, tokens/s, channel losses) every this many steps."""
    nproc_per_node: int
    """Processes `flywheel train` starts on this machine (torchrun --nproc_per_node)."""
    threads_per_process: int
    """OMP_NUM_THREADS of each process `flywheel train` starts (torchrun's own default is 1)."""
    model: TrainModelConfig
    optim: TrainOptimConfig
    schedule: TrainScheduleConfig
    data: TrainDataConfig
    spike: TrainSpikeConfig
    save: TrainSaveConfig
    checkpoint: TrainCheckpointConfig
