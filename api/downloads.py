"""Files the API hands out (PDF, XLSX): one way to answer them, one way to document them."""

from __future__ import annotations

from typing import Any

from flask import Response

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(body: bytes, filename: str, *, inline: bool = False) -> Response:
    """`body` as a file named `filename` (its extension picks the type)."""
    mimetype = PDF if filename.endswith(".pdf") else XLSX
    disposition = "inline" if inline else "attachment"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


def file_doc(*mimetypes: str) -> dict[str, Any]:
    """`blp.doc(**file_doc(PDF))`: the 200 answer is a binary file of these types."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "responses": {"200": {"description": "file", "content": {m: binary for m in mimetypes}}}
    }
