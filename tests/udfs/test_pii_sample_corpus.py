"""udfs/pii.py on the sample corpus (samples/corpus.py): injected PII recall >= 99 %
and no detection at all in the documents its ground truth marks clean. No JVM."""
from __future__ import annotations

import pytest

from samples import corpus as sample_corpus
from tests.udfs.test_pii import make_cfg
from udfs.pii import ENTITIES, find_pii_spans, pii_batch

TYPE_TO_ENTITY = {"email": "email", "phone": "phone", "ipv4": "ip", "ipv6": "ip",
                  "credit_card": "card", "cn_id": "id", "iban": "iban"}


@pytest.fixture(scope="module", params=[0, 1])
def corpus(request):
    docs = sample_corpus.build_docs(request.param)
    truths = [sample_corpus.truth_record(d) for d in docs]
    out = pii_batch([d.text for d in docs], make_cfg())
    return docs, truths, out


def test_find_pii_spans_sample_corpus_injected_recall_at_least_99_percent(corpus):
    docs, truths, _ = corpus
    found = total = 0
    for doc, truth in zip(docs, truths):
        injected = [p for p in truth["pii"] if p["injected"]]
        spans = find_pii_spans(doc.text, ENTITIES) if injected else []
        for p in injected:
            start, end = p["start"], p["start"] + len(p["value"])
            total += 1
            found += any(s <= start and end <= e and ent == TYPE_TO_ENTITY[p["type"]] for s, e, ent in spans)
    assert total >= 100
    assert found / total >= 0.99


def test_pii_batch_sample_corpus_clean_docs_no_false_positive(corpus):
    docs, truths, out = corpus
    clean = [i for i, t in enumerate(truths) if t["clean"]]
    assert len(clean) >= 100
    flagged = [docs[i].id for i in clean if out["pii_total"][i] != 0]
    assert flagged == []
    assert all(out["text_masked"][i] == docs[i].text for i in clean)
