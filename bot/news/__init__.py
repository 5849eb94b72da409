"""Live news: links and feeds in, article files out.

`fetch` downloads within one deadline and a byte cap, `urls` normalises and vets addresses,
`webpage` extracts an article's text, title and date, `links` adds one link, `feeds` polls RSS and
Atom feeds; what they make is written by `bot.library.archive`.
"""
