"""Schemas shared by every API router: the RFC 9457 problem document of API-CONTRACT §0."""

from ninja import Schema


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
