"""The project's own error family: each message says what to do next."""


class BotError(Exception):
    """Base of every error the bot reports to a person in one line."""


class ConfigError(BotError):
    """A setting is missing or has a value the bot cannot use."""


class ArticleError(BotError):
    """One article file cannot be read; the others still load."""


class EmptyCorpusError(BotError):
    """No usable article, so there is nothing to answer from."""
