"""Built-in remediation actions, one module per service; each registers in ``ACTIONS``."""
