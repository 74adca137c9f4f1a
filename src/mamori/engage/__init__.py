"""Security engagements: a questionnaire early in a design turns into tracked, verified tasks.

Content (questions, task templates, contradictions) is data in ``engage/content/``
(:mod:`mamori.engage.content`); answers become tasks (:mod:`mamori.engage.service`);
each scan verifies them and checks the answers against the estate
(:mod:`mamori.engage.verify`); tasks sync to Jira (:mod:`mamori.engage.jira`).
Owns its tables (:mod:`mamori.engage.tables`). Nothing here imports the CLI.
"""
