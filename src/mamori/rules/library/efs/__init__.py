"""Package marker so that the hook modules ship in the wheel."""
