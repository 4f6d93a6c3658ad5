"""Re-encrypting personal data under the newest data key, and recomputing blind indexes
under the current index key ([operations] point 2; `tuoyu rotate_keys`).

Every model with a `PersonalDataField` is walked in primary-key order, in batches. Each
batch is one transaction: its rows are read locked (`select_for_update`; SQLite's
IMMEDIATE transactions lock the database), re-encrypted, written, and reported to
`on_batch` inside the same transaction (the command audits it there), so a batch is either
entirely rotated and audited or not at all. A kill -9 loses at most the batch in flight;
running again skips every value already under the newest key (the key id is in the
ciphertext) and every index already current, and carries on. Reads keep working
throughout: every key of the ring decrypts.

Core imports no app: the caller passes `on_batch` (the command writes the audit event).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction

from tuoyu.core import crypto
from tuoyu.core.personal import BlindIndexField, PersonalDataField, Sealed


@dataclass
class BatchReport:
    model: str  # "app_label.ModelName"
    mode: str  # "data" or "index"
    first_pk: object
    last_pk: object
    rows: int  # rows read
    changed: int  # rows rewritten
    done: int  # rows of the model walked so far
    total: int  # rows of the model


def personal_models() -> list[type]:
    """Every installed model with at least one encrypted field, in a stable order."""
    found = []
    for model in apps.get_models():
        if any(isinstance(f, PersonalDataField) for f in model._meta.concrete_fields):
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


def _fields(model):
    concrete = model._meta.concrete_fields
    sealed = [f for f in concrete if isinstance(f, PersonalDataField)]
    indexes = [f for f in concrete if isinstance(f, BlindIndexField)]
    return sealed, indexes


def _token(value) -> str:
    return getattr(value, "ciphertext", value) or ""


def _data_updates(row: dict, sealed) -> dict:
    updates = {}
    for f in sealed:
        token = _token(row[f.attname])
        if token and (new := crypto.reencrypt(token, context=f.kind)):
            updates[f.attname] = Sealed(new, f.kind)
    return updates


def _index_updates(row: dict, model, indexes) -> dict:
    updates = {}
    for f in indexes:
        source = model._meta.get_field(f.source)
        token = _token(row[source.attname])
        want = (
            crypto.blind_index(crypto.decrypt(token, context=f.kind), context=f.kind)
            if token
            else ""
        )
        if row[f.attname] != want:
            updates[f.attname] = want
    return updates


def rotate_model(
    model,
    *,
    mode: str = "data",
    batch_size: int = 500,
    on_batch: Callable[[BatchReport], None] | None = None,
    pause: float = 0.0,
) -> tuple[int, int]:
    """Rotate one model; (rows walked, rows rewritten). `mode` "data": every ciphertext
    under the newest key; "index": every blind index under the current index key."""
    sealed, indexes = _fields(model)
    if mode == "index" and not indexes:
        return 0, 0
    columns = ["pk"] + [f.attname for f in sealed] + [f.attname for f in indexes]
    manager = model._base_manager
    total = manager.count()
    last_pk, walked, changed = None, 0, 0
    while True:
        with transaction.atomic():
            rows = manager.select_for_update().order_by("pk")
            if last_pk is not None:
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.values(*columns)[:batch_size])
            if not batch:
                break
            n = 0
            for row in batch:
                if mode == "data":
                    updates = _data_updates(row, sealed)
                else:
                    updates = _index_updates(row, model, indexes)
                if updates:
                    manager.filter(pk=row["pk"]).update(**updates)
                    n += 1
            last_pk = batch[-1]["pk"]
            walked += len(batch)
            changed += n
            if on_batch is not None:
                on_batch(
                    BatchReport(
                        model=model._meta.label,
                        mode=mode,
                        first_pk=batch[0]["pk"],
                        last_pk=last_pk,
                        rows=len(batch),
                        changed=n,
                        done=walked,
                        total=total,
                    )
                )
        if pause:
            time.sleep(pause)  # spare a busy database between batches
    return walked, changed


def remaining(model) -> dict[str, int]:
    """How many values of `model` are not under the newest key / current index key."""
    sealed, indexes = _fields(model)
    current = crypto.current_key_id()
    old_values = stale_indexes = 0
    columns = ["pk"] + [f.attname for f in sealed] + [f.attname for f in indexes]
    for row in model._base_manager.values(*columns).iterator(chunk_size=2000):
        for f in sealed:
            token = _token(row[f.attname])
            if token and (crypto.key_id_of(token) != current or token.startswith("v1:")):
                old_values += 1
        if _index_updates(row, model, indexes):
            stale_indexes += 1
    return {"values": old_values, "indexes": stale_indexes}
