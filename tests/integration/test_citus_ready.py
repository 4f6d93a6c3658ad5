"""The schema stays Citus-ready (ARCHITECTURE: database): institution-owned tables carry the
institution in every unique key, so they can be distributed by institution_id; everything
else is a reference table or stays on the coordinator, and says why here."""

from django.apps import apps
from django.db import models

# Tables with an institution foreign key that are NOT distributed by institution, and why.
NOT_DISTRIBUTED = {
    # Users are a small reference table; usernames are unique across the platform.
    "accounts.user": "reference table",
    # The registration authorities' inbox: keyed by their event_id before any institution
    # exists; stays on the coordinator.
    "institutions.registrationevent": "coordinator table keyed by the authority's event id",
    # Chain agreements span institutions (head and branches); a small reference table.
    "institutions.chainagreement": "reference table",
    # Subsidy claims: one or two per institution and year, numbered across the district
    # (BZ2025-000123, the number finance staff quote); stays on the coordinator.
    "subsidies.claim": "coordinator table numbered across the district",
}


def _institution_fk(model) -> str | None:
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, models.ForeignKey)
            and field.related_model._meta.label_lower == "institutions.institution"
            and field.name in ("institution", "head")
        ):
            return field.name
    return None


def _unique_keys(model):
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key:
            yield (field.name,)
    for fields in model._meta.unique_together:
        yield tuple(fields)
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            yield tuple(constraint.fields)


def test_institution_owned_tables_have_the_institution_in_every_unique_key():
    problems = []
    for model in apps.get_models():
        label = model._meta.label_lower
        fk = _institution_fk(model)
        if fk is None or label in NOT_DISTRIBUTED:
            continue
        for key in _unique_keys(model):
            if fk not in key:
                problems.append(f"{label}: unique {key} lacks {fk}")
    assert not problems, "\n".join(problems)


def test_no_institution_owned_table_refers_to_itself():
    # A self-reference invites recursive queries over a distributed table.
    for model in apps.get_models():
        if _institution_fk(model) is None:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is model:
                raise AssertionError(f"{model._meta.label_lower}.{field.name} refers to itself")
