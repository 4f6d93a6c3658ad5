"""[scale] #10 point 5: institution names and addresses searched on an index of character
unigrams and bigrams (GIN on PostgreSQL, FTS5 on SQLite), two-character words included
(婴童, 东孝: what a trigram index cannot narrow); every word of `q` must match; input that
looks like syntax (`"`, `*`, `OR`, `%`, `_`) is text."""

from __future__ import annotations

import pytest
from django.db import connection

from tuoyu.institutions import public_facts, search
from tuoyu.institutions.models import Institution
from tuoyu.institutions.selectors import public as public_selectors
from tuoyu.institutions.selectors import public_search
from tuoyu.institutions.selectors.directory import DirectoryFilters, institutions_directory

pytestmark = pytest.mark.django_db

PUBLIC = "/api/v1/public/institutions"


@pytest.fixture
def population(make_filed, district):
    make_filed(name="金华市金东区婴童乐园托育有限公司", address="多湖街道光明路1号")
    make_filed(
        name="金华市金东区阳光托育有限公司",
        address="东孝街道孝顺路8号",
        township=district["dongxiao"],
    )
    make_filed(name="金华市金东区小太阳幼儿托管中心", address="多湖街道童心路2号")
    make_filed(name="金东区“100%”_托育*有限公司 OR", address="多湖街道")
    return {i.name: i for i in Institution.objects.all()}


def public_names(client, q) -> list[str]:
    response = client.get(PUBLIC, {"q": q})
    assert response.status_code == 200, response.content
    body = response.json()
    names = sorted(r["name"] for r in body["results"])
    assert body["count"] == len(names)
    return names


def directory_names(user, q) -> list[str]:
    qs = institutions_directory(acting_user=user, filters=DirectoryFilters(q=q))
    return sorted(qs.values_list("name", flat=True))


def test_tokens_are_unigrams_and_bigrams_per_run():
    assert search.document("婴童", "A-b 1") == "1 a b 婴 婴童 童"
    assert search.word_tokens("婴童乐") == ["婴童", "童乐"]
    assert search.word_tokens("托") == ["托"]
    assert search.word_tokens('"%*') == []


def test_a_two_character_word_of_the_name(client, population):
    assert public_names(client, "婴童") == ["金华市金东区婴童乐园托育有限公司"]


def test_a_two_character_word_of_the_address(client, population, health_user):
    """东孝 is in the address (东孝街道…), not the name."""
    assert public_names(client, "东孝") == ["金华市金东区阳光托育有限公司"]
    assert directory_names(health_user, "东孝") == ["金华市金东区阳光托育有限公司"]


def test_every_word_must_match(client, population, health_user):
    assert public_names(client, "托育 婴童") == ["金华市金东区婴童乐园托育有限公司"]
    assert public_names(client, "托育  阳光") == ["金华市金东区阳光托育有限公司"]
    assert public_names(client, "婴童 阳光") == []
    assert directory_names(health_user, "托育 婴童") == ["金华市金东区婴童乐园托育有限公司"]


def test_a_single_character(client, population):
    assert public_names(client, "童") == sorted(
        ["金华市金东区小太阳幼儿托管中心", "金华市金东区婴童乐园托育有限公司"]  # 童心路: address
    )


def test_longer_words_need_the_characters_adjacent(client, population):
    """Words of more than two characters are confirmed on the narrowed rows: their bigrams
    must be adjacent, as typed."""
    assert public_names(client, "阳光托育") == ["金华市金东区阳光托育有限公司"]
    assert public_names(client, "太阳幼儿") == ["金华市金东区小太阳幼儿托管中心"]
    assert public_names(client, "阳托") == []
    assert public_names(client, "东区婴童乐园托育") == ["金华市金东区婴童乐园托育有限公司"]
    # 金东 and 东区 are bigrams of every name here, but 金东区区 is none of them.
    assert public_names(client, "金东区区") == []


def test_no_match(client, population):
    assert public_names(client, "不存在的机构") == []


@pytest.mark.parametrize("q", ['"', "*", "OR", "%", "_", '" OR "', "100%", "_托育*", "'; --"])
def test_syntax_like_input_is_text(client, population, health_user, q):
    """Nothing of FTS5's or LIKE's syntax leaks: a word is its characters."""
    odd = "金东区“100%”_托育*有限公司 OR"
    expected = {
        '"': [],  # no letter or digit: nothing the index can narrow, nothing matches
        "*": [],
        "%": [],
        "_": [],
        "'; --": [],
        "OR": [odd],
        '" OR "': [],  # `"` is a word of its own, and the name has “ ”, not "
        "100%": [odd],
        "_托育*": [odd],
    }[q]
    assert public_names(client, q) == expected
    assert directory_names(health_user, q) == expected


