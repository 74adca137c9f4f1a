"""Exporters: mamori findings as ASFF (Security Hub) and as OCSF Detection Findings (class 2004)."""
