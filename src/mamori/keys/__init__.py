"""The access-key lifecycle: inventory, notify / disable / delete by age, leaked-key response."""
