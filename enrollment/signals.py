"""What enrollment tells the apps above it, which it must not import (docs/architecture.md)."""

from django.dispatch import Signal

# Sent inside the transaction that stored the farmers' KPJs, with their rows locked:
# sender=Farmer, farmers=[<Farmer>, …] (one, or a drain's batch). Contributions releases the
# payments that waited for them.
farmers_registered = Signal()
