"""Write the repository's metadata.json from the schema module (tests/test_schema.py checks it is current).

    .venv/bin/python scripts/make_metadata.py [--smoke]

`--smoke`: write it into the temporary directory instead, and say whether the repository's copy is current.
"""

import argparse
import tempfile
from pathlib import Path

from podium.publish.metadata import metadata_json

REPOSITORY_COPY = Path(__file__).resolve().parent.parent / "metadata.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="Write into the temporary directory, not the repository.")
    args = parser.parse_args()
    text = metadata_json()
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "metadata.json" if args.smoke else REPOSITORY_COPY
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target} ({len(text.encode()):,} bytes)")
    if args.smoke:
        current = REPOSITORY_COPY.exists() and REPOSITORY_COPY.read_text(encoding="utf-8") == text
        print(f"{REPOSITORY_COPY.name} in the repository is {'current' if current else 'NOT current: run this script'}")


if __name__ == "__main__":
    main()
