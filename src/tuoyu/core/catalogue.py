"""Catalogues of error codes and audit actions ([house] point 5).

Every error code a person or another system can meet, and every action the audit log
records, is declared once, in its app's `catalogue.py`, as a member of an enum:

    class InstitutionsError(ErrorCode):
        USCC_TAKEN = "uscc_taken", _(…)

    class InstitutionsAction(AuditAction):
        CLASS_CREATED = "institutions.care_class.created", _(…)

An `ErrorCode` member is a `str` (its code) with a generic Chinese `message`; a raise may
pass a more specific message (`DomainError(InstitutionsError.USCC_TAKEN, f"…{uscc}…")`).
An `AuditAction` member is a `str` (`<app>.<entity>.<verb>`) with a Chinese `label`, what
the audit log shows to people. Subclasses register themselves; `all_error_codes()` and
`all_audit_actions()` import every tuoyu app's `catalogue` module first, so the registry
is complete whatever was imported before.

A code or action outside the catalogues is a bug: `check_error_code` / `check_audit_action`
raise `UnknownCatalogueEntry` when `settings.TUOYU_STRICT_CATALOGUES` is true (the tests
set it), else log a warning (production keeps working and says so).

core is the lowest floor: this module imports no other tuoyu app (the discovery imports
them by name through the app registry, as Django's autodiscovery does).
"""

from __future__ import annotations

import logging
import re
from enum import StrEnum
from importlib import import_module

from django.utils.translation import gettext_lazy as _

log = logging.getLogger("tuoyu.catalogue")

ACTION_PATTERN = re.compile(r"^[a-z_]+\.[a-z_]+\.[a-z_]+$")


class UnknownCatalogueEntry(LookupError):
    """An error code or audit action that no app's catalogue declares."""


_error_enums: list[type[ErrorCode]] = []
_action_enums: list[type[AuditAction]] = []
_legacy_actions: dict[str, AuditAction] = {}
_discovered = False


def _app_of(enum_class: type) -> str:
    """`tuoyu.institutions.catalogue` → `institutions` (the app that owns the enum)."""
    parts = enum_class.__module__.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "tuoyu" else enum_class.__module__


class ErrorCode(StrEnum):
    """Base of each app's error-code enum: members are `NAME = "code", _(<message>)`."""

    def __new__(cls, value: str, message):
        member = str.__new__(cls, value)
        member._value_ = value
        member.message = message
        return member

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _error_enums.append(cls)

    @classmethod
    def app(cls) -> str:
        return _app_of(cls)


class AuditAction(StrEnum):
    """Base of each app's audit-action enum: members are
    `NAME = "<app>.<entity>.<verb>", _(<label>)`."""

    def __new__(cls, value: str, label):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _action_enums.append(cls)

    @classmethod
    def app(cls) -> str:
        return _app_of(cls)


def legacy_audit_actions(names: dict[str, AuditAction]) -> None:
    """Declare the names under which events were recorded before the catalogue (the log is
    append-only and hash-chained: old events keep their action). They are labelled like
    their successor; nothing may record them again."""
    _legacy_actions.update(names)


def discover() -> None:
    """Import `<app>.catalogue` of every installed tuoyu app (once)."""
    global _discovered
    if _discovered:
        return
    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    for config in apps.get_app_configs():
        if config.name.startswith("tuoyu.") and module_has_submodule(config.module, "catalogue"):
            import_module(f"{config.name}.catalogue")
    _discovered = True


def error_enums() -> list[type[ErrorCode]]:
    discover()
    return list(_error_enums)


def audit_action_enums() -> list[type[AuditAction]]:
    discover()
    return list(_action_enums)


_by_value: dict[str, tuple[int, dict]] = {}


def _members(kind: str, enums: list) -> dict:
    """{value: member} over `enums`, rebuilt only when an enum registered since."""
    cached = _by_value.get(kind)
    if cached is None or cached[0] != len(enums):
        out: dict = {}
        for enum_class in enums:
            for member in enum_class:
                out.setdefault(member.value, member)
        cached = _by_value[kind] = (len(enums), out)
    return cached[1]


