"""Internal audit: programme, plans, checklists, findings and documents (ISO 9001:2015 9.2)."""
