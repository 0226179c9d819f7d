from django.urls import path

from apps.accounts.api import SignInView, SignOutView

urlpatterns = [
    path("auth/sign-in/", SignInView.as_view(), name="api-sign-in"),
    path("auth/sign-out/", SignOutView.as_view(), name="api-sign-out"),
]
