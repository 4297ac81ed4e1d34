"""The JSON API (/api/...), its OpenAPI 3 description (/api/openapi.json) and its human page (/api)."""

from __future__ import annotations

ROUTES: list = []
