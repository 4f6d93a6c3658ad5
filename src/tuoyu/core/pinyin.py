"""Chinese names sorted by pinyin on both databases ([accounts-ux] point 9): 阿福, 北斗,
乐育, 七色花, 亲亲 — not by code point (七色花, 乐育, 亲亲 …).

- PostgreSQL: the ICU collation `zh-x-icu` (CLDR's default Chinese order is pinyin), built
  into PostgreSQL with ICU; nothing is stored.
- SQLite: a collation `pinyin` registered on every connection (`connection_created`),
  comparing pypinyin's readings (tone numbers break ties, then the text itself).

`Pinyin("name")` is an expression for `order_by` (and `.desc()`); no column, no migration,
nothing a writer must keep up to date. It cannot use a B-tree index on `name`: sorting by
pinyin is for pages of people's lists, not for keyset scans.
"""

from __future__ import annotations

from functools import lru_cache

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func
from pypinyin import Style, lazy_pinyin

POSTGRESQL_COLLATION = "zh-x-icu"
SQLITE_COLLATION = "pinyin"


@lru_cache(maxsize=65536)
def pinyin_key(text: str | None) -> tuple:
    """The sort key of `text`: its syllables with tone numbers ("le4", "yu4"), then the
    text (two names that read alike keep a stable order). Non-Chinese runs stay as they
    are, lower-cased."""
    if text is None:
        return ((), "")
    syllables = [
        s.lower() for s in lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)
    ]
    return (tuple(syllables), text)


def _compare(a: str | None, b: str | None) -> int:
    ka, kb = pinyin_key(a), pinyin_key(b)
    return (ka > kb) - (ka < kb)


def register_sqlite_collation(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _compare)


def connect() -> None:
    """Called once from `CoreConfig.ready()`."""
    connection_created.connect(register_sqlite_collation, dispatch_uid="tuoyu_pinyin_collation")


class Pinyin(Func):
    """`ORDER BY <expression> COLLATE <pinyin>` on either database."""

    function = None
    template = f'%(expressions)s COLLATE "{POSTGRESQL_COLLATION}"'
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template=f"%(expressions)s COLLATE {SQLITE_COLLATION}"
        )
