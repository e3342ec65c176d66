"""Pure pydantic v2 models of a QMS repository. No I/O, no printing, no global state."""
