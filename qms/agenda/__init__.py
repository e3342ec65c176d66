"""``qms due``: one agenda of everything that falls due (actions, reviews, audits, documents)."""
