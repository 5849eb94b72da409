"""Vietnamese, below every stage: text in, its forms out.

NFC and accent folding (`normalize`), word segmentation and POS tags (`segmenter`, `tokenize`),
accents given back to a question typed without them (`restore`), dates as news writes them
(`dates`), and the language data, one list per concept in `vi/<concept>.txt` (`lists`,
`lexicon`). Knows nothing of articles, questions or the bot.
"""
