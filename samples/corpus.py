"""Sample corpus: a deterministic, download-free corpus with ground truth for every stage.

Reads   nothing but the running Python's standard library (docstrings, `pydoc_data/topics.py`,
        LICENSE.txt, source files) and the hand-written texts in `samples.texts`.
Writes  OUT/docs/part-00000.jsonl, part-00001.jsonl.gz, part-00002.jsonl.zst: one JSON object a
            line, `{"id", "text", "url", "source", "meta"}` (~8 MB in all);
        OUT/truth.jsonl: per id `{"id", "lang", "category", "near_dup_of", "edit_rate",
            "jaccard5", "pii": [{"type", "value", "start", "injected"}], "noise", "clean",
            "boilerplate"}` (`start` counts code points of `text`);
        OUT/bad/bad.jsonl, OUT/bad/oversize.jsonl and OUT/bad/_expected.json (file, line and
            expected quarantine reason of each bad line); the oversize document's text is
            OVERSIZE_TEXT_BYTES (10.5 MB) long, so it is quarantined by the default
            `ingest.max_doc_bytes` (10 MB) and any smaller one.
        With --scale-mb, OUT/scaled/docs/part-NNNNN.jsonl + OUT/scaled/truth/part-NNNNN.jsonl
            (see `samples.scale`).
Run     flywheel sample --out data/sample [--seed 0] [--scale-mb 1000 --files 8]
        python -m samples.corpus --out data/sample

The same seed on the same Python build gives byte-identical files (the stdlib contents differ
between Python releases). Truth vocabulary: `category` is one of docs, encyclopedic, legal, code,
news, forum, markdown, math, junk; `noise` holds boilerplate, pii, near_dup, exact_dup,
spam_keywords, spam_repeated_lines, lorem_ipsum, short. `clean` marks the golden PII-free subset:
no PII (injected or natural) and nothing `samples.pii.looks_like_pii` would flag.
"""
from __future__ import annotations

import argparse
import copy
import json
import platform
import random
import sys
from collections import Counter
from pathlib import Path

from samples import noise as sample_noise, pii as sample_pii
from samples.docs import (SampleDoc, code_docs, docstring_docs, handwritten_docs, junk_docs, license_docs,
                          reference_docs, stdlib_files, stdlib_root)
from samples.parts import DOC_PARTS, compress
from samples.scale import scale
from samples.texts import LANGUAGES

OVERSIZE_TEXT_BYTES = 10_500_000  # > ingest.max_doc_bytes in conf/default.yaml (10 MB); the test checks
MAX_CODE_BYTES = 5_000_000        # code share of the ~8 MB base corpus
MAX_CODE_FILE_BYTES = 150_000     # leaves out the few giant modules (_pydecimal, typing, ...)
PII_DOCS_PER_LANG = 3             # hand-written docs per language that get PII sentences
PII_DOCSTRING_DOCS = 30           # stdlib docstring docs that get English PII sentences
NEAR_DUP_SOURCES = 24             # half hand-written, half stdlib; two near-dups each
EXACT_DUPS = 16
_SPACED_LANGS = ("en", "de", "fr", "es", "ru")  # word edits need whitespace-separated words


def generate(out_dir: str | Path, seed: int = 0) -> dict:
    """Write the sample corpus under `out_dir` and return a summary (counts per lang/category/noise).

    Cost: ~4 s of CPU, half of it parsing ~11 MB of stdlib sources with `ast`.
    """
    out = Path(out_dir)
    docs = build_docs(seed)
    docs_bytes = write_docs(out / "docs", docs)
    truths = [truth_record(d) for d in sorted(docs, key=lambda d: d.id)]
    write_truth(out / "truth.jsonl", truths)
    bad = write_bad_inputs(out / "bad", seed)
    return {
        "seed": seed,
        "python": platform.python_version(),
        "docs": len(docs),
        "bytes": docs_bytes,
        "files": [f"docs/{name}" for name in DOC_PARTS] + ["truth.jsonl"] + [f"bad/{n}" for n in sorted(bad["files"])],
        "bad_lines": len(bad["bad_lines"]),
        "by_lang": dict(sorted(Counter(d.lang for d in docs).items())),
        "by_category": dict(sorted(Counter(d.category for d in docs).items())),
        "by_noise": dict(sorted(Counter(n for d in docs for n in d.noise).items())),
        "pii_values": dict(sorted(Counter(p["type"] for t in truths for p in t["pii"]).items())),
        "clean_docs": sum(1 for t in truths if t["clean"]),
    }


