"""Quotes as clips: the embeddable player (/meeting/<id>/embed?t=a,b), and the quote a link names."""

from __future__ import annotations

ROUTES: list = []
