"""The answering stage: a question in, an `Answer` out; knows nothing of Telegram or the terminal.

parse (`question`: the only reading of the question's text) → candidates (BM25's best and e5's
closest, `answer.Answerer.retrieve`) → features (`evidence`, one record per candidate) → ranking
(`ranker`, fitted; weights in `data/`) → span (`extract`, `people`, `spans`, `spanrank`) → reply
(answer, not sure, or not in the articles: `answer`).
"""
