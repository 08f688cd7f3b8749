"""herd7 interoperability: herd7 as an oracle, and a herd7-compatible command line."""
