"""TAP 1.1 endpoints: HTTP handlers, parameters, query execution, VOSI and DALI documents."""
