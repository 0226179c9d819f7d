"""``{% result_rows cl %}``: the changelist table, its rows from apps/core/admin_rows.py."""

from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.template import Library

from apps.core.admin_rows import result_list

register = Library()


@register.tag(name="result_rows")
def result_rows_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
