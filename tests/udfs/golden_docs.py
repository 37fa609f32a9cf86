"""Hand-written golden documents for the annotate rules (shared by the udfs and job tests).

`BASE` passes every rule with the default config. Each entry of `GOLDEN` is
(expected reason, text, config overrides): the text trips that rule and no other. Overrides
appear only where a rule cannot fire alone by construction (a duplicated line is also a
duplicated 5-gram) or needs an absurd input with the defaults (a 10 MB document).
"""

BASE_LINES = [
    "The old stone bridge over the river was finally reopened to walkers and cyclists this spring.",
    "Engineers spent almost two years replacing the worn arches and strengthening the foundations with new concrete.",
    "Local families say that the crossing has always been part of their daily routine, and they are glad to have it back.",
    "A small market now takes place on the eastern bank every Saturday morning, selling bread, cheese and fresh vegetables.",
    "Children from the nearby school walk across with their teachers to study the birds that nest under the arches.",
    "The town council hopes that the project will bring more visitors to the quiet streets of the old quarter.",
    "Some residents worry about noise and parking, but most of them agree that it looks better than it has in decades.",
    "During the works, a temporary ferry carried commuters between the two banks for a small fee.",
    "Its captain, a retired fisherman, became something of a local celebrity and even appeared in a documentary.",
    "Historians believe the first wooden crossing at this spot was built more than six hundred years ago.",
    "Fragments of its timber posts were found in the mud when the water level dropped during a dry summer.",
    "A plaque near the western steps now tells that story, with drawings made by pupils of the primary school.",
    "Next year the council plans to repair the riverside path and plant a row of lime trees along it.",
    "Anyone who wants to help can join the volunteers who meet at the library on the first Monday of each month.",
]
BASE = "\n".join(BASE_LINES)


def _with(*extra: str, at: int = 6, keep: int = 14) -> str:
    lines = list(BASE_LINES[:keep])
    lines[at:at] = extra
    return "\n".join(lines)


SHORT_WORDS = "\n".join([
    "He and I go to the pub at six on a day off.",
    "We sit by the big red car and eat a pie or two.",
    "It is a bit odd, yet we do it as we may.",
    "My pa and ma say to me it is ok if I am in by ten.",
    "So we go up the hill, try a new bar, then go on by bus.",
    "If it is wet we may opt for tea at my den, or lie in bed.",
])

LONG_WORDS = "\n".join([
    "Comprehensive infrastructure modernisation necessitated extraordinary interdisciplinary coordination.",
    "Environmental sustainability considerations fundamentally transformed conventional procurement methodologies.",
    "Internationally recognised conservationists enthusiastically acknowledged the painstakingly documented archaeological investigations.",
    "Municipal administrators subsequently commissioned independent telecommunications infrastructure assessments.",
    "Representatives emphasised the extraordinarily complicated intergovernmental responsibilities and administrative interdependencies.",
    "Nevertheless, the unprecedented characteristics of the neighbourhood revitalisation programme guaranteed considerable international attention.",
])

NO_STOP_WORDS = "\n".join([
    "Rain fell over northern hills during early morning hours, soaking every field.",
    "Farmers checked fences, barns and cellars; several found flooded storage rooms.",
    "Local firefighters pumped water from basements until late afternoon, working hard.",
    "By evening, clouds moved east, revealing bright stars above quiet villages.",
    "Meteorologists expect drier weather next week, although cold winds may return.",
    "Residents hope roads reopen soon, since buses cannot reach remote farms yet.",
])

FEW_SENTENCES = "\n".join([
    "The old stone bridge over the river was finally reopened to walkers and cyclists this spring after long works on its arches.",
    "Engineers spent almost two years replacing the worn arches and strengthening the foundations with new concrete and steel.",
    "Local families say that the crossing has always been part of their daily routine, and they are very glad to have it back.",
    "A small market now takes place on the eastern bank every Saturday morning, selling bread, cheese and fresh vegetables to visitors.",
])

FEW_PUNCT_LINES = "\n".join([" ".join(BASE_LINES[:5])] + [
    "Notes from the riverside walking group this season",
    "Market stalls on the eastern bank every weekend",
    "Timetable of the temporary ferry during the repairs",
    "Volunteer meetings held at the public library downtown",
    "Drawings by pupils shown beside the western steps",
    "Plans for lime trees along the restored footpath",
    "Archaeological finds recovered from river mud in August",
    "Contact details for the council transport office",
])

