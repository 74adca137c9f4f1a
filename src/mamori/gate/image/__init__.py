"""`mamori gate image`: a container image's OS and language packages against OSV, and its secrets, layer by layer."""
