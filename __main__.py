"""`podium` and `python -m podium`: the command line (`podium.cli`), run with glibc's malloc on
transparent huge pages.

Whisper's encoder allocates and frees buffers of tens of megabytes for every 30 s window. glibc hands
buffers that large straight back to the kernel, so each window faulted its memory in again, 4 KB at a
time: on 2 cores that was a fifth of the CPU time of an ingest. Huge pages cut the faults 20-fold and the
whole ingest by 4-11 % (docs/benchmarks.md). glibc reads the setting only when a process starts, hence
one re-exec, before anything heavy is imported; elsewhere (no glibc, older glibc, huge pages off) the
setting does nothing.
"""

from __future__ import annotations

import os
import sys

HUGE_PAGES = "glibc.malloc.hugetlb=1"


def _restart_on_huge_pages() -> None:
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    if not sys.platform.startswith("linux") or "glibc.malloc.hugetlb" in tunables:
        return  # not glibc, or set already (by this restart, or by the user)
    os.environ["GLIBC_TUNABLES"] = f"{tunables}:{HUGE_PAGES}" if tunables else HUGE_PAGES
    os.execv(sys.executable, sys.orig_argv)


def main() -> None:
    _restart_on_huge_pages()
    from podium.cli import main as cli

    cli(prog_name="podium")


if __name__ == "__main__":
    main()
