"""The explorer's state, as plain objects with events: no widgets, no Qt (tested without a display)."""
