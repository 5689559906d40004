"""Pipedrive: the API v2 client (v1 for users), its wire models, canonicalisation and pull source."""

from workbench.pipedrive.client import PIPEDRIVE_API_V1, PIPEDRIVE_API_V2, PipedriveClient, pipedrive_session
from workbench.pipedrive.source import PipedriveSource, previous_rows

__all__ = [
    "PIPEDRIVE_API_V1",
    "PIPEDRIVE_API_V2",
    "PipedriveClient",
    "PipedriveSource",
    "pipedrive_session",
    "previous_rows",
]
