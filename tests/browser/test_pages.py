"""Every admin page the demo district's accounts reach, in Chromium: axe-core finds no critical or
serious WCAG 2.1 AA violation, and nothing scrolls sideways at 1280 px or at a phone's width
(docs/quality.md, the pages). Pages come from the admin's registry, so a new admin is walked the
day it is added; screenshots of each land in var/screenshots/pages/."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from apps.demo.accounts import DEMO_PASSWORD

PHONE = (390, 844)
EXTRA_PAGES = [
    "/admin/members/branchmeeting/compliance/",
    "/admin/members/member/duplicates/",
    "/admin/members/member/import/",
    "/admin/accounts/user/import/",
    "/admin/password_change/",
    "/api/docs/",
]


def admin_pages(user) -> list[str]:
    """The changelist and add page of every registered model the user may see or add."""
    pages = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if user.has_perm(f"{opts.app_label}.view_{opts.model_name}") or user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        ):
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        may_add = user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
        if may_add and model_admin.has_add_permission(_RequestOf(user)):
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    return pages


class _RequestOf:
    def __init__(self, user):
        self.user = user


def first_record_pages(page, changelists: list[str]) -> list[str]:
    """Each list's first record, followed as a person would (the link in its first row); and
    that record's history."""
    found = []
    for changelist in changelists:
        page.open(changelist)
        links = page.driver.find_elements(
            "css selector", "#result_list tbody tr a[href*='/change/']"
        )
        if links:
            change = links[0].get_attribute("href").removeprefix(page.base)
            found += [change, change.replace("/change/", "/history/")]
    return found


# Swagger UI draws itself after the page has loaded: judged once drawn. Its own colours and
# nested deep links are overridden (templates/drf_spectacular/swagger_ui.html, settings).
DRAWN_LATER = {"/api/docs/": ".opblock"}


def problems_on(page, path: str, shot: str) -> list[str]:
    page.open(path)
    if path in DRAWN_LATER:
        page.wait_for(DRAWN_LATER[path])
    found = [f"{path}: {v}" for v in page.accessibility_violations()]
    if page.scrolls_sideways():
        found.append(f"{path}: scrolls sideways at 1280 px")
    page.screenshot(f"pages/{shot}")
    return found


@pytest.mark.parametrize("username", ["qu_admin", "chengguan_admin", "qu_weiquan"])
def test_every_page_is_usable_by_everyone(page, username):
    call_command("load_demo", verbosity=0)
    from apps.accounts.models import User

    user = User.objects.get(username=username)
    page.sign_in(username, DEMO_PASSWORD)
    lists = admin_pages(user)
    paths = ["/admin/", *lists, *first_record_pages(page, [p for p in lists if p.endswith("/")])]
    paths += [p for p in EXTRA_PAGES if user.is_staff]
    problems = []
    for number, path in enumerate(dict.fromkeys(paths)):
        slug = path.strip("/").replace("/", "_") or "root"
        problems += problems_on(page, path, f"{username}/{number:02d}-{slug}")
    # At a phone's width: the workbench, the first lists and the first organization's page.
    organizations = "/admin/organizations/organization/"
    first_organization = [p for p in paths if p.startswith(organizations) and "/change/" in p]
    page.driver.set_window_size(*PHONE)
    try:
        for number, path in enumerate(["/admin/", *lists[:3], *first_organization[:1]]):
            page.open(path)
            if page.scrolls_sideways():
                problems.append(f"{path}: scrolls sideways at a phone's width")
            slug = path.strip("/").replace("/", "_")
            page.screenshot(f"pages/{username}/phone-{number:02d}-{slug}")
    finally:
        page.driver.set_window_size(1280, 900)

    assert len(paths) > 10
    assert not problems, "\n".join(problems)
