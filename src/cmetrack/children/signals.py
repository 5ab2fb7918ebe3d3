"""What the children app tells the apps above it, which it may not import: a vulnerability
flag was added to a child (sent inside the adding transaction, with `flag` and `by`). The
home-education register listens, so a child protection plan made while a child is home
educated reaches a manager as one made before the withdrawal does."""

from django.dispatch import Signal

flag_added = Signal()
