"""Scale the sample corpus to any size: benchmark inputs that keep its near-duplicate structure.

`scale(src, out, target_mb, n_files, seed)` re-emits the corpus written by
`samples.corpus.generate` in rounds until ~target_mb (10^6 bytes) of plain JSONL is written:
round 0 is the corpus itself under fresh ids, every later round a shuffled copy in which each
document gets a fresh word-level edit at a rate drawn from SCALE_RATES (0 = an exact duplicate).
Words holding PII or boilerplate are never edited, so their truth stays exact.

Writes  OUT/docs/part-NNNNN.jsonl (n_files shards of ~target_mb / n_files each) and
        OUT/truth/part-NNNNN.jsonl (same fields as truth.jsonl plus `src_id`, the base id).
        Ids are `s{seed}r{round}-{base id}`; `near_dup_of` of a round >= 1 copy is its round-0
        copy; `edit_rate` is the realised share of edited words; `jaccard5` is only carried
        over for round 0 (computing shingles would cost more than the whole scaler).

Cost: edits of 128 documents at a time are one numpy gather over the flat corpus, so Python
work is per document, not per word or edit: ~100 MB/s of CPU time (BENCHMARKS.md). Memory is
constant in target_mb (~150 MB peak: the base corpus, its word offsets, 4 MB write buffers).
"""
from __future__ import annotations

import json
from json.encoder import encode_basestring
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from samples.parts import DOC_PARTS, read_text

SCALE_RATES = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
_FLUSH_BYTES = 4 << 20
_ESCAPE = re.compile(rb"\\(?:u[0-9a-fA-F]{4}|.)")
_SPACE = ord(" ")
# The escaped forms of the ASCII whitespace `str.split` splits on (non-ASCII spaces stay raw).
_ESCAPED_SPACES = {b"n", b"t", b"r", b"f", b"u000b", b"u001c", b"u001d", b"u001e", b"u001f"}


@dataclass
class _Base:
    """One base document, prepared once for splicing its JSON line as bytes.

    Edits work on the JSON-escaped UTF-8 bytes of the text, so a copy's line is spliced and
    written without decoding, re-escaping or re-encoding (json.dumps alone would cap the
    scaler near 70 MB/s). Words are the runs between spaces and escaped ASCII whitespace
    (`\\n`, `\\t`, ...), the JSON form of what separates `text.split()` words.
    """

    id: str
    truth: dict
    esc: np.ndarray  # (n_bytes + 1,) uint8: the text as it appears inside the JSON string + " "
    tail: bytes  # '", "url": ..., "meta": {...}}\n'
    starts: np.ndarray  # (n_words,) int64 byte offsets of words in esc
    ends: np.ndarray
    editable: np.ndarray  # indexes of words that overlap no PII value or boilerplate line
    fingerprint: np.ndarray  # (n_words,) int64 to tell a substitution by the same word
    chars: np.ndarray | None  # (n_bytes + 1,) decoded code points before each byte; only with PII


def read_base(src_dir: str | Path) -> list[_Base]:
    """The documents of a generated corpus (all three parts) joined with their truth, in id order."""
    src = Path(src_dir)
    truths = {}
    with open(src / "truth.jsonl", encoding="utf-8") as fh:
        for line in fh:
            t = json.loads(line)
            truths[t["id"]] = t
    records = [json.loads(line) for name in DOC_PARTS for line in read_text(src / "docs" / name).splitlines()]
    return [_prepare(r, truths[r["id"]]) for r in sorted(records, key=lambda r: r["id"])]


def _escaped(text: str) -> bytes:
    return encode_basestring(text)[1:-1].encode("utf-8")


