"""Package marker so that the rules ship in the wheel."""
