"""Write the repository's metadata.json from the schema module (tests/test_schema.py checks it is current)."""

from pathlib import Path

from podium.publish.metadata import metadata_json

(Path(__file__).resolve().parent.parent / "metadata.json").write_text(metadata_json(), encoding="utf-8")
