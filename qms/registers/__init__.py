"""Registers kept as YAML records: use cases behind the ``qms nc`` commands."""
