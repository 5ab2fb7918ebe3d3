"""The worker's pulse: a thread beside the task loop that says "alive" and runs the schedule.

It runs in its own thread so a long import in the task loop neither stops the heartbeat nor
delays the daily tick's claim (the tick then waits its turn in the queue). The thread uses its
own database connection and closes it after each beat, so a database restart is survived.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import close_old_connections, connection
from django.utils import timezone

from .models import WorkerHeartbeat
from .runner import schedule_claim_due

logger = logging.getLogger(__name__)

BEAT_SECONDS = 15.0


def heartbeat_write(worker_id: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"last_seen": now, "hostname": socket.gethostname()[:255], "pid": os.getpid()},
        create_defaults={
            "last_seen": now,
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": now,
        },
    )


def beat_once(worker_id: str, *, schedule: bool) -> None:
    heartbeat_write(worker_id)
    if schedule:
        for run in schedule_claim_due():
            logger.info("Queued %s for window %s", run.name, run.slot)


class PulseThread(threading.Thread):
    def __init__(self, worker_id: str, *, schedule: bool, interval: float = BEAT_SECONDS):
        super().__init__(name="cmetrack-pulse", daemon=True)
        self.worker_id = worker_id
        self.schedule = schedule
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                close_old_connections()
                beat_once(self.worker_id, schedule=self.schedule)
            except Exception:
                # A database blip must not kill the pulse: the next beat tries again.
                logger.exception("Worker heartbeat or schedule failed; trying again shortly")
            finally:
                connection.close()
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()
