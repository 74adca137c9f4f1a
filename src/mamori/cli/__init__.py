"""The command line: the only part of mamori that prints or exits."""
