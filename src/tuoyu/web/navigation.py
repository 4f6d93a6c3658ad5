"""Navigation by role: an entry shows when the user holds its permission (`rules`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    permission: str | None
    icon: str
    description: str = ""


ENTRIES: list[NavEntry] = [
    NavEntry(_("首页"), "web:home", None, "house"),
    NavEntry(
        _("行政区划与人口"),
        "regions:list",
        "regions.view_statistics",
        "geo-alt",
        _("查看区划树及各年度常住人口、出生、婴幼儿健康管理统计，导入年度统计数据"),
    ),
    NavEntry(
        _("政策参数"),
        "policy:show",
        "policy.view",
        "journal-text",
        _("查询任一日期生效的政策参数（班额、补助标准、目标值等）及其政策依据"),
    ),
    NavEntry(
        _("领导小组"),
        "accounts:leading_group",
        "accounts.view_leading_group",
        "people",
        _("领导小组职位、职责与任职人；人员变动时由继任者接替"),
    ),
    NavEntry(
        _("审计日志"),
        "audit:list",
        "audit.view_log",
        "shield-check",
        _("所有数据变更与个人信息查看记录，哈希链防篡改校验"),
    ),
    NavEntry(
        _("接口令牌"),
        "accounts:tokens",
        "accounts.manage_own_tokens",
        "key",
        _("为对接系统签发、吊销接口访问令牌，查看最近使用时间"),
    ),
]


def entries_for(user) -> list[dict]:
    out = []
    for entry in ENTRIES:
        if entry.permission and not user.has_perm(entry.permission):
            continue
        out.append(
            {
                "label": entry.label,
                "url": reverse(entry.url_name),
                "url_name": entry.url_name,
                "icon": entry.icon,
                "description": entry.description,
            }
        )
    return out
