"""OSV advisories: the record model, range matching, and the offline and online sources."""
