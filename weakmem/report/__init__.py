"""Reports: herd7's text block, JSON, and a short human-readable summary."""
