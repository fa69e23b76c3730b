"""The notification service: the only sanctioned way to message customers."""
