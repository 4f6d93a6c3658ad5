"""Writes for institutions, one module per capability (registration, classes, filed facts,
chains, affordable designation). Import from the module: `from
tuoyu.institutions.services.registration import registration_event_receive`."""
