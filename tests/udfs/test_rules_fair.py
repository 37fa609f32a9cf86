"""Rules fair across languages: quotes and guillemets end sentences, French spaced punctuation
is not a word without letters. Expectations counted by hand from the texts below."""
from __future__ import annotations

from conf import load_config
from udfs import c4, fineweb, gopher
from udfs.c4 import C4LineRules
from udfs.text_view import make_view

FRENCH = ("Le maire a déclaré : « Le pont rouvrira au printemps ! »\n"
          "Les habitants se demandent pourquoi les travaux ont duré si longtemps ?\n"
          "La mairie promet un marché chaque samedi ; les commerçants sont ravis.")
GERMAN = ("Der Bürgermeister sagte: „Die Brücke wird im Frühjahr wieder geöffnet.“\n"
          "Die Anwohner fragen sich, warum die Arbeiten so lange gedauert haben.")
CHINESE = "今天的天气很好，我们一起去公园散步。\n你看到那些花了吗？\n真是太漂亮了！"


def _cfg():
    return load_config().annotate


def test_french_spaced_punctuation_not_counted_as_letterless_words():
    q = dict(zip(gopher.QUALITY_SIGNALS, gopher.gopher_quality_signals(make_view(FRENCH, False), None)))
    # 36 white-space tokens; ":", "«", "!", "»", "?", ";" are spaced punctuation: 30 tokens left,
    # every one with a letter (before: 30 / 36 = 0.83)
    assert q["alpha_word_frac"] == 1.0


def test_guillemet_and_german_quote_lines_end_sentences_for_c4_and_fineweb():
    cfg = _cfg()
    rules = C4LineRules(cfg.c4.terminal_punctuation, cfg.c4.min_words_per_line)
    for text, n_lines in ((FRENCH, 3), (GERMAN, 2)):
        view = make_view(text, False)
        sig = dict(zip(c4.SIGNALS, c4.c4_signals(view, rules)))
        assert sig["c4_removed_line_frac"] == 0.0  # every line ends in » ? ; . or “
        fw = dict(zip(fineweb.SIGNALS, fineweb.fineweb_signals(view, cfg.fineweb.terminal_punctuation, 30)))
        assert fw["punct_line_frac"] == 1.0, text


def test_cjk_full_stops_end_lines():
    cfg = _cfg()
    view = make_view(CHINESE, True)
    rules = C4LineRules(cfg.c4.terminal_punctuation, cfg.c4.min_words_per_line)
    assert dict(zip(c4.SIGNALS, c4.c4_signals(view, rules)))["c4_removed_line_frac"] == 0.0
    fw = dict(zip(fineweb.SIGNALS, fineweb.fineweb_signals(view, cfg.fineweb.terminal_punctuation, 12)))
    assert fw["punct_line_frac"] == 1.0  # 。 ？ ！
