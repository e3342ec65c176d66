"""ISO 9001:2008 → 2015 migration: correlation look-ups, gap analysis, rewrite and report."""
