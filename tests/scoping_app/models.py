from django.db import models


class Record(models.Model):
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT)
    title = models.CharField(max_length=50)

    scope_field = "organization"


class Referral(models.Model):
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="referrals")
    target = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16)

    scope_field = "record__organization"


class Unscoped(models.Model):
    name = models.CharField(max_length=50)
