"""Files the API hands out (PDF, XLSX): one way to answer them, one way to document them.

A download's name is Chinese where a clerk reads it (``记`` in a voucher
number, the report's title), but an HTTP header carries Latin-1 only: a
Chinese ``filename="…"`` raised UnicodeEncodeError in the server and the
client got no bytes at all. So the header names the file twice, as RFC 6266
says: ``filename="…"`` in plain ASCII for old clients, and
``filename*=UTF-8''…`` (RFC 8187 percent-encoding) with the real name.

A file gathered on the read replica says how old its figures are in the
``X-Data-Age`` header (whole seconds; 0 when the replica was up to date);
one read on the primary carries no such header.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

from flask import Response

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA_AGE = "X-Data-Age"


def download(
    body: bytes,
    filename: str,
    *,
    zh: str | None = None,
    inline: bool = False,
    age: int | None = None,
) -> Response:
    """`body` as a file named `filename` (its extension picks the type), `zh` its Chinese name.

    `age`: the replica's lag in seconds when the figures were read there.
    """
    mimetype = PDF if filename.endswith(".pdf") else XLSX
    headers = {"Content-Disposition": content_disposition(filename, zh, inline=inline)}
    if age is not None:
        headers[DATA_AGE] = str(age)
    return Response(body, mimetype=mimetype, headers=headers)


def content_disposition(filename: str, zh: str | None = None, *, inline: bool = False) -> str:
    """The RFC 6266 header: an ASCII ``filename`` and the UTF-8 ``filename*`` (`zh` if given)."""
    disposition = "inline" if inline else "attachment"
    encoded = quote(zh or filename, safe="")
    return f"{disposition}; filename=\"{ascii_name(filename)}\"; filename*=UTF-8''{encoded}"


def ascii_name(name: str) -> str:
    """`name` in printable ASCII, safe inside quotes: accents dropped, anything else ``_``."""
    decomposed = unicodedata.normalize("NFKD", name)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in kept)


def file_doc(*mimetypes: str) -> dict[str, Any]:
    """`blp.doc(**file_doc(PDF))`: the 200 answer is a binary file of these types."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    responses: dict[str, Any] = {
        "200": {"description": "file", "content": {m: binary for m in mimetypes}}
    }
    if PDF in mimetypes:  # a server without the CJK font answers pdf-font-missing
        responses["503"] = "SERVICE_UNAVAILABLE"
    return {"responses": responses}
