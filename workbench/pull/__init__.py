"""Pulling a source system into an engagement: resumable, page by page, within the service's budgets."""
