"""Fitting and measuring the answering stage: question sets in, weights and figures out.

`evalsets` names every question set and its fixed tuning/held-back split; `evaluate` scores the
answering stage with the shared scorer's figures; `fit` fits the ranker, the reply models and
the span model on the tuning halves and writes `bot/answering/data/`.
"""