def build_docs(seed: int) -> list[SampleDoc]:
    """All documents with noise applied and ids assigned (shuffled, `d00000`...)."""
    root = stdlib_root()
    files = stdlib_files(root)
    hand = handwritten_docs()
    docstrings = docstring_docs(root, files)
    base = hand + docstrings + reference_docs(root) + license_docs(root) + \
        code_docs(root, files, MAX_CODE_BYTES, MAX_CODE_FILE_BYTES)
    add_boilerplate(hand, random.Random(f"{seed}/boilerplate"))
    inject_pii(hand, docstrings, random.Random(f"{seed}/pii"))
    dups = near_duplicates(hand, base, random.Random(f"{seed}/near-dup"))
    dups += exact_duplicates(base, random.Random(f"{seed}/exact-dup"))
    docs = base + dups + junk_docs(random.Random(f"{seed}/junk"))
    random.Random(f"{seed}/order").shuffle(docs)
    for i, doc in enumerate(docs):
        doc.id = f"d{i:05d}"
    return docs


def add_boilerplate(hand: list[SampleDoc], rng: random.Random) -> None:
    """Wrap two news/forum pages per language in nav, cookie banner and footer lines."""
    for lang, mod in LANGUAGES.items():
        pages = [d for d in hand if d.lang == lang and d.category in ("news", "forum")]
        for doc in rng.sample(pages, 2):
            doc.text, doc.boilerplate = sample_noise.add_boilerplate(doc.text, mod)
            doc.noise.append("boilerplate")


def inject_pii(hand: list[SampleDoc], docstrings: list[SampleDoc], rng: random.Random) -> None:
    """Insert PII sentences as new paragraphs; each language's templates are all used."""
    targets = []
    for lang, mod in LANGUAGES.items():
        chosen = rng.sample([d for d in hand if d.lang == lang], PII_DOCS_PER_LANG)
        targets += [(doc, mod, j) for j, doc in enumerate(chosen)]
    targets += [(doc, LANGUAGES["en"], j) for j, doc in enumerate(rng.sample(docstrings, PII_DOCSTRING_DOCS))]
    offsets = {lang: rng.randrange(len(mod.PII_TEMPLATES)) for lang, mod in LANGUAGES.items()}
    for doc, mod, j in targets:
        templates = mod.PII_TEMPLATES
        picks = {templates[(offsets[mod.LANG] + 2 * j + t) % len(templates)] for t in range(2)}
        sentences = [sample_pii.fill_template(t, rng, mod.LANG) for t in sorted(picks)]
        doc.text, doc.pii = insert_paragraphs(doc.text, sentences, rng)
        doc.noise.append("pii")


def insert_paragraphs(text: str, inserts: list[tuple[str, list[dict]]], rng: random.Random) -> tuple[str, list[dict]]:
    """Insert each (sentence, pii) as its own paragraph after a random paragraph (not the last
    when there are several); returns the text and the PII with offsets into it."""
    paras = text.rstrip("\n").split("\n\n")
    slots = sorted(rng.randrange(1, max(2, len(paras))) for _ in inserts)
    pieces, pii, length, k = [], [], 0, 0
    for i, para in enumerate(paras):
        pieces.append(("\n\n" if i else "") + para)
        length += len(pieces[-1])
        while k < len(slots) and slots[k] == i + 1:
            sentence, found = inserts[k]
            pii += [dict(p, start=length + 2 + p["start"]) for p in found]
            pieces.append("\n\n" + sentence)
            length += len(pieces[-1])
            k += 1
    return "".join(pieces) + "\n", pii


