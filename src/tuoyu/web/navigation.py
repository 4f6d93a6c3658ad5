"""Navigation by role: an entry shows when the user holds its permission (`rules`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
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
        _("托育机构"),
        "institutions:list",
        "institutions.view_directory",
        "building",
        _("按镇街、状态、模式、普惠、连锁查询托育机构，导出名单，查看机构全部信息"),
    ),
    NavEntry(
        _("登记信息"),
        "institutions:registrations",
        "institutions.view_registrations",
        "inbox",
        _("登记机关推送、录入或导入的登记、变更、注销信息；已登记未备案机构及逾期提醒"),
    ),
    NavEntry(
        _("我的备案"),
        "filings:mine",
        "filings.file_own",
        "file-earmark-text",
        _("在线填报备案信息、班级与材料，提交审核，查看进度与退回意见，下载备案回执"),
    ),
    NavEntry(
        _("备案审核"),
        "filings:queue",
        "filings.review",
        "clipboard-check",
        _("按本部门负责的审核事项（消防、安全、食品、卫生保健）审核备案申请"),
    ),
    NavEntry(
        _("连锁与普惠"),
        "institutions:chains",
        "institutions.manage_chains",
        "diagram-3",
        _("连锁经营协议（范围、上限、有效期）与普惠性托育机构认定、撤销"),
    ),
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
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            # A capability whose pages are not installed; test_navigation keeps ours complete.
            continue
        out.append(
            {
                "label": entry.label,
                "url": url,
                "url_name": entry.url_name,
                "icon": entry.icon,
                "description": entry.description,
            }
        )
    return out
