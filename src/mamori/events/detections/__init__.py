"""Detections as data (YAML) with hook modules beside them; a package so the hooks ship in the wheel."""
