from django.urls import path, re_path

from tuoyu.regions import views

app_name = "regions"

urlpatterns = [
    path("", views.region_list, name="list"),
    path("statistics/template.xlsx", views.statistics_template, name="statistics_template"),
    path("statistics/import/", views.statistics_import, name="statistics_import"),
    path("holidays/", views.holiday_list, name="holidays"),
    path("holidays/<int:year>/", views.holiday_edit, name="holiday_edit"),
    re_path(r"^(?P<code>\d{2,12})/$", views.region_detail, name="detail"),
]