SHORT_LINES = "\n".join(BASE_LINES[:6] + [
    "We met at the old bridge.", "She sold us fresh bread.", "They fixed the arches.",
    "Kids ran to the river bank.", "Birds nest under it.", "The ferry was slow.",
    "A plaque tells the story.", "He sells cheese there.", "Trees will line the path.",
    "The mud hid old posts.", "Rain came in the night.", "The council met twice.",
    "Buses stop at the steps.", "It opened in spring.", "Crowds came on Sunday.",
])

CHINESE = (
    "春天来到城市，公园里的花都开了。很多人在湖边散步，孩子们在草地上放风筝。"
    "老人们坐在长椅上聊天，有的人在下棋。附近的商店卖新鲜的水果和点心，生意很好。"
    "晚上广场上有音乐会，吸引了许多市民参加。大家都说这是一年中最美好的季节。"
)
CHINESE_NO_STOP = (
    "春天来临，公园里花朵盛开。游客们沿着湖边散步，欣赏美丽风景。孩子们放风筝，老人们下棋聊天。"
    "附近商店出售新鲜水果与点心，生意兴隆。晚上，广场上举行音乐会，吸引许多市民参加。周末还会举办书展，展出各类图书。"
)
CHINESE_SHORT = "春天来到城市，公园里的花都开了。人们在湖边散步。孩子们放风筝。老人们聊天。这是美好的季节。"

PYTHON_CODE = '''import json
from pathlib import Path


def load_rows(path):
    """Read one JSON object per line."""
    rows = []
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


class Counter:
    def __init__(self):
        self.counts = {}

    def add(self, key):
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key]


if __name__ == "__main__":
    total = Counter()
    for row in load_rows(Path("data.jsonl")):
        total.add(row["kind"])
    print(total.counts)
'''

MARKDOWN_DOC = """# tidyfiles

A small command-line tool that sorts the files in a folder into subfolders by type and date.

## Installation

Install it with your usual package manager and check that the command is available:

```bash
pip install tidyfiles
tidyfiles --version
```

## Usage

Run `tidyfiles` inside the folder you want to clean up. By default it only prints what it would do; add `--apply` to move the files.

- Pictures go to `images/`, grouped by the year they were taken.
- Documents go to `documents/`, and everything else goes to `other/`.
- Hidden files are left alone unless you pass `--all`.

## Contributing

Bug reports and pull requests are welcome. Please describe how to reproduce the problem and keep each change small and focused.
"""

MATH_DOC = r"""A geometric series adds up terms that each differ from the previous one by a constant factor $r$. The partial sum of the first $n$ terms is
$$S_n = \sum_{k=0}^{n-1} a r^k = a \frac{1 - r^n}{1 - r}, \qquad r \neq 1.$$
To see why, multiply $S_n$ by $r$ and subtract the result from the original sum. Almost every term cancels, and only $a - a r^n$ is left on the right-hand side.
When $|r| < 1$ the power $r^n$ tends to zero as $n$ grows, so the infinite series converges to $\frac{a}{1 - r}$. For example, the series $\frac{1}{2} + \frac{1}{4} + \frac{1}{8} + \dots$ has $a = r = \frac{1}{2}$ and therefore sums to exactly one.
The same argument works for complex $r$ with $|r| < 1$, which is the starting point of the theory of power series and of the proof that $\sum_{k} z^k$ converges inside the unit disc.
"""

