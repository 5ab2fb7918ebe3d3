"""Local development: `make run`. Debug on, embedded SQLite by default."""

from .base import *  # noqa: F403

DEBUG = True
