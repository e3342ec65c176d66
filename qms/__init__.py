"""qms: an ISO 9001:2015 quality-management system kept as code."""

__version__ = "0.1.0"
TOOL_NAME = "qms"
