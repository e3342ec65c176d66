"""Management review (ISO 9001:2015 9.3): the pack of inputs and the review record."""
