"""Derived views of a workspace shared by rules, commands and rendering (no I/O)."""
