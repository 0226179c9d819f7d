"""Lookups the ORM lacks, registered for every field (in ``CoreConfig.ready``)."""

from django.db.models import Field, Lookup


@Field.register_lookup
class AnyOf(Lookup):
    """``field__any=[…]``: ``field = ANY(%s)``, the list one array parameter.

    PostgreSQL plans it as ``__in``, but ``__in`` writes each value into the query as a
    parameter of its own: for the 100,000 ID numbers of an import, a second of building and
    parsing the query's text against a tenth of that.
    """

    lookup_name = "any"

    def get_prep_lookup(self):
        prepare = self.lhs.output_field.get_prep_value
        return [prepare(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]
