"""The training plan of `mix.phases`: which chunks each phase owns (stdlib only).

Both sides read it: the mix job draws chunk k with the settings of its phase, and the
trainer's wsd schedule puts its decay on the chunks of `train.schedule.decay_phase`. A phase
owns `chunks` consecutive chunks, or ceil(tokens / chunk tokens) when given in `tokens`
(chunk tokens = mix.chunk_tokens rounded down to whole blocks of seq_len + 1).

>>> from conf import load_config
>>> [(s.name, s.first, s.count) for s in phase_spans(load_config().mix)]
[('warmup', 0, 1), ('stable', 1, 8), ('anneal', 9, 1)]
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conf.errors import UserError

if TYPE_CHECKING:
    from conf.schema import MixConfig, MixPhaseConfig


class PastLastPhaseError(UserError, ValueError):
    """A chunk was asked for beyond the chunks `mix.phases` plans."""


@dataclass(frozen=True)
class PhaseSpan:
    """The chunks [first, first + count) of phase `index` of `mix.phases`."""

    index: int
    name: str
    first: int
    count: int
    phase: "MixPhaseConfig"

    @property
    def end(self) -> int:
        return self.first + self.count


def chunk_tokens(mix: "MixConfig") -> int:
    """Tokens of every chunk: mix.chunk_tokens rounded down to whole blocks of seq_len + 1."""
    return mix.chunk_tokens // (mix.seq_len + 1) * (mix.seq_len + 1)


def check_phases(mix: "MixConfig") -> None:
    """ValueError naming the key (`mix.phases[i].chunks` …) for a plan that cannot work."""
    names = set()
    for i, p in enumerate(mix.phases):
        key = f"mix.phases[{i}]"
        if not p.name:
            raise ValueError(f"config key '{key}.name' must not be empty")
        if p.name in names:
            raise ValueError(f"config key '{key}.name': phase {p.name!r} is listed twice")
        names.add(p.name)
        if (p.chunks is None) == (p.tokens is None):
            raise ValueError(f"config key '{key}': set exactly one of '{key}.chunks' and '{key}.tokens'")
        size, what = (p.chunks, "chunks") if p.chunks is not None else (p.tokens, "tokens")
        if size <= 0:
            raise ValueError(f"config key '{key}.{what}' must be positive, got {size}")
        q = p.min_quality_quantile
        if q is not None and not 0.0 <= q < 1.0:
            raise ValueError(f"config key '{key}.min_quality_quantile' must be in [0, 1), got {q}")
        if any(v < 0 for v in p.target_shares.values()) or (p.target_shares and sum(p.target_shares.values()) <= 0):
            raise ValueError(f"config key '{key}.target_shares' must be >= 0 with a positive sum, got {p.target_shares}")
        bad = {g: n for g, n in p.max_repeats.items() if n < 1}
        if bad:
            raise ValueError(f"config key '{key}.max_repeats' must be >= 1 per group, got {bad}")
    a = mix.adapt
    if a is not None:
        if a.eta <= 0:
            raise ValueError(f"config key 'mix.adapt.eta' must be positive, got {a.eta}")
        if not 0.0 <= a.min_share <= a.max_share <= 1.0:
            raise ValueError(f"config keys 'mix.adapt.min_share' ({a.min_share}) and 'mix.adapt.max_share' "
                             f"({a.max_share}) need 0 <= min_share <= max_share <= 1")


def phase_spans(mix: "MixConfig") -> list[PhaseSpan]:
    """The phases of `mix.phases` with the chunk ids each owns, in order ([] without phases)."""
    per_chunk = chunk_tokens(mix)
    spans, first = [], 0
    for i, p in enumerate(mix.phases):
        count = p.chunks if p.chunks is not None else math.ceil(p.tokens / max(per_chunk, 1))
        spans.append(PhaseSpan(i, p.name, first, count, p))
        first += count
    return spans


def phase_of_chunk(mix: "MixConfig", chunk_id: int) -> PhaseSpan | None:
    """The phase chunk `chunk_id` belongs to; None without phases; ValueError past the last one."""
    spans = phase_spans(mix)
    if not spans:
        return None
    for span in spans:
        if span.first <= chunk_id < span.end:
            return span
    raise PastLastPhaseError(f"chunk {chunk_id} lies past the last phase of mix.phases ({spans[-1].end} chunks: "
                     + ", ".join(f"{s.name} {s.first}-{s.end - 1}" for s in spans)
                     + "): lengthen a phase or add one")


def find_phase(mix: "MixConfig", name: str) -> PhaseSpan | None:
    """The span of the phase called `name`, or None when the plan has none."""
    return next((s for s in phase_spans(mix) if s.name == name), None)