def _prepare(record: dict, truth: dict) -> _Base:
    esc_bytes = _escaped(record["text"])
    esc = np.frombuffer(esc_bytes + b" ", dtype=np.uint8)  # the trailing space is spliced by inserts
    n = len(esc_bytes)
    rest = {k: v for k, v in record.items() if k not in ("id", "text")}
    tail = ('"' + (", " + json.dumps(rest, ensure_ascii=False)[1:] if rest else "}") + "\n").encode("utf-8")
    escapes = [m.span() for m in _ESCAPE.finditer(esc_bytes)]
    sep = esc == _SPACE
    sep[n] = True
    for a, b in escapes:
        if esc_bytes[a + 1:b] in _ESCAPED_SPACES:
            sep[a:b] = True
    starts = np.flatnonzero(~sep[:n] & np.concatenate([[True], sep[:n - 1]]))
    ends = np.flatnonzero(~sep[:n] & sep[1:])+ 1
    b64 = esc[:n].astype(np.int64)
    c1 = np.concatenate([[0], np.cumsum(b64)])
    c2 = np.concatenate([[0], np.cumsum(b64 * np.arange(n))])
    total = c1[ends] - c1[starts]
    fingerprint = total * 1_000_003 + (c2[ends] - c2[starts] - starts * total) * 8191 + (ends - starts)
    chars = _char_counts(esc[:n], escapes) if truth["pii"] else None
    keep = [(_byte_at(chars, p["start"]), _byte_at(chars, p["start"] + len(p["value"]))) for p in truth["pii"]]
    for line in truth["boilerplate"]:
        if (i := esc_bytes.find(_escaped(line))) >= 0:
            keep.append((i, i + len(_escaped(line))))
    protected = np.zeros(len(starts), dtype=bool)
    for a, b in keep:  # words overlapping [a, b)
        protected[np.searchsorted(ends, a, side="right"):np.searchsorted(starts, b, side="left")] = True
    return _Base(record["id"], truth, esc, tail, starts, ends, np.flatnonzero(~protected), fingerprint, chars)


def _char_counts(esc: np.ndarray, escapes: list[tuple[int, int]]) -> np.ndarray:
    """Code points of the decoded text before each byte offset of its escaped UTF-8 form."""
    weight = ((esc & 0xC0) != 0x80).astype(np.int64)  # 1 on the first byte of each UTF-8 char
    for a, b in escapes:  # an escape sequence is one char of the decoded text
        weight[a + 1:b] = 0
    return np.concatenate([[0], np.cumsum(weight)])


def _byte_at(chars: np.ndarray, cp: int) -> int:
    """Byte offset in the escaped text where decoded code point `cp` starts."""
    return int(np.searchsorted(chars, cp, side="right")) - 1


@dataclass
class _Corpus:
    """All base documents in flat arrays, so one batch of copies is edited with one gather.

    esc holds every document's escaped text followed by one space byte (spliced in by inserts);
    word and editable-word offsets are absolute into esc / the word arrays.
    """

    docs: list[_Base]
    esc: np.ndarray  # (total bytes,) uint8
    doc_start: np.ndarray  # (n_docs,) first byte of each document in esc
    doc_len: np.ndarray  # (n_docs,) bytes of each document, without its trailing space
    w_start: np.ndarray  # (n_words,) absolute byte offsets
    w_end: np.ndarray
    fingerprint: np.ndarray  # (n_words,)
    n_words: np.ndarray  # (n_docs,)
    editable: np.ndarray  # absolute word indexes of editable words, grouped by document
    ed_off: np.ndarray  # (n_docs + 1,) document d's editable words are editable[ed_off[d]:ed_off[d+1]]


