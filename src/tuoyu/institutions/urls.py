from tuoyu.institutions.views import affordable, chains, directory, registration

app_name = "institutions"
urlpatterns = (
    registration.urlpatterns + directory.urlpatterns + chains.urlpatterns + affordable.urlpatterns
)