def near_duplicates(hand: list[SampleDoc], base: list[SampleDoc], rng: random.Random) -> list[SampleDoc]:
    """Two word-edited copies of each of NEAR_DUP_SOURCES documents; every rate used equally."""
    def eligible(d: SampleDoc) -> bool:
        return d.lang in _SPACED_LANGS and not d.noise and 60 <= len(d.text.split()) <= 3000

    half = NEAR_DUP_SOURCES // 2
    sources = rng.sample([d for d in hand if eligible(d)], half)
    sources += rng.sample([d for d in base if d.source != "handwritten" and eligible(d)], NEAR_DUP_SOURCES - half)
    rates = sample_noise.NEAR_DUP_RATES
    dups = []
    for j, src in enumerate(sources):
        words = src.text.split()
        for t in range(2):
            rate = rates[(2 * j + t) % len(rates)]
            text, k = sample_noise.edit_words(src.text, rate, rng, words)
            dups.append(SampleDoc(text=text, source=src.source, url=f"https://mirror.example.net/nd/{len(dups)}",
                                  meta=dict(src.meta), lang=src.lang, category=src.category, noise=["near_dup"],
                                  near_dup_of=src, edit_rate=round(k / len(words), 4),
                                  jaccard5=round(sample_noise.jaccard5(src.text, text), 4)))
    return dups


def exact_duplicates(base: list[SampleDoc], rng: random.Random) -> list[SampleDoc]:
    """Verbatim copies (PII, boilerplate and all) of EXACT_DUPS documents under mirror URLs."""
    return [SampleDoc(text=src.text, source=src.source, url=f"https://mirror.example.net/ex/{i}", meta=dict(src.meta),
                      lang=src.lang, category=src.category, noise=src.noise + ["exact_dup"], pii=copy.deepcopy(src.pii),
                      boilerplate=list(src.boilerplate), near_dup_of=src, edit_rate=0.0, jaccard5=1.0)
            for i, src in enumerate(rng.sample(base, EXACT_DUPS))]


def _all_pii(doc: SampleDoc) -> list[dict]:
    """Injected PII plus natural PII found in the text (skipping matches inside injected values)."""
    injected = [dict(p, injected=True) for p in doc.pii]
    spans = [(p["start"], p["start"] + len(p["value"])) for p in injected]
    natural = [dict(p, injected=False) for p in sample_pii.find_natural_pii(doc.text)
               if not any(a < p["start"] + len(p["value"]) and p["start"] < b for a, b in spans)]
    return sorted(injected + natural, key=lambda p: p["start"])


def truth_record(doc: SampleDoc) -> dict:
    """The ground truth of one document (see the module docstring for the fields)."""
    pii = _all_pii(doc)
    return {"id": doc.id, "lang": doc.lang, "category": doc.category,
            "near_dup_of": doc.near_dup_of.id if doc.near_dup_of else None,
            "edit_rate": doc.edit_rate, "jaccard5": doc.jaccard5, "pii": pii, "noise": doc.noise,
            "clean": not pii and not sample_pii.looks_like_pii(doc.text), "boilerplate": doc.boilerplate}


def doc_line(doc: SampleDoc) -> str:
    """The JSONL line of a document (UTF-8 text, not \\u-escaped)."""
    record = {"id": doc.id, "text": doc.text, "url": doc.url, "source": doc.source, "meta": doc.meta}
    return json.dumps(record, ensure_ascii=False) + "\n"


