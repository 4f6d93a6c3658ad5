"""Set-based inserts for the big data paths: COPY on PostgreSQL, executemany on SQLite
(ARCHITECTURE: "Big data paths are set-based").

`bulk_insert` skips what `bulk_create` does per object (building the INSERT's SQL for each
batch, returning primary keys, signals): callers that need the new ids read them back with
one query on a natural key.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from django.db import connections, models, router, transaction


def _insert_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
    ]


def bulk_insert(model, objs: Iterable[models.Model], *, batch_size: int = 10_000) -> int:
    """Insert unsaved instances of `model`; returns the number of rows written."""
    using = router.db_for_write(model)
    connection = connections[using]
    fields = _insert_fields(model)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    written = 0
    iterator = iter(objs)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        while batch := list(islice(iterator, batch_size)):
            rows = [
                tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
                for obj in batch
            ]
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
            written += len(rows)
    return written


def bulk_update_rows(model, names: list[str], objs) -> None:
    """One prepared UPDATE executed for every row (executemany): set-based where
    `bulk_update`'s CASE expressions grow quadratically with the batch."""
    connection = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(n) for n in names]
    table = connection.ops.quote_name(model._meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    pk = connection.ops.quote_name(model._meta.pk.column)
    rows = [
        (*(f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields), obj.pk)
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", rows)