def all_error_codes() -> dict[str, ErrorCode]:
    """{code: member} over every app's catalogue (the first declaration wins when two apps
    declare the same code; the catalogue test forbids that)."""
    return dict(_members("error", error_enums()))


def all_audit_actions() -> dict[str, AuditAction]:
    return dict(_members("action", audit_action_enums()))


def _strict() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "TUOYU_STRICT_CATALOGUES", False))


_warned: set[tuple[str, str]] = set()


def _unknown(what: str, value: str) -> None:
    if _strict():
        raise UnknownCatalogueEntry(f"{what} {value!r} is in no app's catalogue.py")
    if (what, value) not in _warned:  # once per process: a hot path must not flood the log
        _warned.add((what, value))
        log.warning("%s %r is in no app's catalogue.py", what, value)


def check_error_code(code: str) -> ErrorCode | str:
    """The catalogue member for `code` (which may already be one). Unknown: see module."""
    if isinstance(code, ErrorCode):
        return code
    member = _members("error", error_enums()).get(code)
    if member is None:
        _unknown("error code", code)
        return code
    return member


def check_audit_action(action: str) -> AuditAction | str:
    """The catalogue member for `action`; legacy names and unknown ones: see module."""
    if isinstance(action, AuditAction):
        return action
    member = _members("action", audit_action_enums()).get(action)
    if member is None:
        _unknown("audit action", action)
        return action
    return member


def error_message(code: str) -> str:
    """The generic Chinese message of `code` ('' for an unknown code)."""
    member = code if isinstance(code, ErrorCode) else all_error_codes().get(code)
    return str(member.message) if member is not None else ""


def audit_action_label(action: str) -> str:
    """What the audit log shows for `action`: its catalogue label (also for the legacy
    names of events recorded before the catalogue), else the action itself."""
    member = action if isinstance(action, AuditAction) else all_audit_actions().get(action)
    if member is None:
        discover()
        member = _legacy_actions.get(action)
    return str(member.label) if member is not None else action


def legacy_actions() -> dict[str, AuditAction]:
    discover()
    return dict(_legacy_actions)


# --- the codes core and the API layer raise ------------------------------------------------


