"""[house] point 5: pages show the Chinese message (and the row and column of an import
error), never the error code; the audit log shows each action's label from the catalogue."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuoyu.accounts.catalogue import AccountsAction
from tuoyu.core.catalogue import CoreError

pytestmark = pytest.mark.django_db


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_error_page_shows_the_message_not_the_code(client, district):
    response = client.get("/public/institutions/", {"q": "\x00"})
    assert response.status_code == 400
    text = visible_text(response.content.decode())
    assert "请求中含有不允许的控制字符（NUL）" in text
    assert CoreError.INVALID_CHARACTER not in text


def test_the_import_report_shows_row_column_and_message_not_the_code(client, health_user):
    client.force_login(health_user)
    not_a_workbook = SimpleUploadedFile("统计.xlsx", b"this is no workbook")

    response = client.post(reverse("regions:statistics_import"), {"file": not_a_workbook})

    assert response.status_code == 200
    html = response.content.decode()
    text = visible_text(html)
    assert f'data-code="{CoreError.FILE_INVALID}"' in html
    assert "文件不是有效的 Excel 工作簿" in text and "文件" in text
    assert CoreError.FILE_INVALID not in text
    assert "错误代码" not in text


def test_the_audit_log_shows_labels_not_action_names(client, health_user):
    client.post("/login/", {"username": health_user.username, "password": "pass-word-2020"})

    response = client.get(reverse("audit:list"))

    assert response.status_code == 200
    html = response.content.decode()
    text = visible_text(html)
    assert "登录成功" in text
    assert AccountsAction.SESSION_LOGIN not in text
    # for support staff and scripts, in an attribute ([accounts-ux] #9 point 5)
    assert f'data-action="{AccountsAction.SESSION_LOGIN}"' in html
