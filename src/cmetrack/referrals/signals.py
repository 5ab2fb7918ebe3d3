"""What intake tells the apps above it, which it may not import (the exchange with other
authorities' cmetrack listens). Each is sent inside the transaction of the change it reports,
so a receiver's own rows (an outbox message) commit with it or not at all.

- `handover_sent`: an outbound hand-over was recorded (`notification`, `by`).
- `handover_changed`: it moved on (`notification`, `from_state`, `to_state`, `by`, `reason`).
- `submission_triaged`: the CME team decided what a submission means (`submission`, `state`,
  `shared_status`, `note`, `by`): linked to a case, triaged, or no action.
"""

from django.dispatch import Signal

handover_sent = Signal()
handover_changed = Signal()
submission_triaged = Signal()
information_requested = Signal()
