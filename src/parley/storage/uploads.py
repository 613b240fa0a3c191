"""Receiving an upload: streamed to disk chunk by chunk under a size cap, never whole in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from parley.errors import PayloadTooLarge


async def receive_to_file(path: Path, chunks: AsyncIterator[bytes], *, max_bytes: int) -> int:
    """Write the chunks to `path` and return the size; over the cap the file is removed and 413 raised."""
    written = 0
    try:
        with path.open("wb") as out:
            async for chunk in chunks:
                written += len(chunk)
                if written > max_bytes:
                    raise PayloadTooLarge(
                        f"the upload is larger than the {max_bytes:,} byte limit (PARLEY_MAX_UPLOAD_BYTES)"
                    )
                # Disk writes off the event loop, so one big upload does not stall other requests.
                await run_in_threadpool(out.write, chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return written
