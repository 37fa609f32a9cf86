"""Hand-written documents for the sample corpus, one module per language.

Each language module holds `LANG`, `DOCS` (dicts with `category`, `title`, `text`; every text is
our own writing, 3-8 sentences over several paragraphs, long enough for fastText lid.176 to name
its language), `BOILERPLATE` (one nav, cookie-banner and footer line), `PII_TEMPLATES`
(sentences with `{email}`-style placeholders), `SHORT` (very short pages), `SPAM_KEYWORDS` and
`SPAM_LINE`.
"""

from types import ModuleType

from samples.texts import de, en, es, fr, ja, ru, zh

LANGUAGES: dict[str, ModuleType] = {m.LANG: m for m in (en, zh, de, fr, es, ru, ja)}

LOREM_WORDS = (
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut "
    "labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris "
    "nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate velit esse "
    "cillum eu fugiat nulla pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui "
    "officia deserunt mollit anim id est laborum"
).split()