def _flatten(docs: list[_Base]) -> _Corpus:
    sizes = np.array([len(d.esc) for d in docs], dtype=np.int64)
    doc_start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    n_words = np.array([len(d.starts) for d in docs], dtype=np.int64)
    word_off = np.concatenate([[0], np.cumsum(n_words)[:-1]])
    n_ed = np.array([len(d.editable) for d in docs], dtype=np.int64)
    return _Corpus(
        docs=docs, esc=np.concatenate([d.esc for d in docs]), doc_start=doc_start, doc_len=sizes - 1,
        w_start=np.concatenate([d.starts + o for d, o in zip(docs, doc_start)]),
        w_end=np.concatenate([d.ends + o for d, o in zip(docs, doc_start)]),
        fingerprint=np.concatenate([d.fingerprint for d in docs]), n_words=n_words,
        editable=np.concatenate([d.editable + o for d, o in zip(docs, word_off)]),
        ed_off=np.concatenate([[0], np.cumsum(n_ed)]),
    )


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + n) for each (s, n), as one cumulative sum of int32 steps
    (1 within a range, a jump at each range start): ~3 passes of 4 bytes per output element."""
    keep = lengths > 0
    starts, lengths = starts[keep], lengths[keep]
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int32)
    out_start = np.cumsum(lengths) - lengths
    steps = np.ones(int(lengths.sum()), dtype=np.int32)
    steps[0] = starts[0]
    steps[out_start[1:]] = starts[1:] - (starts[:-1] + lengths[:-1] - 1)
    return np.cumsum(steps, dtype=np.int32)


def edit_batch(c: _Corpus, docs: np.ndarray, rates: np.ndarray, rng: np.random.Generator):
    """Edited escaped texts of `docs` (indexes, in output order) at per-document `rates`.

    Each editable word is picked with the probability that gives rate * words edits on average
    and is substituted by, deleted, or followed by an inserted word of the same document (one of
    the three at random). The batch's output is one gather over `c.esc`: per edit three byte
    ranges (original text up to the edit, a space for an insert, the fill word), per document
    one more (the rest), so the cost is a few numpy calls per batch, not per word.
    Returns (bytes of all texts, per-doc lengths, per-doc changed-word counts, edits by doc).
    """
    n_ed = c.ed_off[docs + 1] - c.ed_off[docs]
    p = np.minimum(1.0, rates * c.n_words[docs] / np.maximum(n_ed, 1))
    ed_pos = _ranges(c.ed_off[docs], n_ed)
    hit = rng.random(len(ed_pos)) < np.repeat(p, n_ed)
    picked = c.editable[ed_pos[hit]]  # grouped by doc in output order, ascending within a doc
    doc_of = np.repeat(np.arange(len(docs)), n_ed)[hit]
    k_doc = np.bincount(doc_of, minlength=len(docs))
    r = rng.integers(0, 3 * n_ed[doc_of])  # one draw gives the op and the fill word
    op, fills = r % 3, c.editable[c.ed_off[docs][doc_of] + r // 3]  # op 0 sub, 1 delete, 2 insert
    ws, we, fs, fe = c.w_start[picked], c.w_end[picked], c.w_start[fills], c.w_end[fills]
    start = c.doc_start[docs]
    end = start + c.doc_len[docs]  # also where each document's spare space byte sits
    first = np.ones(len(picked), dtype=bool)
    first[1:] = doc_of[1:] != doc_of[:-1]
    resume = np.where(first, start[doc_of], np.concatenate([[0], we[:-1]]))
    k_cum = np.cumsum(k_doc)
    tail_from = start.copy()
    tail_from[k_doc > 0] = we[k_cum[k_doc > 0] - 1]
    ins = op == 2
    seg_start = np.empty(3 * len(picked) + len(docs), dtype=np.int64)
    seg_len = np.empty_like(seg_start)
    e_pos = 3 * np.arange(len(picked)) + doc_of
    seg_start[e_pos], seg_len[e_pos] = resume, np.where(ins, we, ws) - resume
    seg_start[e_pos + 1], seg_len[e_pos + 1] = end[doc_of], ins
    seg_start[e_pos + 2], seg_len[e_pos + 2] = fs, np.where(op == 1, 0, fe - fs)
    t_pos = 3 * k_cum + np.arange(len(docs))
    seg_start[t_pos], seg_len[t_pos] = tail_from, end - tail_from
    lengths = np.add.reduceat(seg_len, t_pos - 3 * k_doc)
    same = (op == 0) & (c.fingerprint[picked] == c.fingerprint[fills])
    changed = k_doc - np.bincount(doc_of[same], minlength=len(docs))
    edits = (op, ws - start[doc_of], we - start[doc_of], fs - start[doc_of], fe - start[doc_of], k_cum - k_doc, k_cum)
    return c.esc[_ranges(seg_start, seg_len)].tobytes(), lengths, changed, edits


def _moved_pii(base: _Base, edits, d: int) -> list[dict]:
    """The PII of `base` with starts shifted by the code-point length change of edits before it."""
    op, ws, we, fs, fe, lo, hi = edits
    a, b = lo[d], hi[d]
    if not base.truth["pii"] or a == b:
        return base.truth["pii"]
    op, ws, we, fs, fe, ch = op[a:b], ws[a:b], we[a:b], fs[a:b], fe[a:b], base.chars
    fill_chars, word_chars = ch[fe] - ch[fs], ch[we] - ch[ws]
    delta = np.where(op == 0, fill_chars - word_chars, np.where(op == 1, -word_chars, fill_chars + 1))
    cumulative = np.concatenate([[0], np.cumsum(delta)])
    return [dict(p, start=p["start"] + int(cumulative[np.searchsorted(ws, _byte_at(ch, p["start"]))]))
            for p in base.truth["pii"]]


def _stream(corpus: _Corpus, seed: int, batch: int = 128) -> Iterator[tuple[bytes, bytes]]:
    """Endless (doc line, truth line) pairs: round 0 verbatim, then perturbed shuffled rounds."""
    rng = np.random.default_rng(seed)
    prefix = f"s{seed}r"
    n = len(corpus.docs)
    for rnd in range(1 << 62):
        order = np.arange(n) if rnd == 0 else rng.permutation(n)
        rates = np.zeros(n) if rnd == 0 else rng.choice(SCALE_RATES, size=n)
        for lo in range(0, n, batch):
            docs = order[lo:lo + batch]
            texts, lengths, changed, edits = edit_batch(corpus, docs, rates[lo:lo + batch], rng)
            pos = 0
            for d, (i, length, k) in enumerate(zip(docs.tolist(), lengths.tolist(), changed.tolist())):
                b = corpus.docs[i]
                new_id = f"{prefix}{rnd}-{b.id}"
                truth = dict(b.truth, id=new_id, src_id=b.id)
                if rnd == 0:
                    if truth["near_dup_of"] is not None:
                        truth["near_dup_of"] = f"{prefix}0-{truth['near_dup_of']}"
                else:
                    truth.update(near_dup_of=f"{prefix}0-{b.id}", edit_rate=round(k / max(1, len(b.starts)), 4),
                                 jaccard5=None, pii=_moved_pii(b, edits, d),
                                 noise=b.truth["noise"] + ["near_dup" if k else "exact_dup"])
                head = f'{{"id": "{new_id}", "text": "'.encode("ascii")
                yield (head + texts[pos:pos + length] + b.tail,
                       (json.dumps(truth, ensure_ascii=False) + "\n").encode("utf-8"))
                pos += length


def scale(src_dir: str | Path, out_dir: str | Path, target_mb: float, n_files: int, seed: int = 0) -> dict:
    """Write ~target_mb of JSONL over n_files shards (+ truth shards); returns a summary with MB/s."""
    if target_mb <= 0 or n_files < 1:
        raise ValueError(f"need target_mb > 0 and n_files >= 1, got {target_mb} and {n_files}")
    t0 = time.perf_counter()
    corpus = _flatten(read_base(src_dir))
    out = Path(out_dir)
    (out / "docs").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    per_shard = target_mb * 1e6 / n_files
    stream, pending = _stream(corpus, seed), []
    total = docs = 0
    t1 = time.perf_counter()
    for shard in range(n_files):
        name = f"part-{shard:05d}.jsonl"
        written, n = _write_shard(out / "docs" / name, out / "truth" / name, stream, per_shard, pending)
        total += written
        docs += n
    seconds = time.perf_counter() - t1
    return {"out": str(out), "files": n_files, "docs": docs, "bytes": total, "load_seconds": round(t1 - t0, 2),
            "write_seconds": round(seconds, 2), "mb_per_s": round(total / 1e6 / max(seconds, 1e-9), 1)}


def _write_shard(doc_path: Path, truth_path: Path, stream: Iterator[tuple[bytes, bytes]], target: float,
                 pending: list) -> tuple[int, int]:
    """Write lines from `pending` then `stream` while that brings the shard closer to `target`
    doc bytes; the first line that would overshoot by more than it undershoots is left in
    `pending` for the next shard. Returns (doc bytes, docs)."""
    written = n = 0
    docs_buf, truth_buf, buffered = [], [], 0
    with open(doc_path, "wb") as docs_fh, open(truth_path, "wb") as truth_fh:
        while True:
            doc, truth = pending.pop() if pending else next(stream)
            if n and written + len(doc) - target > target - written:
                pending.append((doc, truth))
                break
            docs_buf.append(doc)
            truth_buf.append(truth)
            written += len(doc)
            buffered += len(doc)
            n += 1
            if buffered >= _FLUSH_BYTES:
                docs_fh.write(b"".join(docs_buf))
                truth_fh.write(b"".join(truth_buf))
                docs_buf, truth_buf, buffered = [], [], 0
        docs_fh.write(b"".join(docs_buf))
        truth_fh.write(b"".join(truth_buf))
    return written, n
