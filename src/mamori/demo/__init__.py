"""The embedded demo: an emulated AWS estate (moto) that looks like a small company."""
