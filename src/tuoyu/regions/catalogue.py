"""Error codes and audit actions of regions ([house] point 5, see `tuoyu.core.catalogue`)."""

from django.utils.translation import gettext_lazy as _

from tuoyu.core.catalogue import AuditAction, ErrorCode, legacy_audit_actions


class RegionsError(ErrorCode):
    UNKNOWN_REGION = "unknown_region", _("区划代码不存在或不在本区")
    DIVISION_SOURCE_MISSING = "division_source_missing", _("找不到区划数据文件")
    DIVISION_DATA_INVALID = "division_data_invalid", _("区划数据文件中的行无效")
    # the yearly statistics import
    NOT_INTEGER = "not_integer", _("应为整数")
    NEGATIVE_VALUE = "negative_value", _("不能为负数")
    VALUE_TOO_LARGE = "value_too_large", _("数值过大")
    YEAR_OUT_OF_RANGE = "year_out_of_range", _("年度超出范围")
    INCONSISTENT_COUNTS = "inconsistent_counts", _("各项人数之间互相矛盾")
    DUPLICATE_ROW = "duplicate_row", _("与前面的行重复")
    CONCURRENT_IMPORT = "concurrent_import", _("其他用户正在导入相同区划和年度的数据，请稍后重试")
    # the State Council's yearly holiday notice (P-FIL-2 working days)
    HOLIDAY_DATE_INVALID = "holiday_date_invalid", _("日期格式无效，应为 YYYY-MM-DD")
    HOLIDAY_DATE_OUTSIDE_YEAR = "holiday_date_outside_year", _("日期不在通知所属年度内")
    HOLIDAY_DATE_CONFLICT = "holiday_date_conflict", _("同一天不能既放假又调休上班")
    MAKEUP_NOT_WEEKEND = "makeup_not_weekend", _("调休上班日应为周六或周日")
    HOLIDAYS_EMPTY = "holidays_empty", _("请填写放假日期")


class RegionsAction(AuditAction):
    DIVISION_LOADED = "regions.division.loaded", _("导入区划数据")
    STATISTICS_SAVED = "regions.statistics.saved", _("保存人口与健康管理统计数据")
    HOLIDAY_NOTICE_SAVED = "regions.holiday_notice.saved", _("录入节假日安排通知")


legacy_audit_actions(
    {
        "regions.division_loaded": RegionsAction.DIVISION_LOADED,
        "regions.statistics_saved": RegionsAction.STATISTICS_SAVED,
    }
)
