"""What enrollment tells the apps above it, which it must not import (docs/architecture.md)."""

from django.dispatch import Signal

# Sent inside the transaction that stored the farmer's KPJ, with the farmer row locked:
# sender=Farmer, farmer=<Farmer>. Contributions releases the payments that waited for it.
farmer_registered = Signal()
