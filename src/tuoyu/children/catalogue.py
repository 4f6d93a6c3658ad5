"""Error codes and audit actions of children ([house] point 5). Codes named in API-CONTRACT
§2–§3 (`enrolled_elsewhere`, `age_outside_class_range`, `class_full`, `batch_too_large`,
`record_id_conflict`, `child_not_enrolled`, `temperature_out_of_range`, `unknown_symptom`)
are fixed; `future_date` is core's."""

from django.utils.translation import gettext_lazy as _

from tuoyu.core.catalogue import AuditAction, ErrorCode


class ChildrenError(ErrorCode):
    # enrolment (API-CONTRACT §2, P-HC-1, P-HC-4, P-STD-1, P-STD-4)
    ENROLLED_ELSEWHERE = "enrolled_elsewhere", _("该儿童已在其他托育机构在托，不能重复入托")
    AGE_OUTSIDE_CLASS_RANGE = "age_outside_class_range", _("儿童月龄不在该班型的招收范围内")
    CLASS_FULL = "class_full", _("该班级已满额（不得超过备案核定人数）")
    CLASS_NOT_OPEN = "class_not_open", _("该班级尚未备案或已撤销，不能招收儿童")
    ENROLLED_BEFORE_BIRTH = "enrolled_before_birth", _("入托日期早于出生日期")
    CHILD_NOT_ACTIVE = "child_not_active", _("该儿童已离园，不能办理此事项")
    LEFT_BEFORE_ENROLMENT = "left_before_enrolment", _("离园日期早于入托日期")
    # daily health checks (API-CONTRACT §3, P-HC-3)
    BATCH_TOO_LARGE = "batch_too_large", _("每次最多提交 5000 条晨午检记录")
    RECORD_ID_CONFLICT = "record_id_conflict", _("该记录编号已以不同内容提交过")
    DUPLICATE_RECORD_ID = "duplicate_record_id", _("该记录编号在本批中重复出现")
    CHILD_NOT_ENROLLED = "child_not_enrolled", _("该儿童在该日期未在本机构在托")
    TEMPERATURE_OUT_OF_RANGE = "temperature_out_of_range", _("体温应在 34.0–43.0 ℃ 之间")
    UNKNOWN_SYMPTOM = "unknown_symptom", _("症状不在规定的症状代码表中")
    # return after being sent home (P-HC-3): not an API-CONTRACT §3 code — the class page only
    MEDICAL_CERTIFICATE_REQUIRED = (
        "medical_certificate_required",
        _("该儿童因病离园，须先登记医学证明才能记为出勤"),
    )
    CERTIFICATE_NOT_NEEDED = "certificate_not_needed", _("该儿童没有待补交医学证明的离园记录")
    CERTIFICATE_BEFORE_SENT_HOME = (
        "certificate_before_sent_home",
        _("医学证明的开具日期早于离园日期"),
    )
    # CSV upload of daily checks (P-HC-3, the shape of API-CONTRACT §3)
    CSV_ENCODING = (
        "csv_encoding",
        _("文件无法识别为 UTF-8 或 GB18030 编码的 CSV 文本（可能是乱码或不是 CSV 文件）"),
    )
    CSV_COLUMNS = "csv_columns", _("CSV 表头与晨午检模板不一致")
    CSV_ROW_SHAPE = "csv_row_shape", _("该行的列数与表头不一致")
    # meal-fee accounts (P-HC-7)
    MEALS_NOT_SERVED = "meals_not_served", _("本机构备案为不提供膳食，无需公示伙食费账目")
    MEAL_ACCOUNT_PUBLISHED = "meal_account_published", _("该月伙食费账目已公示，不能再修改")
    MEAL_MONTH_NOT_OVER = "meal_month_not_over", _("该月份尚未开始，不能登记账目")
    # outbreak alerts (P-HC-6)
    ALERT_ALREADY_CLOSED = "alert_already_closed", _("该预警已关闭")
    ACTION_TAKEN_REQUIRED = "action_taken_required", _("关闭预警须填写已采取的处置措施")


class ChildrenAction(AuditAction):
    CHILD_ENROLLED = "children.child.enrolled", _("儿童入托")
    CHILDREN_SEEDED = "children.child.seeded", _("生成演示儿童数据")
    CHILD_WITHDRAWN = "children.child.withdrawn", _("儿童离园")
    CHILD_MOVED = "children.child.moved", _("儿童调班")
    CHILD_VACCINATION_CHECKED = "children.child.vaccination_checked", _("查验预防接种证")
    EXAMINATION_RECORDED = "children.examination.recorded", _("记录儿童体检")
    HEALTH_CHECKS_RECEIVED = "children.health_check.batch_received", _("接收晨午检记录")
    CERTIFICATE_RECORDED = "children.medical_certificate.recorded", _("登记返园医学证明")
    # P-HC-3: a download of a certificate's scan (a child's health document: a reading of
    # personal data, audited as such)
    CERTIFICATE_SCAN_DOWNLOADED = (
        "children.medical_certificate.scan_downloaded",
        _("下载返园医学证明扫描件"),
    )
    # P-HC-1: a download of an examination form's scan (入托体检表: a child's health
    # document, a reading of personal data, audited as such)
    EXAMINATION_SCAN_DOWNLOADED = (
        "children.examination.scan_downloaded",
        _("下载入托体检表扫描件"),
    )
    VACCINATION_RECHECKS_MARKED = "children.vaccination_recheck.marked", _("标记年底接种证复查儿童")
    MEAL_ACCOUNT_RECORDED = "children.meal_fee_account.recorded", _("登记伙食费月度账目")
    MEAL_ACCOUNT_PUBLISHED = "children.meal_fee_account.published", _("公示伙食费月度账目")
    ALERT_RAISED = "children.outbreak_alert.raised", _("触发传染病聚集性预警")
    ALERT_ACKNOWLEDGED = "children.outbreak_alert.acknowledged", _("确认传染病预警")
    ALERT_CLOSED = "children.outbreak_alert.closed", _("关闭传染病预警")