class CoreError(ErrorCode):
    # access (API-CONTRACT §0)
    NOT_AUTHENTICATED = "not_authenticated", _("缺少或无效的访问令牌")
    OUT_OF_SCOPE = "out_of_scope", _("当前账号的管辖范围不允许此操作")
    NOT_FOUND = "not_found", _("记录不存在或无权访问")
    HTTP_ERROR = "http_error", _("请求有误")
    INVALID_CHARACTER = "invalid_character", _("请求中含有不允许的控制字符（NUL）")
    # [hardening] point 13: an unexpected failure (500), quoted by its request id
    SERVER_ERROR = "server_error", _("系统内部错误，已记录；联系平台运维时请提供请求编号")
    # [hardening] point 14: the database stayed busy with other writes (503, try again)
    DATABASE_BUSY = "database_busy", _("系统繁忙，请稍后重试")
    # [hardening] points 10, 11: what the API parses, how large a request may be
    UNSUPPORTED_MEDIA_TYPE = (
        "unsupported_media_type",
        _("请求体应为 JSON（Content-Type: application/json）"),
    )
    REQUEST_TOO_LARGE = "request_too_large", _("请求过大")
    # values of a form or a body
    REQUIRED = "required", _("必填项不能为空")
    TOO_LONG = "too_long", _("内容过长")
    OUT_OF_RANGE = "out_of_range", _("数值超出允许范围")
    DATE_OUT_OF_RANGE = "date_out_of_range", _("日期超出允许范围")
    INVALID = "invalid", _("字段取值无效")
    INVALID_CHOICE = "invalid_choice", _("取值不在允许范围内")
    DATE_ORDER = "date_order", _("日期先后顺序不正确")
    FUTURE_DATE = "future_date", _("日期晚于今天")
    INVALID_TRANSITION = "invalid_transition", _("当前状态不能执行此操作")
    # identifiers and personal data (API-CONTRACT §0)
    USCC_CHECKSUM = "uscc_checksum", _("统一社会信用代码校验位错误")
    USCC_FORMAT = "uscc_format", _("统一社会信用代码格式错误，应为18位数字或大写字母")
    ID_NUMBER_CHECKSUM = "id_number_checksum", _("身份证号码校验位错误")
    ID_NUMBER_FORMAT = "id_number_format", _("身份证号码格式错误，应为18位")
    ID_NUMBER_BIRTH_DATE = "id_number_birth_date", _("身份证号码中的出生日期无效")
    PHONE_FORMAT = "phone_format", _("电话号码格式错误，应为11位手机号或带区号的座机号")
    BANK_ACCOUNT_FORMAT = "bank_account_format", _("银行账号格式错误，应为8至32位数字")
    # uploads and imports
    FILE_MISSING = "file_missing", _("请选择要上传的文件")
    FILE_EMPTY = "file_empty", _("文件为空")
    FILE_INVALID = "file_invalid", _("文件不是有效的 Excel 工作簿（.xlsx）")
    FILE_TOO_LARGE = "file_too_large", _("文件过大")
    FILE_TYPE_NOT_ALLOWED = "file_type_not_allowed", _("文件类型不在允许范围内")
    HEADER_MISMATCH = "header_mismatch", _("表头与模板不一致")
    TOO_MANY_ROWS = "too_many_rows", _("数据行超过上限，请拆分为多个文件导入")
    TOO_MANY_ERRORS = "too_many_errors", _("错误过多，仅列出部分；请修正后重新导入")
    IMPORT_TIMEOUT = "import_timeout", _("文件读取超时，请拆分为多个较小的文件导入")
    # schema errors of a body or a query, as pydantic names them (`schema_error_code`)
    STRING_TYPE = "string_type", _("应为字符串")
    STRING_TOO_SHORT = "string_too_short", _("不能为空")
    STRING_TOO_LONG = "string_too_long", _("内容过长")
    INT_PARSING = "int_parsing", _("应为整数")
    INT_TYPE = "int_type", _("应为整数")
    INT_FROM_FLOAT = "int_from_float", _("应为整数")
    FLOAT_PARSING = "float_parsing", _("应为数字")
    FLOAT_TYPE = "float_type", _("应为数字")
    BOOL_PARSING = "bool_parsing", _("应为 true 或 false")
    BOOL_TYPE = "bool_type", _("应为 true 或 false")
    DATETIME_PARSING = "datetime_parsing", _("时间格式错误，应为 ISO 8601")
    DATETIME_FROM_DATE_PARSING = "datetime_from_date_parsing", _("时间格式错误，应为 ISO 8601")
    DATETIME_TYPE = "datetime_type", _("时间格式错误，应为 ISO 8601")
    DATE_PARSING = "date_parsing", _("日期格式错误，应为 YYYY-MM-DD")
    DATE_FROM_DATETIME_PARSING = "date_from_datetime_parsing", _("日期格式错误，应为 YYYY-MM-DD")
    DATE_TYPE = "date_type", _("日期格式错误，应为 YYYY-MM-DD")
    LITERAL_ERROR = "literal_error", _("取值不在允许范围内")
    ENUM = "enum", _("取值不在允许范围内")
    GREATER_THAN = "greater_than", _("数值过小")
    GREATER_THAN_EQUAL = "greater_than_equal", _("数值过小")
    LESS_THAN = "less_than", _("数值过大")
    LESS_THAN_EQUAL = "less_than_equal", _("数值过大")
    LIST_TYPE = "list_type", _("应为列表")
    DICT_TYPE = "dict_type", _("应为对象")
    MODEL_ATTRIBUTES_TYPE = "model_attributes_type", _("应为对象")
    EXTRA_FORBIDDEN = "extra_forbidden", _("不允许的字段")
    JSON_INVALID = "json_invalid", _("请求体不是合法的 JSON")


def schema_error_code(kind: str) -> CoreError:
    """The code of a pydantic error `type`: `missing` is `required`, a catalogued type is
    itself, anything else is `invalid` — so every channel (API, form, Excel) reports alike
    and no uncatalogued code leaves the platform."""
    if kind == "missing":
        return CoreError.REQUIRED
    try:
        return CoreError(kind)
    except ValueError:
        return CoreError.INVALID
