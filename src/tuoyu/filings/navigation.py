"""Where filings appears in the shell's navigation (registered in AppConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tuoyu.web.navigation import NavEntry, register


def register_navigation() -> None:
    register(
        NavEntry(
            _("我的备案"),
            "filings:mine",
            "filings.file_own",
            "file-earmark-text",
            _("在线填报备案信息、班级与材料，提交审核，查看进度与退回意见，下载备案回执"),
            order=30,
        ),
        NavEntry(
            _("备案审核"),
            "filings:queue",
            "filings.review",
            "clipboard-check",
            _("按本部门负责的审核事项（消防、安全、食品、卫生保健）审核备案申请"),
            order=40,
        ),
    )
