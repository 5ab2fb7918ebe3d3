from .errors import ExchangeError

__all__ = ["ExchangeError"]
