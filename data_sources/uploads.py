"""Files a user downloads by hand and loads (the Data page's upload, the CLI's import-file).

Rules, in order, before anything reaches the store:

1. The file name must end with one of the format's suffixes (``UploadFormat.suffixes``).
2. The size must be at most :data:`MAX_UPLOAD_BYTES` (20 MiB; Streamlit's own limit is 200 MB),
   measured before the content is read: ``len`` of bytes, or the stream's end position.
3. The file is parsed from the stream itself (no second copy of the upload in memory) by the
   provider's own parser, the one its live download uses.
4. The payload rules of :func:`data_sources.validate.check_update` for the series alone (no
   stored frame): dates not in the future (one day of grace), values inside the catalog's
   bounds for the key (AAII shares 0…100 adding up to 100 ± 1, NAAIM −200…200, put/call
   above 0, margin debt above 0, …), numbers only, one row per date (a repeat with different
   values was refused by the parser). Messages name the file.

The store applies the same validation again against what it holds (stale copy, units, history).
"""

from __future__ import annotations

import io
import os
from typing import BinaryIO, cast

import pandas as pd

from data_sources.errors import BadPayload, EmptyPayload
from data_sources.providers import UploadFormat
from data_sources.validate import check_update

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _size(data: bytes | BinaryIO) -> int:
    if isinstance(data, bytes | bytearray):
        return len(data)
    start = data.tell()
    end = data.seek(0, os.SEEK_END)
    data.seek(start)
    return end - start


def _bounded_stream(data: bytes | BinaryIO, filename: str) -> BinaryIO:
    """A stream over ``data``; an unseekable stream is read up to the limit (+1 byte to tell)."""
    if isinstance(data, bytes | bytearray):
        return io.BytesIO(data)
    if data.seekable():
        return data
    head = data.read(MAX_UPLOAD_BYTES + 1)
    if len(head) > MAX_UPLOAD_BYTES:
        raise BadPayload(_too_big(filename, len(head)))
    return io.BytesIO(head)


def _too_big(filename: str, size: int) -> str:
    return (
        f"{filename} is {size / 1024 / 1024:.1f} MB; uploads are limited to "
        f"{MAX_UPLOAD_BYTES / 1024 / 1024:.0f} MB (the providers' own files are far smaller)"
    )


def parse_upload(
    fmt: UploadFormat, data: bytes | BinaryIO, filename: str, *, now: pd.Timestamp | None = None
) -> pd.DataFrame:
    """The series frame in an uploaded file, checked (see the module's rules); raises
    :class:`BadPayload` (or a subclass) with a one-line message, and never changes anything."""
    if not filename.lower().endswith(fmt.suffixes):
        raise BadPayload(
            f"{filename}: {fmt.key} takes {', '.join(fmt.suffixes)} files ({fmt.description})"
        )
    stream = _bounded_stream(data, filename)
    size = _size(stream)
    if size > MAX_UPLOAD_BYTES:
        raise BadPayload(_too_big(filename, size))
    if size == 0:
        raise EmptyPayload(f"{filename} is empty")
    # Every parser declared in a record reads bytes or a binary stream (spreadsheets.Payload).
    frame = fmt.parser(cast(bytes, stream), filename)
    check_update(fmt.key, frame, None, now=now, source=filename)
    return frame
