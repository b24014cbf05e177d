"""Files of a case: upload (multipart, field `file`), list, download.

A file is stored once by its SHA-256 (`Engine.upload`: type checked against its first
bytes, size limit); its id is that SHA-256, which checklists and supplements name. The
case must be visible to the person's organisation; uploading and downloading also need the
person to be on the case (the engine checks it). Downloads are always `attachment` with a
safe file name and `nosniff`, so a browser never runs or renders an upload as a page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from liucheng.api import action_schemas as s
from liucheng.api.security import Need
from liucheng.api.services import Services, services
from liucheng.errors import ValidationError
from liucheng.org import access
from liucheng.org import permissions as P
from liucheng.org.permissions import Principal
from liucheng.rules.validators import RuleProblem

router = APIRouter(prefix="/api/v1/cases", tags=["files"])
Row = dict[str, Any]
SHA = PathParam(pattern="^[0-9a-f]{64}$", description="the file's SHA-256")
MULTIPART = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


def case_id_of(svc: Services, who: Principal, case_id: str) -> str:
    with svc.db() as db:
        return str(access.visible_case(db, who, case_id)["id"])


def no_file() -> ValidationError:
    return ValidationError([RuleProblem(message="choose a file to upload", field="file",
                                        code="file.missing", message_zh="请选择要上传的文件")])


async def read_upload(value: Any, limit: int) -> tuple[str, bytes] | None:
    """(file name, content) of an uploaded form part; None for an empty file input.

    Reads at most `limit + 1` bytes, so an oversized file is refused by the store without
    being held whole in memory.
    """
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    content = await value.read(limit + 1)
    if not content:
        return None
    return value.filename, content


def store(svc: Services, who: Principal, case_id: str, filename: str, content: bytes) -> Row:
    """Upload one file to a visible case; returns its record (`sha256` is its id)."""
    full = case_id_of(svc, who, case_id)
    return svc.engine.upload(full, content, filename, user=who.user)


def disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact name in RFC 5987 form."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_"
                       for ch in filename).strip() or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.post("/{case_id}/files", response_model=s.FilePublic, status_code=201,
             openapi_extra=MULTIPART)
async def upload(case_id: str, request: Request, who: Principal = Depends(Need(P.TASKS_ACT)),
                 svc: Services = Depends(services)) -> Row:
    """Upload a file (PDF, image, Office document, text) to the case; returns its id."""
    # the case is checked before the body is read, so another organisation learns nothing
    full = await run_in_threadpool(case_id_of, svc, who, case_id)
    form = await request.form()
    found = await read_upload(form.get("file"), svc.engine.files.max_size)
    if found is None:
        raise no_file()
    return await run_in_threadpool(store, svc, who, full, *found)


@router.get("/{case_id}/files", response_model=list[s.FilePublic])
def files(case_id: str, who: Principal = Depends(Need(P.CASES_READ)),
          svc: Services = Depends(services)) -> list[Row]:
    """The case's files, oldest first."""
    return svc.engine.attachments(case_id_of(svc, who, case_id))


@router.get("/{case_id}/files/{sha256}", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}})
def download(case_id: str, sha256: str = SHA, who: Principal = Depends(Need(P.CASES_READ)),
             svc: Services = Depends(services)) -> Response:
    """The file itself, as an attachment."""
    meta, content = svc.engine.download(case_id_of(svc, who, case_id), sha256, user=who.user)
    return Response(content, media_type=meta["content_type"], headers={
        "Content-Disposition": disposition(meta["filename"]),
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"})
