import factory

from apps.accounts.models import User
from apps.organizations.roles import Role

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"测试员{n}")
    role = Role.STAFF
    password = factory.django.Password(PASSWORD)


def token_key(user: User, device: str = "测试设备") -> str:
    """A new API token of ``user`` for ``device``, as a device gets when it signs in: its key."""
    from apps.accounts.models import DeviceToken

    return DeviceToken.objects.create(user=user, device=device)[1]
