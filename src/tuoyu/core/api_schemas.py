"""Schemas shared by every API router: the RFC 9457 problem document of API-CONTRACT §0."""

from ninja import Field, Schema


class ProblemItem(Schema):
    code: str
    message: str
    field: str | None = None
    row: int | None = None


class Problem(Schema):
    type: str
    title: str
    status: int
    errors: list[ProblemItem]
    request_id: str | None = Field(
        None, description="请求编号（500 时给出；与响应头 X-Request-ID 相同），联系平台运维时请提供"
    )
