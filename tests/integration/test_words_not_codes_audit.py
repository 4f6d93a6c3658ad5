"""[accounts-ux] point 5: audit rows read as sentences with labelled fields and Chinese
values — "营利性：否 → 是", "备案申请 …：待决定 → 已通过" — never "— → True" or
"status: awaiting_decision → approved"; the codes stay in attributes."""

from __future__ import annotations

import pytest
from django.utils import translation

from tuoyu.accounts.catalogue import AccountsAction
from tuoyu.audit.models import AuditEvent
from tuoyu.audit.presentation import enum_words, event_words, field_label, value_words
from tuoyu.audit.services import audit_record
from tuoyu.filings.catalogue import FilingsAction


def _event(**fields) -> AuditEvent:
    return AuditEvent(actor_username="weijian", **fields)


def test_model_fields_are_labelled_and_valued_in_words():
    words = event_words(
        _event(
            action="institutions.registration.changed",
            object_type="institutions.institution",
            object_label="金华市金东区乐育托育有限公司",
            changes={"for_profit": [False, True], "registration_status": [None, "registered"]},
        )
    )
    lines = {(c.label, c.before, c.after) for c in words.changes}
    assert ("营利性", "否", "是") in lines
    assert ("登记状态", "—", "已登记") in lines or any(c[2] == "已登记" for c in lines)
    assert "True" not in str(lines) and "registered" not in str(lines)


def test_a_status_change_is_the_sentence():
    words = event_words(
        _event(
            action=FilingsAction.APPLICATION_APPROVED,
            object_type="filings.filingapplication",
            object_id="32",
            object_label="",
            changes={"status": ["awaiting_decision", "approved"]},
            detail={"kind": "change", "warnings": ["area_per_child_below_standard"]},
        ),
        actor_names={None: "nobody"},  # an event without an actor id is not renamed
    )
    assert words.sentence.startswith("weijian ")
    assert "备案申请 #32：待决定 → 已通过" in words.sentence
    details = {d.key: (d.label, d.after) for d in words.details}
    assert details["kind"] == ("类型", "备案变更")
    assert details["warnings"][0] == "提示"
    assert "area_per_child" not in details["warnings"][1]


def test_filing_facts_registered_by_filings_are_labelled():
    assert field_label("filings.filingapplication", "head_education") == "负责人学历"
    assert value_words("filings.filingapplication", "head_education", "bachelor") == "本科"
    staff = value_words("filings.filingapplication", "caregiver", {"count": 12, "certified": 11})
    assert staff == "12 人（持证 11 人）"
    assert value_words("filings.filingapplication", "section", "staff") == "人员配备"
    # [workforce] #11: where a submitted staff section came from
    assert field_label("filings.filingapplication", "staff_source") == "人员配备来源"
    assert value_words("filings.filingapplication", "staff_source", "roster") == "从业人员名册"


def test_enum_words_follow_the_language():
    assert "fire" not in enum_words(["fire", "food"]) and "、" in enum_words(["fire", "food"])
    with translation.override("en"):
        assert enum_words("approved") != "已通过"


@pytest.mark.django_db
def test_the_audit_page_shows_sentences_and_keeps_codes_in_attributes(client, health_user):
    audit_record(action=AccountsAction.SESSION_LOGIN, actor=health_user, kind="auth")
    client.force_login(health_user)
    html = client.get("/audit/").content.decode()
    name = health_user.display_name or health_user.username
    assert f"{name} 登录成功" in html
    assert 'data-action="accounts.session.login"' in html
    text = html.replace('data-action="accounts.session.login"', "")
    assert ">accounts.session.login<" not in text
