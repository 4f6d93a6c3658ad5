from django.urls import path

from tuoyu.web import health, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    # [operations] point 4: probes of the load balancer, no login.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
