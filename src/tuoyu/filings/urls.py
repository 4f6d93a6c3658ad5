from tuoyu.filings import views

app_name = "filings"
urlpatterns = views.urlpatterns
