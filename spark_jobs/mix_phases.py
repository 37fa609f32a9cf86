"""The mix's side of the training plan: chunk k's phase, its settings and its quality floor.

`mix.phases` (conf/mix_phases.py) says which phase owns chunk k; that phase's target shares
(or mix.target_shares when it gives none) and its repetition caps (merged over mix.max_repeats)
replace the mix-wide ones for the chunk, and its quality floor (udfs/mix_quality.py) leaves
out the documents below it before the draw. The `chunks` row records the phase and the floors.
"""
from __future__ import annotations

import dataclasses
import json

import pyarrow as pa

from conf.mix_phases import PhaseSpan, phase_of_chunk
from conf.schema import MixConfig
from udfs.mix_plan import Mixing
from udfs.mix_quality import apply_quality_floor


def chunk_settings(mc: MixConfig, chunk_id: int) -> tuple[PhaseSpan | None, MixConfig]:
    """(phase of chunk `chunk_id` or None, the mix settings it is drawn with)."""
    span = phase_of_chunk(mc, chunk_id)
    if span is None:
        return None, mc
    p = span.phase
    return span, dataclasses.replace(mc, target_shares=dict(p.target_shares or mc.target_shares),
                                     max_repeats={**mc.max_repeats, **p.max_repeats})


def quality_floor(cands: pa.Table, mixing: Mixing, span: PhaseSpan | None) -> tuple[pa.Table, dict | None]:
    """(candidates above the phase's floor, {group: floor}); the candidates unchanged without a floor."""
    if span is None or span.phase.min_quality_quantile is None:
        return cands, None
    return apply_quality_floor(cands, mixing.groups, span.phase.min_quality_quantile)


def phase_fields(span: PhaseSpan | None, floors: dict | None) -> dict:
    """The `chunks` columns of the plan: phase name and quality floors (JSON)."""
    return {"phase": span.name if span else None,
            "quality_floor": json.dumps(floors, sort_keys=True) if floors is not None else None}
