"""The Telegram layer: turns updates into `Answerer.ask` calls and answers into HTML replies."""
