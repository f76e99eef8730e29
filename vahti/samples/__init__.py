"""Sample pages shipped with vahti (used by `vahti demo` and the README)."""
