"""Reports people act on: one self-contained HTML file (scores, trend, findings, how to fix).

    data.py       gather what the report shows from the store (ReportData)
    svg.py        the inline SVG trend chart
    html.py       render ReportData into one HTML file (inline CSS/JS, data as JSON)
"""

from mamori.report.data import ReportData, gather
from mamori.report.html import render

__all__ = ["ReportData", "gather", "render"]
