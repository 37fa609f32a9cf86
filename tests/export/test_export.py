"""`flywheel export` on the checkpoints of real 2-process CPU training runs, loaded back with transformers.

Two runs of tests/eval/text_run.py's model: plain multi-head attention with separate output
weights, and grouped-query attention (2 kv heads for 4 query heads) with tied embeddings.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from tests.export.runs import flywheel, train_and_export
from trainer.eval.checkpoint import load_model, resolve
from trainer.eval.tokenizer import load_tokenizer
from trainer.model import document_causal_mask
from trainer.vocab import chunks_tokenizer_version

VARIANTS = {"mha": [], "gqa_tied": ["train.model.n_kv_heads=2", "train.model.weight_tying=true"]}
TEXTS = ["The old river crosses the town. The quiet mill faces the bridge.",
         "这座河流的城市很长。这座山脉的历史很长。",
         "def score(values):\n    total = 0\n    total += values[1] * 3\n    return total\n"]


@pytest.fixture(scope="module", params=list(VARIANTS))
def exported(request, tmp_path_factory):
    """(cfg, run_dir, --set values, export folder) of a trained run's chunk-1."""
    return train_and_export(tmp_path_factory.mktemp(f"export-{request.param}"), VARIANTS[request.param])


def trainer_logits(cfg, run_dir: Path, ids: list[int]) -> torch.Tensor:
    version = chunks_tokenizer_version(cfg)
    model = load_model(cfg, resolve(run_dir / "chunk-1"), version, "cpu")
    positions = torch.arange(len(ids)).unsqueeze(0)
    with torch.no_grad():
        return model(torch.tensor([ids]), positions, attention_masks=document_causal_mask(positions))[0]


def test_export_config_matches_train_model(exported):
    cfg, _, _, out = exported
    m = cfg.train.model
    c = json.loads((out / "config.json").read_text())
    assert c["architectures"] == ["LlamaForCausalLM"] and c["model_type"] == "llama"
    assert (c["hidden_size"], c["num_hidden_layers"], c["num_attention_heads"]) == (64, 2, 4)
    assert c["num_key_value_heads"] == (2 if m.n_kv_heads == 2 else 4)
    assert c["tie_word_embeddings"] is m.weight_tying
    assert c["intermediate_size"] == 256  # SwiGLU 2/3 * 4 * 64, rounded up to ffn_multiple_of 256
    assert c["rope_parameters"] == {"rope_type": "default", "rope_theta": 500000.0}
    assert c["rms_norm_eps"] == 1e-5 and c["max_position_embeddings"] == 64 and c["vocab_size"] == 512
    assert (out / "model.safetensors").is_file()
    meta = json.loads((out / "flywheel_export.json").read_text())
    assert meta["checkpoint"] == "checkpoints/chunk-1" and meta["step"] == 32 and meta["chunk_id"] == 1


def test_export_transformers_logits_match_the_trainer_model(exported):
    from transformers import AutoModelForCausalLM

    cfg, run_dir, _, out = exported
    tok = load_tokenizer(cfg, chunks_tokenizer_version(cfg))
    hf = AutoModelForCausalLM.from_pretrained(out).eval()
    assert hf.config.num_key_value_heads == (cfg.train.model.n_kv_heads or cfg.train.model.n_heads)
    full = [i for t in TEXTS * 4 for i in tok.encode(t)][:64]  # one full trained window too
    assert len(full) == 64
    for ids in [tok.encode(t) for t in TEXTS] + [full]:
        ours = trainer_logits(cfg, run_dir, ids)
        with torch.no_grad():
            theirs = hf(torch.tensor([ids])).logits[0]
        assert theirs.shape == ours.shape == (len(ids), 512)
        torch.testing.assert_close(theirs, ours, atol=1e-4, rtol=1e-4)
    # A trained model, not a degenerate one: the next-token choices vary along the full window.
    assert len(set(theirs.argmax(-1).tolist())) > 1


def test_export_tokenizer_loads_and_encodes_like_ours(exported):
    from transformers import AutoTokenizer

    cfg, _, _, out = exported
    ours = load_tokenizer(cfg, chunks_tokenizer_version(cfg))
    theirs = AutoTokenizer.from_pretrained(out)
    for text in TEXTS:
        assert theirs.encode(text) == ours.encode(text)  # no BOS/EOS added, as tokenize_docs encodes
        assert theirs.decode(ours.encode(text)) == text
    assert theirs.eos_token == "<|endoftext|>" and theirs.eos_token_id == ours.eos_id
    assert theirs.bos_token == "<|begin_of_text|>" and theirs.pad_token == "<|pad|>"
    special = json.loads((out / "special_tokens_map.json").read_text())
    assert special == {"bos_token": "<|begin_of_text|>", "eos_token": "<|endoftext|>", "pad_token": "<|pad|>"}


def test_export_missing_checkpoint_one_clear_line(exported, tmp_path):
    _, run_dir, sets, _ = exported
    cli = flywheel("export", "--checkpoint", str(run_dir / "chunk-7"), "--out", str(tmp_path / "x"), sets=sets)
    assert cli.returncode == 2
    lines = cli.stderr.strip().splitlines()
    assert len(lines) == 1 and "no complete checkpoint" in lines[0] and "chunk-0, chunk-1" in lines[0]
    assert not (tmp_path / "x").exists()


def test_export_refuses_a_folder_that_is_not_an_export(exported, tmp_path):
    _, run_dir, sets, _ = exported
    (tmp_path / "notes.txt").write_text("mine")
    cli = flywheel("export", "--checkpoint", str(run_dir / "chunk-1"), "--out", str(tmp_path), sets=sets)
    assert cli.returncode == 2 and "not an earlier flywheel export" in cli.stderr
    assert len(cli.stderr.strip().splitlines()) == 1


def test_export_with_another_model_config_one_clear_line(exported, tmp_path):
    _, run_dir, sets, _ = exported
    cli = flywheel("export", "--checkpoint", str(run_dir / "chunk-1"), "--out", str(tmp_path / "x"),
                   sets=sets + ["train.model.dim=128"])
    assert cli.returncode == 2
    lines = cli.stderr.strip().splitlines()
    assert len(lines) == 1 and "does not fit train.model (dim 128" in lines[0]
    assert not (tmp_path / "x").exists()
