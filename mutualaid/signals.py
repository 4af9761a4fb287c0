"""Signals other apps listen to, so mutual aid never imports them (payments plugs in here)."""

from django.dispatch import Signal

# Sent inside the transaction that creates an enrolment awaiting the member's contribution; argument: enrolment.
contribution_due = Signal()
