"""Who reads which regions' statistics ([house] point 4): district departments every region,
a township its own subtree, nobody else any."""

from __future__ import annotations

from django.db.models import QuerySet

from tuoyu.core.scope import Scope


def regions_in_scope(qs: QuerySet, scope: Scope, *, code_field: str = "code") -> QuerySet:
    if scope.is_district:
        return qs
    if scope.is_township and scope.township_code:
        return qs.filter(**{f"{code_field}__startswith": scope.township_code})
    return qs.none()
