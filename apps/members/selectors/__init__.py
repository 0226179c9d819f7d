"""Every read of the people app: ``people`` and ``branch`` (三会一课), each from ``scoped()``."""
