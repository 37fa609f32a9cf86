"""The training plan of mix.phases: chunk ranges worked out by hand, errors that name the key."""
import pytest

from conf import ConfigError, load_config
from conf.mix_phases import PastLastPhaseError, find_phase, phase_of_chunk, phase_spans


def _phase(name, chunks=None, tokens=None, quantile="null", shares="{}"):
    c = "null" if chunks is None else chunks
    t = "null" if tokens is None else tokens
    return (f"{{name: {name}, chunks: {c}, tokens: {t}, target_shares: {shares}, "
            f"min_quality_quantile: {quantile}, max_repeats: {{}}}}")


def _cfg(*phases, extra=()):
    return load_config(overrides=["mix.seq_len=63", "mix.chunk_tokens=1300", f"mix.phases=[{', '.join(phases)}]",
                                  *extra])


def test_default_plan_is_warmup_stable_anneal_with_a_quality_floor_on_anneal():
    mix = load_config().mix
    assert [(s.name, s.first, s.count) for s in phase_spans(mix)] == [("warmup", 0, 1), ("stable", 1, 8),
                                                                       ("anneal", 9, 1)]
    assert find_phase(mix, "anneal").phase.min_quality_quantile == 0.5
    assert find_phase(mix, "stable").phase.min_quality_quantile is None


def test_phase_in_tokens_rounds_up_to_whole_chunks_of_whole_blocks():
    # chunks hold 1280 tokens (1300 rounded down to blocks of 64): 2561 tokens need 3 chunks
    mix = _cfg(_phase("a", chunks=2), _phase("b", tokens=2561), _phase("c", tokens=1280)).mix
    assert [(s.first, s.count) for s in phase_spans(mix)] == [(0, 2), (2, 3), (5, 1)]
    assert [phase_of_chunk(mix, k).name for k in range(6)] == ["a", "a", "b", "b", "b", "c"]


def test_chunk_past_the_last_phase_refused_with_the_plan():
    mix = _cfg(_phase("a", chunks=2)).mix
    with pytest.raises(PastLastPhaseError, match="chunk 2 lies past the last phase of mix.phases"):
        phase_of_chunk(mix, 2)


def test_no_phases_every_chunk_alike():
    mix = load_config(overrides=["mix.phases=[]"]).mix
    assert phase_spans(mix) == [] and phase_of_chunk(mix, 123) is None


@pytest.mark.parametrize("phases, key", [
    ([_phase("a", chunks=1, tokens=100)], "mix.phases[0].chunks"),
    ([_phase("a")], "mix.phases[0].tokens"),
    ([_phase("a", chunks=1), _phase("a", chunks=2)], "mix.phases[1].name"),
    ([_phase("a", chunks=0)], "mix.phases[0].chunks"),
    ([_phase("a", chunks=1, quantile=1.0)], "mix.phases[0].min_quality_quantile"),
    ([_phase("a", chunks=1, shares="{en: -1}")], "mix.phases[0].target_shares"),
])
def test_bad_phase_error_names_the_key(phases, key):
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        _cfg(*phases)


def test_unknown_phase_key_named():
    with pytest.raises(ConfigError, match=r"unknown config key 'mix.phases\[0\].chunk'"):
        load_config(overrides=["mix.phases=[{name: a, chunk: 1}]"])