# (reason, text, overrides)
GOLDEN = [
    ("input_binary", _with("\x00\x01\x02\x03\x04" * 20), []),
    ("input_too_long", BASE, ["annotate.input.max_text_bytes=1000"]),
    ("langid_low_score", BASE, ["annotate.langid.min_score=0.9999"]),
    ("langid_low_share", "\n".join(BASE_LINES[:10] + [
        "Die alte Steinbrücke über den Fluss wurde in diesem Frühjahr endlich wieder für Fußgänger geöffnet.",
        "Ingenieure haben fast zwei Jahre lang die Bögen ersetzt und die Fundamente mit neuem Beton verstärkt.",
        "Viele Familien aus der Nachbarschaft sagen, dass die Brücke schon immer zu ihrem Alltag gehört hat.",
        "Jeden Samstagmorgen findet nun am östlichen Ufer ein kleiner Markt mit Brot, Käse und Gemüse statt.",
     # 70 % English, 30 % German: the document-level score is ~0.6 (a mixed document is less
     # sure of one language; plain lid.176 gives 0.55), so min_score is lowered to isolate the share rule
     ]), ["annotate.langid.min_share=0.8", "annotate.langid.min_score=0.5"]),
    ("gopher_few_words", "\n".join([
        "The bridge reopened to walkers this spring.", "Engineers replaced the worn arches.",
        "Families walk across it daily.", "A market sells fresh bread and cheese there.",
        "Children watch birds under it.", "Visitors now fill the quiet streets.",
     ]), []),
    ("gopher_many_words", BASE, ["annotate.gopher.max_words=100"]),
    ("gopher_short_words", SHORT_WORDS, []),
    ("gopher_long_words", LONG_WORDS, []),
    ("gopher_many_hashes", _with(" ".join(f"#{w}" for w in (
        "bridge river town spring market walk cycling history engineering family local news photo "
        "travel arches ferry council lime trees volunteers library concrete plaque pupils mud").split()) + ".",
        keep=6), []),
    ("gopher_many_ellipses", _with(
        "It was long... slow... costly... noisy... dusty... tiring... but... worth... it... all... "
        "in... the... end... they... say... to... us... today... and... tomorrow... again... "
        "here... there... everywhere... now... then... somehow... anyway... finally.", keep=6), []),
    ("gopher_many_bullet_lines", "\n".join("• " + line for line in BASE_LINES), []),
    ("gopher_many_ellipsis_lines", "\n".join(BASE_LINES[:6] + [
        "And then the lights went out over the water…", "Nobody knew what would come next…",
        "The ferry captain only smiled and waited…", "Some say the old posts still whisper at night…",
     ]), []),
    ("gopher_few_alpha_words", _with(
        "The counts were 12 40 33 51 27 19 88 64 70 15 23 91 46 38 57 29 62 11 84 73 "
        "16 45 98 31 52 67 24 89 13 56 71 48 35 90 22 63 17 80 44 26 59 99 14 66.",
        "Later tallies read 101 202 303 404 505 606 707 808 909 111 222 333 444 555 "
        "666 777 888 999 121 131 141 151 161 171 181 191 212 232 242 252 262 272."), []),
    ("gopher_few_stop_words", NO_STOP_WORDS, []),
    ("gopher_rep_dup_lines", BASE + "\n" + "\n".join(["Read more."] * 8),
     ["annotate.fineweb.max_dup_line_char_frac=null", "annotate.fineweb.max_short_line_frac=null"]),
    ("gopher_rep_dup_paragraphs", "\n\n".join(p for line in BASE_LINES[:7] for p in (line, "Read more below.")),
     ["annotate.fineweb.max_dup_line_char_frac=null", "annotate.gopher_rep.max_dup_line_frac=null"]),
    ("gopher_rep_dup_line_chars", BASE + "\n" + "\n".join(BASE_LINES[:4]),
     ["annotate.fineweb.max_dup_line_char_frac=null", "annotate.gopher_rep.max_dup_para_char_frac=null"]
     + [f"annotate.gopher_rep.max_dup_{n}gram_char_frac=null" for n in range(5, 11)]),
    ("gopher_rep_dup_para_chars", "\n\n".join(BASE_LINES + BASE_LINES[:4]),
     ["annotate.fineweb.max_dup_line_char_frac=null", "annotate.gopher_rep.max_dup_line_char_frac=null",
      "annotate.gopher_rep.max_dup_line_frac=null", "annotate.fineweb.max_newline_per_word=null"]
     + [f"annotate.gopher_rep.max_dup_{n}gram_char_frac=null" for n in range(5, 11)]),
    ("gopher_rep_top_2gram", "\n".join(f"{a} New York {b}." for a, b in (
        ("Yesterday", "cheered for the team"), ("Last week", "slept and then woke"),
        ("On Monday", "voted with friends"), ("At dawn", "celebrated quietly"),
        ("Before lunch", "danced in rain"), ("After dinner", "sang with us"),
        ("By noon", "waited for buses"), ("In spring", "woke up early"),
        ("Every winter", "changed slowly"), ("Last night", "remembered everything")
     )),
     [f"annotate.gopher_rep.max_top_{n}gram_char_frac=null" for n in (3, 4)]
     + [f"annotate.gopher_rep.max_dup_{n}gram_char_frac=null" for n in range(5, 11)]),
    ("c4_few_sentences", FEW_SENTENCES, []),
    ("c4_lorem_ipsum", _with("Lorem ipsum dolor sit amet was printed on the first draft of the plaque."), []),
    ("c4_curly_bracket", _with("The plan {as drafted last year} was approved without changes."), []),
    ("c4_long_word", _with("Its serial number reads " + "x" * 1001 + " on the brass plate."), []),
    ("c4_many_removed_lines", "\n".join(BASE_LINES[:8] + [
        "Market day on the eastern bank", "Ferry rides during the works", "Timber posts found in the mud",
        "Lime trees along the riverside path", "Volunteers at the library"]),
     ["annotate.c4.max_removed_line_frac=0.3"]),
    ("fineweb_few_punct_lines", FEW_PUNCT_LINES, []),
    ("fineweb_many_short_lines", SHORT_LINES, []),
    ("fineweb_dup_line_chars", _with("Volunteers meet at the library on Mondays.", at=2)
     + "\nVolunteers meet at the library on Mondays.", []),
    ("fineweb_many_newlines", "\n\n\n\n\n\n\n".join(BASE_LINES), []),
    ("cjk_few_chars", CHINESE_SHORT, []),
    ("cjk_many_chars", CHINESE, ["annotate.cjk.max_chars=50"]),
    ("cjk_few_stop_chars", CHINESE_NO_STOP, []),
    ("toxicity_high_score", _with("Then some idiot shouted fuck this shit, you bastard, at the workers."), []),
    ("pii_over_budget", _with("Write to anna@example.org, ben@example.org, carl@example.org, dora@example.org, "
                              "emil@example.org, fay@example.org, gus@example.org or hal@example.org.", keep=6), []),
]

