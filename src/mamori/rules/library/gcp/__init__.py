"""Package marker so that the GCP rules ship in the wheel."""
