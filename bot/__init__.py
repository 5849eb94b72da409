"""Answers questions about Vietnamese news articles, with a quoted source and a citation."""

__version__ = "0.1.0"
