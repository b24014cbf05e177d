"""Uploaded files, stored once by SHA-256 under the data directory.

A file is accepted only if its size is within the limit and its content is what its name
says (the first bytes are checked, so a renamed executable is refused). Word and Excel
files are zip archives: one is refused unless it opens as a zip, has at most 1,000 entries
and at most 200 MB unpacked, no entry past 100 KB unpacks to more than 100 times its packed
size, and every entry unpacks to exactly the size it declares — a zip bomb is refused
before anything reads it. The `attachments`
table records which case a file belongs to and who uploaded it; downloads are allowed to
the people on that case (checked by the Engine).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePath

from liucheng.errors import ValidationError
from liucheng.rules.validators import RuleProblem

MAX_SIZE = 20 * 1024 * 1024
ZIP_TYPES = (".docx", ".xlsx")
ZIP_ENTRIES = 1000
ZIP_UNPACKED = 200 * 1024 * 1024
ZIP_RATIO = 100  # as Apache POI: unpacked / packed, for entries past ZIP_GRACE
ZIP_GRACE = 100 * 1024
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
        if suffix in ZIP_TYPES:
            _check_zip(content, filename)
        return content_type
    else:
        allowed = sorted({s for _, suffixes in SIGNATURES.values() for s in suffixes})
        raise ValidationError([RuleProblem(
            message=f"files of type '{suffix or 'none'}' are not accepted", field="file",
            hint=f"upload one of {', '.join(allowed)}", code="file.type",
            message_zh=f"不接受“{suffix or '无扩展名'}”类型的文件",
            hint_zh=f"请上传以下类型之一：{'、'.join(allowed)}")])
    raise ValidationError([RuleProblem(
        message=f"'{filename}' is not really a {suffix} file", field="file",
        hint="upload the original scan or document", code="file.content",
        message_zh=f"“{filename}”并不是真正的 {suffix} 文件", hint_zh="请上传原始扫描件或文档")])


def _check_zip(content: bytes, filename: str) -> None:
    """Refuse a damaged Office file, or one that unpacks to far more than it weighs."""
    def refuse(why: str, why_zh: str) -> ValidationError:
        return ValidationError([RuleProblem(
            message=f"'{filename}' {why}", field="file",
            hint="save the document again in Word or Excel, or upload it as a PDF",
            code="file.office", message_zh=f"“{filename}”{why_zh}",
            hint_zh="请用 Word 或 Excel 重新保存，或改为上传 PDF")])
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
        if len(entries) > ZIP_ENTRIES:
            raise refuse(f"holds {len(entries)} files; at most {ZIP_ENTRIES} are accepted",
                         f"包含 {len(entries)} 个文件，最多接受 {ZIP_ENTRIES} 个")
        unpacked = sum(e.file_size for e in entries)
        if unpacked > ZIP_UNPACKED:
            raise refuse(f"unpacks to {unpacked // 2**20} MB; at most "
                         f"{ZIP_UNPACKED // 2**20} MB is accepted",
                         f"解压后有 {unpacked // 2**20} MB，最多接受 {ZIP_UNPACKED // 2**20} MB")
        for e in entries:
            if e.file_size > ZIP_GRACE and e.file_size > ZIP_RATIO * max(e.compress_size, 1):
                raise refuse(f"is a zip bomb: {e.filename[:80]} unpacks to "
                             f"{e.file_size // max(e.compress_size, 1)} times its size",
                             f"是压缩炸弹：其中的 {e.filename[:80]} 解压后是原来的 "
                             f"{e.file_size // max(e.compress_size, 1)} 倍")
        for e in entries:  # the sizes declared are what unpacks (zipfile stops there, and
            with archive.open(e) as entry:  # checks the CRC at the end)
                while entry.read(1 << 20):
                    pass
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError,
            RuntimeError, EOFError, ValueError, OSError) as exc:  # RuntimeError: encrypted
        suffix = PurePath(filename).suffix.lower()
        raise refuse(f"is not a readable {suffix} file ({exc})",
                     f"不是可以读取的 {suffix} 文件（{exc}）") from None


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
            raise ValidationError([RuleProblem(
                message=f"'{sha256[:70]}' is not a file id", field="file", code="file.id",
                message_zh=f"“{sha256[:70]}”不是有效的文件编号")])
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes, filename: str) -> StoredFile:
        if len(content) > self.max_size:
            raise ValidationError([RuleProblem(
                message=f"the file is {len(content) // 1024} KB; at most "
                f"{self.max_size // 1024} KB is accepted", field="file", code="file.size",
                message_zh=f"文件大小为 {len(content) // 1024} KB，最多接受 "
                           f"{self.max_size // 1024} KB")])
        if not content:
            raise ValidationError([RuleProblem(message="the file is empty", field="file",
                                               code="file.empty", message_zh="文件是空的")])
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
