"""The secret-scanning gate (C8a): block credentials in commits, trees and whole git histories.

Layout: ``detectors/`` (the registry, one module per family) -> ``engine`` (keyword prefilter:
hyperscan, re2 or re) -> ``scanner`` (streams bytes, runs only triggered detectors) ->
``files`` / ``staged`` / ``history`` (what to scan) -> ``api`` (the three scans) ->
``suppress`` + ``config`` (inline allow, baseline, allowlist) -> ``report/`` (text, JSON, SARIF)
and ``verify`` (optional STS check). Exceptions are in ``errors``; only ``mamori.cli`` prints.
"""
