from django.urls import path

from tuoyu.policy import views

app_name = "policy"

urlpatterns = [
    path("", views.policy_show, name="show"),
]