_FRAMES = [
    ("Yesterday", "near the harbour"), ("On Monday", "before the storm"), ("Last spring", "after the flood"),
    ("In March", "beside the mill"), ("At noon", "under grey skies"), ("Every year", "at the fair"),
    ("Once again", "along the canal"), ("Later on", "in the square"), ("By evening", "across the valley"),
    ("Some days", "outside the station"), ("Long ago", "behind the church"), ("Next week", "inside the museum"),
]


def repeated_phrase(phrase: str, times: int, filler_lines: int) -> str:
    """`phrase` inside `times` otherwise different sentences, plus `filler_lines` of BASE."""
    lines = [f"{a}, {phrase} {b}." for a, b in _FRAMES[:times]]
    return "\n".join(BASE_LINES[:filler_lines] + lines)


_NGRAM_PHRASES = {
    3: "cheerful river keepers",
    4: "cheerful river keepers gathered",
    5: "cheerful river keepers gathered quietly",
    6: "cheerful river keepers gathered quietly together",
    7: "cheerful river keepers gathered quietly together again",
    8: "cheerful river keepers gathered quietly together again briefly",
    9: "cheerful river keepers gathered quietly together again briefly today",
    10: "cheerful river keepers gathered quietly together again briefly today somewhere",
}

# (n, times, filler lines): the n-word phrase's coverage lands between the n-gram threshold
# and the (n-1)-gram one, so exactly one n-gram rule fires (found by hand for the defaults).
_NGRAM_CASES = [(3, 6, 4), (4, 4, 5), (5, 2, 3), (6, 2, 5), (7, 2, 6), (8, 2, 8), (9, 2, 10), (10, 2, 13)]
GOLDEN += [
    (f"gopher_rep_{'top' if n < 5 else 'dup'}_{n}gram", repeated_phrase(_NGRAM_PHRASES[n], times, filler), [])
    for n, times, filler in _NGRAM_CASES
]

# Clean prose on a topic the test quality model learns as low quality (quality_low_score alone).
CASINO_LINES = [
    "Our online casino welcomes every new player with a generous bonus on the first deposit.",
    "The slot machines on this site offer jackpots that grow with every spin of the reels.",
    "Players can claim free spins each week by logging in and visiting the promotions page.",
    "A loyalty programme rewards regular gamblers with points that convert into betting credit.",
    "Roulette tables stream live from a studio, and a friendly dealer spins the wheel for you.",
    "Poker tournaments start every hour, with buy-ins that suit both beginners and high rollers.",
    "Withdrawals are processed within a day, so winnings reach your account without delay.",
    "Sports betting fans will find odds on football, tennis and horse racing around the clock.",
    "Mobile apps let you place a wager from anywhere, whether at home or on the train.",
    "Special offers at the weekend double the value of every deposit made before midnight.",
    "New games are added every month, including themed slots based on films and legends.",
    "Customer support answers questions about bonuses and payments by chat or email.",
    "Responsible gaming tools allow players to set limits on deposits and session length.",
    "Sign up today, claim the welcome package and start spinning for the grand prize.",
]
CASINO = "\n".join(CASINO_LINES)

# A clean Japanese page that repeats its title and subject (per-character 5-grams repeat).
JAPANESE = (
    "富士山の四季\n\n富士山の四季は、それぞれ違った美しさを見せてくれます。春には麓の桜と富士山の雪が一緒に見られ、"
    "多くの写真家が集まります。夏になると山開きが行われ、たくさんの登山者が頂上を目指します。秋は紅葉が山の周りを彩り、"
    "空気が澄んで遠くからでも富士山がはっきり見えます。冬の富士山は真っ白な雪に覆われ、朝日に照らされると赤く染まることがあります。"
)
