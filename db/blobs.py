"""Attached files' bytes, kept in the encrypted store next to their Document records."""
from __future__ import annotations

from sqlalchemy import Connection, insert, select

from app.errors import NotFound
from db import tables as t


class BlobRepository:
    """Write-once byte store keyed by the Document's id (a document is never edited in place)."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def put(self, blob_id: str, content: bytes) -> None:
        self.conn.execute(insert(t.document_blobs).values(id=blob_id, content=bytes(content)))

    def get(self, blob_id: str) -> bytes:
        content = self.conn.execute(select(t.document_blobs.c.content)
                                    .where(t.document_blobs.c.id == blob_id)).scalar()
        if content is None:
            raise NotFound("document content", blob_id)
        return bytes(content)
