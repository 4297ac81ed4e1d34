"""The whole corpus (/download): the published database and a zip of every table as CSV."""

from __future__ import annotations

ROUTES: list = []
