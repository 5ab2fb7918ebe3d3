"""What the children app tells the apps above it, which it may not import.

- `flag_added`: a vulnerability flag was added to a child (sent inside the adding transaction,
  with `flag` and `by`). The home-education register listens, so a child protection plan made
  while a child is home educated reaches a manager as one made before the withdrawal does.
- `children_bulk_created`: `children_create` inserted many records at once (with `children`),
  which sends no save signals: matching listens, to file their search keys."""

from django.dispatch import Signal

flag_added = Signal()
children_bulk_created = Signal()
