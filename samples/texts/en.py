"""English hand-written sample documents and the English pieces of generated noise."""

LANG = "en"

DOCS = [
    {
        "category": "news",
        "title": "Council approves protected bike lanes on Harbour Street",
        "text": """\
Council approves protected bike lanes on Harbour Street

The city council voted on Tuesday evening to build protected bike lanes along the full length of Harbour Street, ending a debate that had dragged on for almost two years. Construction is expected to begin in early spring and should take about four months.

Supporters said the lanes would make the busy waterfront safer for children who cycle to the two schools nearby. Several shop owners had warned that losing parking spaces would hurt their business, and the council agreed to add a loading zone at each end of the street.

"We listened to both sides, and I think this plan is better because of it," said the chair of the transport committee. A local cycling group called the vote a small but important victory and promised to watch the work closely.
""",
    },
    {
        "category": "news",
        "title": "Wild bees return to restored meadows, survey finds",
        "text": """\
Wild bees return to restored meadows, survey finds

Meadows that were sown with native flowers only five years ago now host almost as many species of wild bees as old grasslands, according to a survey published this week. The researchers counted insects on forty sites across the valley, from river banks to abandoned farmland.

The biggest surprise was how quickly rare ground-nesting bees moved in once the soil was left bare in a few sunny patches. Mowing late in the summer, after the flowers had set seed, also seemed to help.

The team cautioned that the results cover a single region and a few dry summers. They now plan to follow the same meadows for another decade to see whether the gains last.
""",
    },
    {
        "category": "forum",
        "title": "Sourdough starter smells like nail polish remover?",
        "text": """\
Sourdough starter smells like nail polish remover?

Hi all, I started my first sourdough starter about ten days ago with rye flour and tap water. For the first week it bubbled nicely, but since yesterday it smells sharp, almost like nail polish remover, and there is a grey liquid on top. Did I kill it, or is this normal?

Reply: Don't throw it out! That smell usually means the yeast is hungry and has run out of food. Pour off the liquid, discard most of the starter and feed it twice a day for a few days. Keeping it a little warmer also helps a lot.

Reply: Same thing happened to me last winter. After three days of regular feeding it smelled like yogurt again and my bread turned out great.
""",
    },
    {
        "category": "forum",
        "title": "Laptop fan runs constantly even when idle",
        "text": """\
Laptop fan runs constantly even when idle

My laptop is about three years old and lately the fan never stops, even when I only have a text editor open. The bottom of the case gets quite warm and the battery drains much faster than it used to. I already checked the task manager and nothing seems to use much of the processor.

Reply: Have you cleaned the vents? Dust builds up inside over time and the fan has to work harder to move the same amount of air. A can of compressed air through the vents fixed it for me.

Reply: Also check whether a background update is stuck. On my machine an indexing service kept restarting, and the fan calmed down as soon as I disabled it and rebooted.
""",
    },
    {
        "category": "encyclopedic",
        "title": "Lighthouse",
        "text": """\
Lighthouse

A lighthouse is a tower or other structure that carries a lamp and lenses to guide ships at sea or on inland waterways. Lighthouses mark dangerous coastlines, hidden shoals, reefs and the safe entrances to harbours. Each light flashes in its own pattern, so that sailors can tell one lighthouse from another at night.

The earliest known lighthouses were simple fires kept burning on hilltops. Later towers were built of stone and used oil lamps with polished reflectors. In the nineteenth century the Fresnel lens, made of many glass prisms arranged in rings, allowed a small flame to be seen from great distances.

Today most lighthouses are automated and no longer need a keeper. Many old towers have been turned into museums, while satellite navigation has reduced their role in modern shipping.
""",
    },
    {
        "category": "markdown",
        "title": "tidyfiles README",
        "text": """\
# tidyfiles

A small command-line tool that sorts the files in a folder into subfolders by type and date.

## Installation

Install it with your usual package manager and check that the command is available:

```bash
pip install tidyfiles
tidyfiles --version
```

## Usage

Run `tidyfiles` inside the folder you want to clean up. By default it only prints what it would do; add `--apply` to actually move the files.

- Pictures go to `images/`, grouped by the year they were taken.
- Documents go to `documents/`, and everything else goes to `other/`.

## Contributing

Bug reports and pull requests are welcome. Please describe how to reproduce the problem and keep each change small and focused.
""",
    },
    {
        "category": "math",
        "title": "The sum of a geometric series",
        "text": """\
The sum of a geometric series

A geometric series adds up terms that each differ from the previous one by a constant factor $r$. The partial sum of the first $n$ terms is
$$S_n = \\sum_{k=0}^{n-1} a r^k = a \\frac{1 - r^n}{1 - r}, \\qquad r \\neq 1.$$

To see why, multiply $S_n$ by $r$ and subtract the result from the original sum. Almost every term cancels, and only $a - a r^n$ is left on the right-hand side.

When $|r| < 1$ the power $r^n$ tends to zero as $n$ grows, so the infinite series converges to $\\frac{a}{1 - r}$. For example, the series $\\frac{1}{2} + \\frac{1}{4} + \\frac{1}{8} + \\dots$ has $a = r = \\frac{1}{2}$ and therefore sums to exactly one.
""",
    },
    {
        "category": "legal",
        "title": "Terms of use: limitation of liability",
        "text": """\
Terms of use: limitation of liability

The service is provided "as is" and "as available", without warranties of any kind, whether express or implied. We do not warrant that the service will be uninterrupted, secure or free of errors, or that any defects will be corrected.

To the fullest extent permitted by applicable law, the company shall not be liable for any indirect, incidental, special or consequential damages, including loss of profits, data or goodwill, arising out of or in connection with your use of the service.

Nothing in these terms excludes or limits liability that cannot be excluded or limited under the law of the country in which you live. If any provision of these terms is held to be invalid, the remaining provisions shall remain in full force and effect.
""",
    },
    {
        "category": "news",
        "title": "Library extends opening hours during exam season",
        "text": """\
Library extends opening hours during exam season

The central library will stay open until midnight on weekdays for the next six weeks to give students more room to prepare for their exams. The change was requested by the student union after reading rooms filled up before lunch every day last term.

Extra staff will be hired for the evening shifts, and the cafe on the ground floor will also keep longer hours. Quiet zones on the upper floors will be strictly enforced after eight o'clock.

Library managers said they will count visitors each night and decide in the summer whether the longer hours should become permanent.
""",
    },
]

# One line each for the three kinds of page furniture appended to web-like documents.
BOILERPLATE = {
    "nav": "Home | News | Sport | Business | Culture | Contact us",
    "cookie": "We use cookies to improve your experience on our website. By continuing to browse, you agree to our use of cookies. Accept all | Manage settings",
    "footer": "Copyright The Daily Example. All rights reserved. Privacy policy | Terms of use | Sitemap",
}

# PII sentences; placeholders are filled with generated values of the named type.
PII_TEMPLATES = [
    "If you have questions, write to {email} or call us at {phone}.",
    "Our office can be reached by phone on {phone} during working hours.",
    "The request came from the address {ipv4}, according to the server log.",
    "The new server answers on {ipv6} and the old one will be switched off soon.",
    "Please pay with the card ending in the number {credit_card} or transfer the amount to {iban}.",
    "Send the signed form to {email} before the end of the month.",
    "The applicant gave the Chinese resident ID number {cn_id} on the form.",
]

SHORT = ["Thanks!", "Page not found.", "Click here to continue", "Loading...", "Read more"]

SPAM_KEYWORDS = ["cheap watches", "free casino bonus", "lose weight fast", "best price", "buy now", "limited offer"]

SPAM_LINE = "Click here now to claim your free prize before it is too late!"
