"""The scan as a service: collect (or read a snapshot) -> evaluate -> score -> store -> findings.

`mamori.scan.service` is what `mamori scan`, `mamori demo` and a server call; the CLI only
parses options, shows progress and renders the result.
"""
