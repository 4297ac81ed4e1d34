"""Atom feeds: new meetings (/feed.atom) and new hits of a saved search (/search.atom?q=)."""

from __future__ import annotations

ROUTES: list = []
