"""Reads (scope applied) for institutions, one module per capability (registration, classes, filed facts,
chains, affordable designation). Import from the module: `from
tuoyu.institutions.selectors.directory import institutions_search`."""
