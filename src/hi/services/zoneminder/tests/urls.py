"""Only what the proxy tests need: the proxy and a login page to be sent to."""

from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("zoneminder/", include("hi.services.zoneminder.urls")),
    path("login/", lambda request: HttpResponse("log in"), name="login"),
]
