"""Token log-likelihoods and greedy generation with the trained model, one sequence at a time.

The CPU model sees documents the way training packed them: positions restart at 0 at each
document and the mask is document-causal (trainer/model/attention.py); its RoPE table covers
`mix.seq_len` positions, so a longer sequence is scored in consecutive windows of at most
`seq_len` inputs, each window a document of its own (no context crosses a window edge).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from trainer.model import document_causal_mask


def _logits(model, ids: list[int], device: str) -> torch.Tensor:
    """Float[L, V] next-token logits of one sequence (positions 0..L-1, one document)."""
    inputs = torch.tensor([ids], dtype=torch.long, device=device)
    positions = torch.arange(len(ids), device=device).unsqueeze(0)
    with torch.no_grad():
        return model(inputs, positions, attention_masks=document_causal_mask(positions))[0].float()


def token_nll(model, ids: list[int], seq_len: int, device: str) -> torch.Tensor:
    """Float64[len(ids) - 1]: -ln P(ids[t] | window before t) for t >= 1, in windows of `seq_len` inputs."""
    out = []
    for start in range(0, len(ids) - 1, seq_len):
        window = ids[start:start + seq_len + 1]  # seq_len inputs predict the next seq_len tokens
        logits = _logits(model, window[:-1], device)
        target = torch.tensor(window[1:], dtype=torch.long, device=device)
        out.append(F.cross_entropy(logits, target, reduction="none").double().cpu())
    return torch.cat(out) if out else torch.zeros(0, dtype=torch.float64)


def continuation_logprob(model, context: list[int], continuation: list[int], seq_len: int, device: str) -> float:
    """ln P(continuation | context) in nats; the context is cut from the left to fit `seq_len`."""
    if not continuation:
        raise ValueError("continuation has no tokens")
    ids = (context + continuation)[-(seq_len + 1):]
    nll = token_nll(model, ids, seq_len, device)
    return -float(nll[-len(continuation):].sum())


def greedy(model, prompt: list[int], *, max_new_tokens: int, seq_len: int, device: str,
           stop_ids: set[int], stop_text, decode) -> str:
    """Greedy continuation of `prompt`: at most `max_new_tokens`, stopping at a stop id or when
    `stop_text(decoded)` holds (the newline rule); returns the decoded continuation."""
    ids, new = list(prompt), []
    for _ in range(max_new_tokens):
        context = ids[-seq_len:]
        nxt = int(_logits(model, context, device)[-1].argmax())
        if nxt in stop_ids:
            break
        new.append(nxt)
        ids.append(nxt)
        if stop_text(decode(new)):
            break
    return decode(new)
