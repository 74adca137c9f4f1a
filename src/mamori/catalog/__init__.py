"""The control catalogues, as data: the Cloud Security Baseline, CIS AWS v3.0, AWS FSBP, CIS GCP v3.0.

Rules point at these controls (``controls:``); the standards (:mod:`mamori.standards`)
score and report against them. Nothing here imports a rule or a finding.
"""

from mamori.catalog.loader import Control, Standard, load_standards, standards

__all__ = ["Control", "Standard", "load_standards", "standards"]
