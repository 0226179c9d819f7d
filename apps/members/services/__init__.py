"""Every write of the people app: ``people`` (people and appointments) and ``branch`` (三会一课)."""
