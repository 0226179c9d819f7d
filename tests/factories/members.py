import datetime
import itertools

import factory

from apps.core.actors import SYSTEM
from apps.members.models import Member
from apps.members.services import people as services
from tests.factories.identity import make_id_number

_serial = itertools.count(1)


def make_member(organization, name="林秀英", *, by=SYSTEM, **fields) -> Member:
    """A person made the way the system makes them: through the service, with a valid ID,
    by the system unless ``by`` names the account that enters her."""
    n = next(_serial)
    birth_date = fields.pop("birth_date", datetime.date(1970, 1, 1) + datetime.timedelta(n))
    gender = fields.pop("gender", "female")
    if "id_number" not in fields:
        fields["id_number"] = make_id_number(birth_date, gender, sequence=n % 500)
    fields.setdefault("phone", f"+86138{n:08d}")
    return services.member_create(
        by=by,
        organization=organization,
        name=name,
        gender=gender,
        birth_date=birth_date,
        **fields,
    )


class MemberFactory(factory.Factory):
    """For tests that want factory_boy's interface; saves through make_member."""

    class Meta:
        model = Member

    organization = None
    name = factory.Sequence(lambda n: f"王芳{n}")

    @classmethod
    def _create(cls, model_class, organization, **fields):
        return make_member(organization, **fields)
