"""Collectors turn cloud APIs, snapshots and IaC files into an Inventory of Resources."""
