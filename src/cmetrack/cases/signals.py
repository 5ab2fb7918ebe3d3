"""What the cases app tells the apps above it, which it may not import: a case was closed
(sent inside the closing transaction, with `case` and `by`). The home-education register
listens, so a child passed to the EHE team is on its register the moment the case closes."""

from django.dispatch import Signal

case_closed = Signal()
