"""train_tokenizer on a real local Spark + Delta curated_docs table."""
import pytest
from tokenizers import Tokenizer

from spark_jobs import train_tokenizer
from conf import replace
from spark_jobs.tokenizer_store import load_artifact, tokenizer_dir
from tests.spark_jobs.curated_corpus import SMALL_TOKENIZER, tokenized_warehouse

pytestmark = pytest.mark.spark


@pytest.fixture
def built(spark, cfg):
    info = tokenized_warehouse(spark, cfg.spark.warehouse)
    return replace(cfg, SMALL_TOKENIZER), info


def test_main_curated_docs_writes_versioned_tokenizer_and_report(built):
    cfg, info = built
    version, text, meta = load_artifact(cfg)
    tok = Tokenizer.from_str(text)
    assert version.startswith(f"bpe{tok.get_vocab_size()}-")
    assert tok.get_vocab_size() % 128 == 0
    assert meta["eos_id"] == 0 and tok.id_to_token(0) == "<|endoftext|>"
    assert tok.encode("<think>", add_special_tokens=False).ids == [tok.token_to_id("<think>")]
    report = {(r["lang"], r["category"]): r for r in meta["compression"]}
    assert set(report) == {("en", "web"), ("zh", "web"), ("en", "code")}
    # Chinese characters are 3 UTF-8 bytes each, so zh packs more bytes than chars into a token.
    assert report[("zh", "web")]["bytes_per_token"] > report[("zh", "web")]["chars_per_token"]
    assert report[("en", "web")]["bytes_per_token"] > 1.5
    # 40 web and 20 code documents, 5 of each held out for the report
    assert meta["sample"]["per_category"] == {"web": 35, "code": 15}
    assert "chars/tok" in info["out"]


def test_main_twice_same_sample_same_version(built):
    cfg, info = built
    assert load_artifact(cfg)[0] == info["first_version"]
    assert sorted(p.name for p in tokenizer_dir(cfg).iterdir()) == ["LATEST", info["first_version"]]


def test_transform_quotas_split_train_and_report_per_category(spark, built):
    cfg, _ = built
    curated = spark.read.format("delta").load(cfg.spark.warehouse + "/curated_docs")
    rows = train_tokenizer.transform(curated, cfg, {"web": 6, "code": 2}, {"web": 5, "code": 5}).collect()
    count = lambda split, cat: sum(1 for r in rows if r["split"] == split and r["category"] == cat)
    assert (count("train", "web"), count("train", "code")) == (6, 2)
    assert (count("report", "web"), count("report", "code")) == (5, 5)


def test_held_out_sizes_capped_by_fraction_of_category(cfg):
    capped = replace(cfg, ["tokenizer.report_docs_per_category=500", "tokenizer.max_report_fraction=0.1"])
    assert train_tokenizer.held_out_sizes({"code": 353, "news": 5, "web": 9000}, capped) == {
        "code": 35, "news": 0, "web": 500}


def test_category_quotas_follow_shares_or_natural_counts(cfg):
    shares = replace(cfg, ["tokenizer.sample_docs=10", "tokenizer.sample_shares={web: 0.7, code: 0.3}"])
    assert train_tokenizer.category_quotas({"web": 40, "code": 20}, shares) == {"web": 7, "code": 3}
    natural = replace(cfg, ["tokenizer.sample_docs=30"])
    assert train_tokenizer.category_quotas({"web": 40, "code": 20}, natural) == {"code": 10, "web": 20}
    capped = replace(cfg, ["tokenizer.sample_docs=100", "tokenizer.sample_shares={web: 0.5, code: 0.5}"])
    assert train_tokenizer.category_quotas({"web": 40, "code": 20}, capped) == {"web": 40, "code": 20}
