"""Software-assurance gate: vulnerable dependencies with a block-now / fix-by policy."""