def test_exact_uscc_still_finds_in_public_and_prefix_in_directory(client, population, health_user):
    inst = population["金华市金东区阳光托育有限公司"]
    assert public_names(client, inst.uscc) == [inst.name]
    assert public_names(client, inst.uscc.lower()) == [inst.name]
    assert inst.name in directory_names(health_user, inst.uscc[:12])


def test_a_renamed_institution_is_found_by_its_new_name(client, population):
    inst = population["金华市金东区小太阳幼儿托管中心"]
    inst.name = "金华市金东区蒲公英托育有限公司"
    inst.save(update_fields=["name", "updated_at"])
    assert public_names(client, "蒲公英") == ["金华市金东区蒲公英托育有限公司"]
    assert public_names(client, "太阳") == []


def test_reindex_repairs_rows_written_around_save(client, population):
    inst = population["金华市金东区小太阳幼儿托管中心"]
    Institution.objects.filter(pk=inst.pk).update(address="东孝街道新路3号")
    assert "金华市金东区小太阳幼儿托管中心" not in public_names(client, "新路")
    assert search.reindex([inst.pk]) == 1
    assert public_names(client, "新路") == ["金华市金东区小太阳幼儿托管中心"]
    assert search.reindex() == 0


def test_the_count_and_the_page_come_from_one_search(
    client, population, django_assert_num_queries, monkeypatch
):
    """The page the public sees (`public_search`): the count, the rows and their classes in
    one statement (other apps' fact providers, a query each, left out here)."""
    monkeypatch.setattr(public_facts, "_enrolment", {})
    monkeypatch.setattr(public_facts, "_facts", {})
    with django_assert_num_queries(1):
        page = public_search.public_page(q="托育")
    assert page.count == 3


def _bulk_filed(district, n: int) -> None:
    """`n` filed institutions none of which has 婴童 (bulk: tokens from `pre_save`)."""
    from django.utils import timezone

    from tuoyu.core.bulk import bulk_insert

    now = timezone.now()
    bulk_insert(
        Institution,
        [
            Institution(
                uscc=f"91330703BK{i:07d}X",
                name=f"金华市金东区第{i}号托育有限公司",
                address=f"多湖街道光明路{i}号",
                legal_form="company",
                for_profit=True,
                township=district["duohu"],
                registration_status="registered",
                registration_authority="market_regulation",
                registered_at=now,
                filing_status="filed",
                filing_number=f"BK-{i:07d}",
                created_at=now,
                updated_at=now,
            )
            for i in range(n)
        ],
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_postgres_two_character_search_uses_the_gin_index(population, district):
    """[scale] #10 done-when: EXPLAIN shows the search index used for a two-character q."""
    _bulk_filed(district, 3000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE institutions_institution")
    qs = public_selectors.public_institutions(q="婴童")
    plan = qs.explain()
    assert "Bitmap Index Scan on institution_search_gin" in plan, plan
    assert [i.name for i in qs] == ["金华市金东区婴童乐园托育有限公司"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table is SQLite's")
def test_sqlite_two_character_search_uses_the_fts5_table(population):
    qs = public_selectors.public_institutions(q="婴童")
    plan = qs.explain()
    assert "institutions_search VIRTUAL TABLE" in plan, plan


def _explain_served(**filters) -> str:
    """EXPLAIN of the statement the public API runs for `filters` (`public_search`)."""
    from tuoyu import policy

    day = policy.as_date(None)
    conditions = public_search._conditions(
        q=filters.get("q"), township=None, affordable=None, age_months=None, day=day
    )
    sql, params = public_search.page_statement(
        conditions, day, 0, 20, counted=bool(filters.get("q")), ordered_index=not filters
    )
    prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_postgres_the_served_statement_uses_the_gin_index(population, district):
    """The statement the API serves (count and page in one) asks the GIN index too."""
    _bulk_filed(district, 3000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE institutions_institution")
    plan = _explain_served(q="婴童")
    assert "Bitmap Index Scan on institution_search_gin" in plan, plan
    assert public_search.public_page(q="婴童").count == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 and INDEXED BY are SQLite's")
def test_sqlite_the_served_statements_use_their_indexes(population):
    assert "institutions_search VIRTUAL TABLE" in _explain_served(q="婴童")
    # no text: the page's ids walk the covering index of the public order (no sort of all)
    assert "USING INDEX institution_public_name" in _explain_served()
