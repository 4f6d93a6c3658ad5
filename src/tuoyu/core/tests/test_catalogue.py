"""[house] point 5, the runtime half: DomainError, ErrorItem, ErrorCollector.add take
catalogue members (and catalogued strings); anything else raises UnknownCatalogueEntry when
TUOYU_STRICT_CATALOGUES is on (the tests) and only logs a warning when it is off
(production). The same for the actions audit_record appends."""

from __future__ import annotations

import json
import logging
import uuid

import pytest

from tuoyu.core.catalogue import (
    CoreError,
    UnknownCatalogueEntry,
    all_error_codes,
    audit_action_label,
    check_audit_action,
    error_message,
    schema_error_code,
)
from tuoyu.core.errors import DomainError, ErrorCollector, ErrorItem, NotFound, OutOfScope


def test_strict_in_the_tests(settings):
    assert settings.TUOYU_STRICT_CATALOGUES is True


def test_a_member_is_its_code_string():
    err = DomainError(CoreError.REQUIRED, "请填写名称", field="name")
    assert err.code == "required" and err.code is CoreError.REQUIRED
    body = err.problem()
    assert body["errors"] == [{"code": "required", "message": "请填写名称", "field": "name"}]
    assert type(body["errors"][0]["code"]) is str
    assert json.loads(json.dumps(body))["type"].endswith("/required")


def test_the_generic_message_is_the_default():
    err = DomainError(CoreError.FILE_EMPTY, field="file")
    assert err.message == str(CoreError.FILE_EMPTY.message) == "文件为空"
    assert NotFound().message == "记录不存在或无权访问" and NotFound().code == "not_found"
    assert OutOfScope().code == "out_of_scope" and OutOfScope().status == 403
    assert error_message("file_empty") == "文件为空"


def test_a_catalogued_string_becomes_its_member():
    item = ErrorItem("uscc_checksum", "校验位错误")
    assert item.code is CoreError.USCC_CHECKSUM


def test_an_unknown_code_is_refused_in_strict_mode():
    with pytest.raises(UnknownCatalogueEntry, match="no_such_code"):
        DomainError("no_such_code", "消息")
    with pytest.raises(UnknownCatalogueEntry):
        ErrorItem(code="no_such_code", message="消息")
    with pytest.raises(UnknownCatalogueEntry):
        ErrorCollector().add("no_such_code", "消息", row=2)


def test_an_unknown_code_is_logged_in_production(settings, caplog):
    settings.TUOYU_STRICT_CATALOGUES = False
    code = f"no_such_code_{uuid.uuid4().hex[:8]}"
    with caplog.at_level(logging.WARNING, logger="tuoyu.catalogue"):
        err = DomainError(code, "消息")
        DomainError(code, "消息")
    assert err.problem()["errors"][0]["code"] == code
    assert caplog.text.count(code) == 1, "logged once per process, not per raise"


def test_every_schema_error_type_maps_to_a_catalogued_code():
    assert schema_error_code("missing") is CoreError.REQUIRED
    assert schema_error_code("int_parsing") is CoreError.INT_PARSING
    assert schema_error_code("some_future_pydantic_type") is CoreError.INVALID
    assert all(str(m) in all_error_codes() for m in CoreError)


def test_audit_actions_are_checked_and_labelled(settings, caplog):
    with pytest.raises(UnknownCatalogueEntry):
        check_audit_action("accounts.session.nonsense")
    # the names of events recorded before the catalogue are labelled, not recordable
    assert audit_action_label("auth.login") == audit_action_label("accounts.session.login")
    assert audit_action_label("accounts.session.login") == "登录成功"
    with pytest.raises(UnknownCatalogueEntry):
        check_audit_action("auth.login")
    assert audit_action_label("someone.else.did") == "someone.else.did"
    settings.TUOYU_STRICT_CATALOGUES = False
    action = f"x.y.z_{uuid.uuid4().hex[:8]}"
    with caplog.at_level(logging.WARNING, logger="tuoyu.catalogue"):
        assert check_audit_action(action) == action
    assert action in caplog.text
