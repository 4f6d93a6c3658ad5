"""Text search of institution names and addresses on an index ([scale] #10 point 5).

Chinese is written without spaces and people type two-character words (婴童, 东孝), which a
trigram index cannot narrow. As the CJK analysers of search engines do, every name and
address is indexed as its single characters and its character bigrams:

- `Institution.search_tokens` holds them, space-separated (NFKC, case-folded; letters and
  digits only: punctuation and spaces end a run, so no bigram spans two words or the name
  and the address). The field computes itself on every save and every `core.bulk_insert`
  (its `pre_save`); writes that bypass both (`bulk_update_rows`, `.update()`) call
  `reindex(ids)`.
- PostgreSQL: a GIN index on the tokens as an array (`institutions_search_tokens(…)`,
  `string_to_array` in a function of declared cost; `@>` on the array: tokens are compared
  verbatim, no text-search parser in between).
- SQLite: an FTS5 table `institutions_search` with external content (the column itself),
  kept by triggers; the triggers are re-created after every `migrate` (a table rebuild of a
  later migration drops them: `ensure_sqlite_sync`).

A query is split on whitespace; every word must match (AND), in the name or the address.
A word of one character needs its unigram, a longer one all its bigrams; words of more than
two characters (or with punctuation) are then confirmed with `icontains` on the narrowed
rows (bigrams present are not bigrams adjacent). A word with no letter or digit at all
(`"`, `%`, `*`) is matched by `icontains` alone on what the other words narrowed, or
matches nothing when no word can use the index (never a table scan).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

FTS_TABLE = "institutions_search"
GIN_INDEX = "institution_search_gin"
TOKENS_FUNCTION = "institutions_search_tokens"
TABLE = "institutions_institution"
# What one search accepts (the API's and the forms' own bounds are lower).
MAX_WORDS = 10


def _runs(text: str) -> list[str]:
    """The runs of letters and digits of `text`, normalised (NFKC, case-folded)."""
    norm = unicodedata.normalize("NFKC", text or "").casefold()
    runs, current = [], []
    for ch in norm:
        if ch.isalnum():
            current.append(ch)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def document(*texts: str) -> str:
    """The tokens of `texts` (name, address): unigrams and bigrams, sorted, deduplicated,
    space-separated."""
    tokens: set[str] = set()
    for text in texts:
        for run in _runs(text):
            tokens.update(run)
            tokens.update(run[i : i + 2] for i in range(len(run) - 1))
    return " ".join(sorted(tokens))


def institution_document(institution) -> str:
    return document(institution.name or "", institution.address or "")


def words_of(q: str | None) -> list[str]:
    """The whitespace-separated words of a query (at most MAX_WORDS)."""
    return (q or "").split()[:MAX_WORDS]


def word_tokens(word: str) -> list[str]:
    """The tokens a word needs: its unigram (one character) or its bigrams."""
    out: list[str] = []
    for run in _runs(word):
        if len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return list(dict.fromkeys(out))


def _needs_confirming(word: str) -> bool:
    """Whether the index alone is not exact for `word`: more than two characters (bigrams
    present need not be adjacent), or anything the index does not see as typed."""
    runs = _runs(word)
    return not (len(runs) == 1 and runs[0] == word and len(word) <= 2)


def _index_condition(tokens: list[str]) -> RawSQL:
    """The indexed match of all `tokens` on the institution table (a boolean expression)."""
    if connection.vendor == "postgresql":
        return RawSQL(
            f"{TOKENS_FUNCTION}({TABLE}.search_tokens) @> %s::text[]",
            (tokens,),
            output_field=BooleanField(),
        )
    # FTS5: every token a quoted string (implicit AND); a `"` cannot occur in a token.
    match = " ".join(f'"{t}"' for t in tokens)
    return RawSQL(
        f"{TABLE}.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)",
        (match,),
        output_field=BooleanField(),
    )


def text_match(q: str | None, *, fields: Iterable[str] = ("name", "address")) -> Q | None:
    """The condition "every word of `q` is in one of `fields`", narrowed by the index; None
    when `q` has no word. A query no word of which the index can narrow matches nothing."""
    words = words_of(q)
    if not words:
        return None
    tokens: list[str] = []
    confirm = Q()
    for word in words:
        tokens.extend(word_tokens(word))
        if _needs_confirming(word):
            either = Q()
            for name in fields:
                either |= Q(**{f"{name}__icontains": word})
            confirm &= either
    if not tokens:
        return Q(pk__in=[])
    return Q(_index_condition(list(dict.fromkeys(tokens)))) & confirm


def sql_condition(q: str | None, *, alias: str, fields=("name", "address")):
    """`text_match` as an SQL fragment on the table aliased `alias`, for the statements of the
    public search written out by hand (`selectors.public_search`): (sql, params), or None
    when `q` has no word; `("FALSE", [])` when no word can use the index (matches nothing,
    never a scan). The same conditions as `text_match` (a test holds both to one answer)."""
    words = words_of(q)
    if not words:
        return None
    tokens: list[str] = []
    confirm: list[str] = []
    params: list = []
    for word in words:
        tokens.extend(word_tokens(word))
        if _needs_confirming(word):
            pattern = f"%{connection.ops.prep_for_like_query(word)}%"
            # icontains as Django writes it on both databases: ASCII case-folded LIKE.
            confirm.append(
                "("
                + " OR ".join(f"UPPER({alias}.{f}) LIKE UPPER(%s) ESCAPE '\\'" for f in fields)
                + ")"
            )
            params.extend([pattern] * len(fields))
    if not tokens:
        return "FALSE", []
    tokens = list(dict.fromkeys(tokens))
    if connection.vendor == "postgresql":
        index = f"{TOKENS_FUNCTION}({alias}.search_tokens) @> %s::text[]"
        index_params: list = [tokens]
    else:
        index = f"{alias}.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"
        index_params = [" ".join(f'"{t}"' for t in tokens)]
    return " AND ".join([index, *confirm]), index_params + params


# --- keeping the index -------------------------------------------------------------------


def reindex(ids: Iterable[int] | None = None, *, chunk_size: int = 2000) -> int:
    """Recompute `search_tokens` of the institutions `ids` (all when None) from their names
    and addresses; for writes that bypass `save()` and `core.bulk_insert` (a bulk update of
    names or addresses; a seed that wrote rows otherwise). Returns the rows updated. On
    SQLite the triggers carry the change into the FTS table."""
    from tuoyu.core.bulk import bulk_update_rows
    from tuoyu.institutions.models import Institution

    qs = Institution.objects.order_by("pk").only("pk", "name", "address", "search_tokens")
    if ids is not None:
        ids = list(ids)
        chunks = [ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)]
    else:
        chunks = [None]
    updated = 0
    for chunk in chunks:
        rows = qs if chunk is None else qs.filter(pk__in=chunk)
        changed = []
        for row in rows.iterator(chunk_size=chunk_size):
            tokens = institution_document(row)
            if tokens != row.search_tokens:
                row.search_tokens = tokens
                changed.append(row)
        for i in range(0, len(changed), chunk_size):
            bulk_update_rows(Institution, ["search_tokens"], changed[i : i + chunk_size])
        updated += len(changed)
    return updated


SQLITE_TRIGGERS = {
    "institutions_search_ai": f"""
        CREATE TRIGGER IF NOT EXISTS institutions_search_ai AFTER INSERT ON {TABLE} BEGIN
          INSERT INTO {FTS_TABLE}(rowid, search_tokens) VALUES (new.id, new.search_tokens);
        END""",
    "institutions_search_ad": f"""
        CREATE TRIGGER IF NOT EXISTS institutions_search_ad AFTER DELETE ON {TABLE} BEGIN
          INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_tokens)
            VALUES ('delete', old.id, old.search_tokens);
        END""",
    "institutions_search_au": f"""
        CREATE TRIGGER IF NOT EXISTS institutions_search_au
        AFTER UPDATE OF search_tokens ON {TABLE} BEGIN
          INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_tokens)
            VALUES ('delete', old.id, old.search_tokens);
          INSERT INTO {FTS_TABLE}(rowid, search_tokens) VALUES (new.id, new.search_tokens);
        END""",
}

SQLITE_FTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    f"search_tokens, content='{TABLE}', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')"
)

# The tokens as an array, through a function the planner is told is not free (COST): with
# string_to_array itself (cost 1) PostgreSQL prefers walking the name index in order and
# splitting every row's tokens (25 ms for 5,000 rows) to the GIN bitmap (under 2 ms).
# plpgsql, so it is not inlined back into string_to_array. IMMUTABLE: it can be indexed.
POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TOKENS_FUNCTION}(tokens text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000
AS $$ BEGIN RETURN string_to_array(tokens, ' '); END $$
"""
# fastupdate off: a new row's tokens go into the index at once, not into a pending list that
# every search would read (and the planner count against the index) until a VACUUM; the
# table is written a row at a time, or by a seed once.
POSTGRES_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON {TABLE} "
    f"USING gin ({TOKENS_FUNCTION}(search_tokens)) WITH (fastupdate = off)"
)


def ensure_sqlite_sync(cursor) -> bool:
    """Create the FTS5 table and its triggers where missing (SQLite); when anything was
    missing, rebuild the FTS index from the column. Returns whether it rebuilt."""
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name IN "
        f"('{FTS_TABLE}', {', '.join(repr(n) for n in SQLITE_TRIGGERS)})"
    )
    present = {row[0] for row in cursor.fetchall()}
    if present >= {FTS_TABLE, *SQLITE_TRIGGERS}:
        return False
    cursor.execute(SQLITE_FTS)
    for sql in SQLITE_TRIGGERS.values():
        cursor.execute(sql)
    cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    return True


def on_post_migrate(sender, using="default", **kwargs) -> None:
    """After `migrate`: SQLite's table rebuilds (a later AddField) drop triggers."""
    from django.db import connections

    conn = connections[using]
    if conn.vendor != "sqlite":
        return
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM sqlite_master WHERE name = '{TABLE}'")
        if cursor.fetchone() is None:
            return
        ensure_sqlite_sync(cursor)
