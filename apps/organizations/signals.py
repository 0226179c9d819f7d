"""Signals the tree sends, inside its transaction, to the apps that hold records below it."""

from django.dispatch import Signal

# Sent after an organization (and its subtree) moved under another parent.
# Arguments: organization, old_street_id, new_street_id. Apps that store a
# street id on their records (for reports) re-point them in their own services.
organization_moved = Signal()
