"""Control catalogues as data: the Cloud Security Baseline, CIS AWS v3.0, AWS FSBP."""

from mamori.standards.catalog import Control, Standard, load_standards, standards

__all__ = ["Control", "Standard", "load_standards", "standards"]
