"""Views for institutions; each module exposes `urlpatterns`, joined in institutions/urls.py."""
