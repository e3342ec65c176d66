"""Legal references: canonical citations, the register index, change impact and update due dates."""
