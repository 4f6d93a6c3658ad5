"""Error codes of policy as data ([house] point 5, see `tuoyu.core.catalogue`). Policy
writes nothing, so it records no audit action."""

from django.utils.translation import gettext_lazy as _

from tuoyu.core.catalogue import ErrorCode


class PolicyError(ErrorCode):
    POLICY_NOT_IN_FORCE = "policy_not_in_force", _("该日期没有生效的政策版本")
