"""The only layer that touches the filesystem: discovery, YAML I/O, atomic writes, id allocation."""
