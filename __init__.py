"""Podium: official texts of spoken meetings aligned to their recordings, published with Datasette.

The repository root is this package: `ingest/`, `alignment/` and `publish/` install as
`podium.ingest`, `podium.alignment` and `podium.publish` (see `package-dir` in pyproject.toml).
"""
