"""The API machinery every resource shares; see docs/api-machinery.md.

- ``records``: the serializer base (shared columns, free-text limits, masking);
- ``writes``: retry-safe creates, version checks, bulk creates;
- ``viewsets``: ``RecordViewSet``, the resource contract (model, services,
  the write transaction and its after-write check, soft DELETE, full reads);
- ``transitions``: the ``…/{id}/transition/`` adapter over ``apps.core.transitions``;
- ``schema``: how all of it appears in the OpenAPI schema.
"""
