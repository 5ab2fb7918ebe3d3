"""The demo's one error. Pure: the people generator raises it too, without Django."""


class SeedError(Exception):
    """The demo cannot be loaded as asked; the message says why."""
