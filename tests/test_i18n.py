"""Everything a user sees is in Chinese first: model names, field labels, choices, messages."""

import re

import pytest
from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.utils import translation

CJK = re.compile(r"[\u4e00-\u9fff]")
# Every app of ours (apps.*) that has models, read from the app registry: a new app is checked
# the day it is added.
OUR_APPS = [
    config.label
    for config in apps.get_app_configs()
    if config.name.startswith("apps.") and list(config.get_models())
]


def labels():
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical"):
                continue
            yield f"{label}.{model.__name__}", model._meta.verbose_name
            yield f"{label}.{model.__name__} (plural)", model._meta.verbose_name_plural
            for field in model._meta.get_fields():
                if field.is_relation and field.auto_created:
                    continue
                if isinstance(field, GenericForeignKey):  # no form field, so no label to show
                    continue
                if field.name in {"path", "depth", "numchild", "id", "password", "last_login"}:
                    continue
                yield f"{label}.{model.__name__}.{field.name}", field.verbose_name
                for _, choice in getattr(field, "choices", None) or []:
                    yield f"{label}.{model.__name__}.{field.name} choice", choice


@pytest.mark.parametrize(("where", "text"), list(labels()), ids=lambda value: str(value))
def test_every_label_reads_in_chinese_by_default(where, text):
    with translation.override("zh-hans"):
        assert CJK.search(str(text)), f"{where}: {text}"


@pytest.mark.parametrize("accept", ["", "zh", "zh-CN", "zh-cn,zh;q=0.9"])
def test_chinese_is_the_default_and_zh_cn_counts_as_zh_hans(client, accept, db):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}

    page = client.get("/accounts/login/", **headers)

    assert page.status_code == 200
    assert page["Content-Language"] == "zh-hans"


def test_english_when_asked(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")

    assert page["Content-Language"] == "en"
