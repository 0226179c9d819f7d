"""The one-time set-password link's page (docs/roles.md, Account rules)."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from apps.core.history import history_note


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Django's password-reset confirmation: the link stops working once the password is set
    (the token hashes the password) or after PASSWORD_RESET_TIMEOUT. The act goes in the
    account's history, shown to its owner at the next sign-in."""

    template_name = "registration/set_password.html"
    success_url = reverse_lazy("set-password-done")
    reset_url_token = "set"  # noqa: S105 - the URL word that stands for the token, not a secret

    def form_valid(self, form):
        history_note(form.user, by=form.user, reason=_("Password set through a set-password link"))
        return super().form_valid(form)
