"""Stopped by systemd or cron (SIGTERM), a backup or restore still cleans up after itself."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import NoReturn


def _exit(signum: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def sigterm_exits() -> Iterator[None]:
    """Turn SIGTERM into SystemExit for the duration, so every `finally` runs.

    Python's default ends the process at once: the decrypted copy in the temporary folder
    would stay on disk. (A restore stopped half-way is rolled back either way.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set a handler; a test thread keeps the default
        return
    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