def write_docs(folder: Path, docs: list[SampleDoc]) -> int:
    """Deal documents round-robin over the plain, gzip and zstd parts; returns uncompressed bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = [[] for _ in DOC_PARTS]
    for i, doc in enumerate(docs):
        parts[i % len(DOC_PARTS)].append(doc_line(doc))
    total = 0
    for name, lines in zip(DOC_PARTS, parts):
        data = "".join(lines).encode("utf-8")
        total += len(data)
        (folder / name).write_bytes(compress(name, data))
    return total


def write_truth(path: Path, truths: list[dict]) -> None:
    """One JSON line per truth record."""
    lines = [json.dumps(t, ensure_ascii=False) + "\n" for t in truths]
    path.write_text("".join(lines), encoding="utf-8")


def write_bad_inputs(folder: Path, seed: int) -> dict:
    """Write bad.jsonl (one line per bad-input class, between good lines) and oversize.jsonl,
    plus _expected.json (ingest skips names starting with "_") naming each bad line's file, 1-based line and quarantine reason."""
    rng = random.Random(f"{seed}/bad")
    good = "A perfectly ordinary short document that ingest should keep. It has two sentences."
    junk = bytes(rng.randrange(256) for _ in range(200)).replace(b"\n", b"\x00") + b"\xff\xfe"
    rows = [  # (raw line, reason or None for a good line, what it shows)
        (_json({"id": "bad-good-1", "text": good}), None, "good line"),
        (b'{"id": "bad-01", "text": "this line is cut off', "malformed_json", "truncated JSON object"),
        (b'{"id": "bad-02", "text": "caf\xc3( \xff broken bytes"}', "invalid_utf8", "invalid UTF-8 bytes"),
        (_json({"id": "bad-03", "text": ""}), "empty_text", "empty text"),
        (_json({"id": "bad-04", "text": " \n\t  \u3000 "}), "empty_text", "whitespace-only text"),
        (_json({"id": "bad-05", "url": "https://example.com/no-text", "source": "bad"}), "missing_text",
         "no text field"),
        (_json({"id": "bad-06", "text": None}), "missing_text", "text is null"),
        (junk, "invalid_utf8", "binary junk"),
        (_json({"id": "bad-good-2", "text": good + " Second copy."}), None, "good line"),
        (b'["not", "an", "object"]', "malformed_json", "JSON array instead of an object"),
        (_json({"id": "bad-07", "text": 12345}), "bad_text_type", "text is a number"),
        (b'{"id": "bad-08", "text": "lone surrogate \\ud800 here"}', "invalid_utf8", "unpaired surrogate escape"),
        (_json({"id": "bad-good-3", "text": good + " Third copy."}), None, "good line"),
    ]
    paragraph = LANGUAGES["en"].DOCS[4]["text"]
    big = (paragraph * (OVERSIZE_TEXT_BYTES // len(paragraph.encode("utf-8")) + 1)).encode("utf-8")
    big = big[:OVERSIZE_TEXT_BYTES].decode("utf-8", "ignore")
    oversize = [
        (_json({"id": "big-good-1", "text": good}), None, "good line"),
        (_json({"id": "big-01", "text": big}), "oversize", f"text of {len(big.encode('utf-8'))} bytes"),
        (_json({"id": "big-good-2", "text": good + " After the big one."}), None, "good line"),
    ]
    folder.mkdir(parents=True, exist_ok=True)
    expected = {"oversize_text_bytes": len(big.encode("utf-8")), "bad_lines": [], "good_lines": []}
    for name, rows_ in (("bad.jsonl", rows), ("oversize.jsonl", oversize)):
        (folder / name).write_bytes(b"".join(raw + b"\n" for raw, _, _ in rows_))
        for line, (_, reason, what) in enumerate(rows_, start=1):
            key = "good_lines" if reason is None else "bad_lines"
            expected[key].append({"file": name, "line": line, "reason": reason, "what": what})
    (folder / "_expected.json").write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")
    return {"files": ["bad.jsonl", "oversize.jsonl", "_expected.json"], **expected}


def _json(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """`--out DIR [--seed N] [--scale-mb M --files K]`."""
    parser = argparse.ArgumentParser(prog="flywheel sample", description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="folder to write the corpus into")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
    parser.add_argument("--scale-mb", type=float, help="also write ~this many MB (10^6 bytes) of scaled "
                        "JSONL shards under OUT/scaled")
    parser.add_argument("--files", type=int, default=4, help="number of scaled shards (default 4)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Write the corpus (and scaled shards when asked) and print the summaries as JSON."""
    args = parse_args(argv)
    summary = generate(args.out, args.seed)
    print(json.dumps(summary, indent=2))
    if args.scale_mb:
        print(json.dumps(scale(args.out, Path(args.out) / "scaled", args.scale_mb, args.files, args.seed), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
