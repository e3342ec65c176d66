"""Thin click commands: parse options, call a use case, format the result."""
