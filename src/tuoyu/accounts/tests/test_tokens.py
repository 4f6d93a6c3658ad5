"""API tokens: hashed at rest, revocable, last-used time shown (API-CONTRACT §0)."""

import pytest
from django.core.management import call_command

from tuoyu.accounts.models import ApiToken
from tuoyu.accounts.services import api_token_authenticate, api_token_issue, api_token_revoke


@pytest.fixture
def shichang(make_user):
    return make_user("shichang", department="market_regulation")


def test_token_is_stored_hashed_and_authenticates(shichang):
    token, raw = api_token_issue(user=shichang, name="登记系统")
    assert raw.startswith("ty_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.key_hash, stored.prefix) and stored.prefix == raw[:10]
    assert api_token_authenticate(raw) == shichang
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_revoked_token_no_longer_authenticates(shichang):
    token, raw = api_token_issue(user=shichang, name="x")
    api_token_revoke(token=token, acting_user=shichang)
    assert api_token_authenticate(raw) is None
    assert api_token_authenticate("ty_not-a-token") is None


def test_inactive_user_token_is_refused(shichang):
    _, raw = api_token_issue(user=shichang, name="x")
    shichang.is_active = False
    shichang.save()
    assert api_token_authenticate(raw) is None


def test_api_requires_token(client, shichang):
    response = client.get("/api/v1/regions")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_issue_token_command_prints_a_working_token(shichang, capsys):
    call_command("issue_token", "shichang")
    raw = capsys.readouterr().out.strip()
    assert api_token_authenticate(raw) == shichang


def test_token_page_issues_shows_once_and_revokes(client, shichang):
    client.force_login(shichang)
    response = client.post("/accounts/tokens/", {"name": "登记推送"})
    html = response.content.decode()
    assert "仅显示一次" in html
    token = ApiToken.objects.get(user=shichang)
    assert "从未使用" in html
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "已吊销" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cannot_revoke_someone_elses_token(client, shichang, make_user):
    other = make_user("minzheng", department="civil_affairs")
    token, _ = api_token_issue(user=other, name="x")
    client.force_login(shichang)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
