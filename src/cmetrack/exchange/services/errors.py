from __future__ import annotations


class ExchangeError(Exception):
    """A refusal with a message for the person (or peer) who asked; `field` names the input."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field
