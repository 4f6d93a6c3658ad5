from django.urls import path

from tuoyu.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("<str:name>/run/", views.run_now, name="run_now"),
]
