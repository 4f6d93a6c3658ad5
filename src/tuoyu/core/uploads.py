"""Checks for uploaded documents (filing materials, agreements, decisions): one set of rules
and error codes everywhere — `file_empty`, `file_too_large`, `file_type_not_allowed`.

The type is recognised by content (magic bytes) and the extension must agree, so a renamed
file of another kind is refused.
"""

from __future__ import annotations

from pathlib import PurePath

from tuoyu.core.catalogue import CoreError
from tuoyu.core.errors import DomainError
from tuoyu.core.excel import file_size

# content type → (leading bytes, extensions)
FILE_SIGNATURES = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
}
TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def sniff_content_type(head: bytes, name: str) -> str | None:
    """The content type of a file whose first bytes are `head` and whose name is `name`, or
    None: the content must be a known type *and* the extension must match it."""
    suffix = PurePath(name or "").suffix.lower()
    for content_type, (magic, extensions) in FILE_SIGNATURES.items():
        if head.startswith(magic) and suffix in extensions:
            return content_type
    return None


def check_upload(
    file, *, max_bytes: int, allowed: tuple[str, ...] = ("application/pdf",), field: str = "file"
) -> str:
    """Validate an uploaded file; returns its content type."""
    size = file_size(file)
    if not size:
        raise DomainError(CoreError.FILE_EMPTY, "上传的文件是空文件", field=field)
    if size > max_bytes:
        raise DomainError(
            CoreError.FILE_TOO_LARGE,
            f"文件过大：不超过 {max_bytes // (1024 * 1024)} MB",
            field=field,
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    content_type = sniff_content_type(head, getattr(file, "name", "") or "")
    if content_type not in allowed:
        kinds = [TYPE_NAMES[t] for t in allowed]
        names = kinds[0] if len(kinds) == 1 else "、".join(kinds[:-1]) + " 或 " + kinds[-1]
        raise DomainError(
            CoreError.FILE_TYPE_NOT_ALLOWED, f"只接受 {names} 文件（按文件内容识别）", field=field
        )
    return content_type
