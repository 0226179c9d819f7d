"""Labels of django-axes that this project translates: axes ships no Chinese catalogue.

Nothing imports this module; ``makemessages`` reads it so that the strings
stay in ``locale/zh_Hans`` (the project's catalogue wins over the app's).
"""

from django.utils.translation import gettext_noop

LABELS = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Logout Time"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Account locked: too many login attempts. Please try again later."),
    gettext_noop("Meta Data"),
]
