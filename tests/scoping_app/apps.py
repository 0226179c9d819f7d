from django.apps import AppConfig


class ScopingAppConfig(AppConfig):
    name = "tests.scoping_app"
    label = "scoping_app"
