"""One domain exception type, rendered once: problem+json in the API, a message in the UI.

Every failure that a person or another system can cause carries a stable machine-readable
`code` (API-CONTRACT §0), a Chinese `message`, and the `field` (or row) it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tuoyu.core.catalogue import CoreError, ErrorCode, check_error_code


@dataclass(frozen=True)
class ErrorItem:
    """`code` is a member of an app's catalogue (`tuoyu.<app>.catalogue`); a plain string
    is looked up there (unknown: `UnknownCatalogueEntry` in strict mode, else a warning).
    `message` defaults to the code's generic message."""

    code: ErrorCode | str
    message: str = ""
    field: str | None = None
    row: int | None = None

    def __post_init__(self):
        code = check_error_code(self.code)
        object.__setattr__(self, "code", code)
        if not self.message:
            object.__setattr__(self, "message", getattr(code, "message", "") or str(code))

    def as_dict(self) -> dict:
        out: dict = {"code": str(self.code), "message": str(self.message)}
        if self.field is not None:
            out["field"] = self.field
        if self.row is not None:
            out["row"] = self.row
        return out


@dataclass
class DomainError(Exception):
    """A rule was broken. `status` is the HTTP status the API answers with."""

    errors: list[ErrorItem] = field(default_factory=list)
    status: int = 422
    title: str = "请求未通过校验"

    def __init__(
        self,
        code: ErrorCode | str | None = None,
        message: str | None = None,
        *,
        field: str | None = None,
        row: int | None = None,
        status: int = 422,
        title: str | None = None,
        errors: list[ErrorItem] | None = None,
    ):
        items = list(errors or [])
        if code is not None:
            items.insert(0, ErrorItem(code=code, message=message or "", field=field, row=row))
        if not items:
            raise ValueError("DomainError needs at least one error")
        self.errors = items
        self.status = status
        self.title = title or {
            403: "无权执行此操作",
            404: "未找到",
            409: "与已有记录冲突",
            413: "请求过大",
        }.get(status, "请求未通过校验")
        super().__init__(self.message)

    @property
    def code(self) -> str:
        return self.errors[0].code

    @property
    def message(self) -> str:
        return "；".join(str(e.message) for e in self.errors)

    def problem(self) -> dict:
        return {
            "type": f"https://tuoyu.local/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "errors": [e.as_dict() for e in self.errors],
        }


class NotFound(DomainError):
    """Outside the caller's scope or not existing: the same answer (no existence leak)."""

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        code: ErrorCode = CoreError.NOT_FOUND,
    ):
        super().__init__(code, message, field=field, status=404)


class OutOfScope(DomainError):
    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        code: ErrorCode = CoreError.OUT_OF_SCOPE,
    ):
        super().__init__(code, message, field=field, status=403)


class ErrorCollector:
    """Gathers row-by-row errors of an import so that all are reported at once."""

    def __init__(self) -> None:
        self.items: list[ErrorItem] = []

    def add(
        self,
        code: ErrorCode | str,
        message: str = "",
        *,
        field: str | None = None,
        row: int | None = None,
    ):
        self.items.append(ErrorItem(code=code, message=message, field=field, row=row))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, *, title: str = "导入失败，未导入任何数据") -> None:
        if self.items:
            raise DomainError(errors=self.items, title=title)
