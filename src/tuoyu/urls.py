from django.contrib import admin
from django.urls import include, path

from tuoyu.api import api

# [hardening] point 13: a 500 shows (and the API answers) the request id of its log record,
# without the database.
handler500 = "tuoyu.web.errors.server_error"

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("regions/", include("tuoyu.regions.urls")),
    path("policy/", include("tuoyu.policy.urls")),
    path("audit/", include("tuoyu.audit.urls")),
    path("", include("tuoyu.accounts.urls")),
    path("institutions/", include("tuoyu.institutions.urls")),
    path("filings/", include("tuoyu.filings.urls")),
    path("jobs/", include("tuoyu.jobs.urls")),
    path("workforce/", include("tuoyu.workforce.urls")),
    path("children/", include("tuoyu.children.urls")),
    path("supervision/", include("tuoyu.supervision.urls")),
    path("subsidies/", include("tuoyu.subsidies.urls")),
    path("public/", include(("tuoyu.institutions.views.public", "public"))),
    path("", include("tuoyu.web.urls")),
]
