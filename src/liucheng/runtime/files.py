"""Uploaded files, stored once by SHA-256 under the data directory.

A file is accepted only if its size is within the limit and its content is what its name
says (the first bytes are checked, so a renamed executable is refused). The `attachments`
table records which case a file belongs to and who uploaded it; downloads are allowed to
the people on that case (checked by the Engine).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePath

from liucheng.errors import Problem, ValidationError

MAX_SIZE = 20 * 1024 * 1024
SIGNATURES: dict[str, tuple[tuple[bytes, ...], tuple[str, ...]]] = {
    "application/pdf": ((b"%PDF-",), (".pdf",)),
    "image/png": ((b"\x89PNG\r\n\x1a\n",), (".png",)),
    "image/jpeg": ((b"\xff\xd8\xff",), (".jpg", ".jpeg")),
    "image/gif": ((b"GIF87a", b"GIF89a"), (".gif",)),
    "image/tiff": ((b"II*\x00", b"MM\x00*"), (".tif", ".tiff")),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (
        (b"PK\x03\x04",), (".docx",)),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (
        (b"PK\x03\x04",), (".xlsx",)),
    "text/plain": ((), (".txt",)),
}


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    filename: str
    content_type: str
    size: int


def sniff(content: bytes, filename: str) -> str:
    """The content type a file really has, from its name and first bytes; or raise."""
    suffix = PurePath(filename).suffix.lower()
    for content_type, (magic, suffixes) in SIGNATURES.items():
        if suffix not in suffixes:
            continue
        if magic and not any(content.startswith(m) for m in magic):
            break
        if not magic:
            try:
                content.decode("utf-8")
            except UnicodeDecodeError:
                break
        return content_type
    else:
        allowed = sorted({s for _, suffixes in SIGNATURES.values() for s in suffixes})
        raise ValidationError([Problem(f"files of type '{suffix or 'none'}' are not accepted",
                                       field="file", hint=f"upload one of {', '.join(allowed)}")])
    raise ValidationError([Problem(f"'{filename}' is not really a {suffix} file", field="file",
                                   hint="upload the original scan or document")])


def safe_name(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name.strip().lstrip(".")
    return "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')[:200] or "file"


class FileStore:
    def __init__(self, root: Path | str | None = None, *, max_size: int = MAX_SIZE) -> None:
        base = root or os.environ.get("LIUCHENG_DATA_DIR") or "liucheng-data"
        self.root = Path(base) / "files"
        self.max_size = max_size

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(ch not in "0123456789abcdef" for ch in sha256):
            raise ValidationError([Problem(f"'{sha256[:70]}' is not a file id", field="file")])
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes, filename: str) -> StoredFile:
        if len(content) > self.max_size:
            raise ValidationError([Problem(
                f"the file is {len(content) // 1024} KB; at most {self.max_size // 1024} KB "
                "is accepted", field="file")])
        if not content:
            raise ValidationError([Problem("the file is empty", field="file")])
        name = safe_name(filename)
        content_type = sniff(content, name)
        digest = hashlib.sha256(content).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".part")
            tmp.write_bytes(content)
            tmp.replace(target)
        return StoredFile(digest, name, content_type, len(content))

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()
