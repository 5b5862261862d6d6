"""Helpers shared by the test folders: golden-data readers and independent reference twins."""
