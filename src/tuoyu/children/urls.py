from django.urls import path

from tuoyu.children import views

app_name = "children"

urlpatterns = [
    path("classes/", views.classes, name="classes"),
    path("classes/upload/", views.checks_upload, name="checks_upload"),
    path("classes/<int:class_id>/check/", views.class_check, name="class_check"),
    path("", views.child_list, name="list"),
    path("new/", views.child_new, name="new"),
    path("<int:child_id>/", views.child_detail, name="child"),
    path("<int:child_id>/certificate/", views.certificate_new, name="certificate"),
    path(
        "certificates/<int:certificate_id>/download/",
        views.certificate_scan,
        name="certificate_scan",
    ),
    path(
        "examinations/<int:exam_id>/download/",
        views.examination_scan,
        name="examination_scan",
    ),
    path("meals/", views.meals, name="meals"),
    path("rates/", views.rates_page, name="rates"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/handle/", views.alert_handle, name="alert_handle"),
]
