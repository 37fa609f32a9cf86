"""Packed documents do not see each other: masks by hand, per-token losses against the doc alone."""
import torch
import torch.nn.functional as F

from conf import load_config
from trainer.model import build_model, document_causal_mask

VOCAB, SEQ = 256, 64


def test_document_causal_mask_two_docs_block_diagonal_lower_triangles():
    # Docs of 2 and 3 tokens, preceded by one token continued from the previous block.
    mask = document_causal_mask(torch.tensor([[7, 0, 1, 0, 1, 2]]))
    expected = [
        [1, 0, 0, 0, 0, 0],
        [0, 1, 0, 0, 0, 0],
        [0, 1, 1, 0, 0, 0],
        [0, 0, 0, 1, 0, 0],
        [0, 0, 0, 1, 1, 0],
        [0, 0, 0, 1, 1, 1],
    ]
    assert mask.shape == (1, 1, 6, 6)
    assert mask[0, 0].int().tolist() == expected


def _tiny_model():
    cfg = load_config(overrides=["train.model.dim=64", "train.model.n_layers=2", "train.model.n_heads=4"])
    return build_model(cfg.train.model, vocab_size=VOCAB, seq_len=SEQ, seed=0).eval()


def _token_losses(model, tokens, positions, mask):
    logits = model(tokens[:, :-1], positions[:, :-1], attention_masks=mask)
    return F.cross_entropy(logits.flatten(0, 1), tokens[:, 1:].flatten(), reduction="none")


def test_packed_document_token_losses_equal_document_alone():
    gen = torch.Generator().manual_seed(3)
    lengths = [20, 27, SEQ + 1 - 47]  # three documents filling one block of SEQ + 1 tokens
    docs = [torch.randint(0, VOCAB, (n,), generator=gen) for n in lengths]
    tokens = torch.cat(docs)[None]
    positions = torch.cat([torch.arange(n) for n in lengths])[None]
    model = _tiny_model()
    with torch.no_grad():
        packed = _token_losses(model, tokens, positions, document_causal_mask(positions[:, :-1]))
        start = lengths[0]
        middle = docs[1][None]
        alone_pos = torch.arange(lengths[1])[None]
        alone = _token_losses(model, middle, alone_pos, document_causal_mask(alone_pos[:, :-1]))
        # Predictions of doc 2's tokens 1..26 from inside the block, vs the doc run on its own.
        torch.testing.assert_close(packed[start:start + lengths[1] - 1], alone, rtol=1e-5, atol=1e-5)

        # Control: with a plain causal mask the same tokens see doc 1 and their losses change.
        causal = torch.ones(SEQ, SEQ, dtype=torch.bool).tril()[None, None]
        leaky = _token_losses(model, tokens, positions, causal)
        assert (leaky[start:start + lengths[1] - 1] - alone).abs().max() > 1e-3
