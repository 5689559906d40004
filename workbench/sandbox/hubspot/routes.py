"""The paths the emulator knows, below its mount point, and which methods it serves on each.

A method HubSpot has on a known path that the sandbox does not emulate answers 501 rather than
pretending; any other method answers 405; an unknown path 404. Literal segments win over placeholders
(`/objects/deals/search` is not the deal with id "search").
"""

from __future__ import annotations

from dataclasses import dataclass

# template -> {method: handler name, or None when HubSpot has it but the sandbox does not emulate it}
ROUTES: dict[str, dict[str, str | None]] = {
    "/crm/v3/objects/{objectType}": {"GET": "list_objects", "POST": None},
    "/crm/v3/objects/{objectType}/{id}": {"GET": "get_object", "PATCH": "patch_object", "DELETE": None},
    "/crm/v3/objects/{objectType}/search": {"POST": "search"},
    "/crm/v3/objects/{objectType}/batch/read": {"POST": "batch_read"},
    "/crm/v3/objects/{objectType}/batch/update": {"POST": "batch_update"},
    "/crm/v3/objects/{objectType}/batch/create": {"POST": None},
    "/crm/v3/objects/{objectType}/batch/upsert": {"POST": None},
    "/crm/v3/objects/{objectType}/batch/archive": {"POST": None},
    "/crm/v3/objects/{objectType}/merge": {"POST": None},
    "/crm/v3/properties/{objectType}": {"GET": "list_properties", "POST": "create_property"},
    "/crm/v3/properties/{objectType}/{propertyName}": {"GET": "get_property", "PATCH": None, "DELETE": None},
    "/crm/v4/objects/{from}/{id}/associations/{to}": {"GET": "record_associations"},
    "/crm/v4/objects/{from}/{id}/associations/{to}/{toId}": {"PUT": None, "DELETE": None},
    "/crm/v4/associations/{from}/{to}/batch/read": {"POST": "batch_associations"},
    "/crm/v4/associations/{from}/{to}/batch/create": {"POST": None},
    "/crm/v3/pipelines/{objectType}": {"GET": "list_pipelines", "POST": None},
    "/crm/v3/pipelines/{objectType}/{pipelineId}": {"GET": "get_pipeline", "PATCH": None, "DELETE": None},
    "/crm/v3/owners": {"GET": "list_owners"},
    "/oauth/v1/token": {"POST": "token"},
    "/oauth/authorize": {"GET": "authorize"},
}
UNAUTHENTICATED = frozenset({"token", "authorize"})


@dataclass(frozen=True)
class Match:
    template: str
    params: dict[str, str]
    methods: dict[str, str | None]


def match(path: str) -> Match | None:
    segments = path.strip("/").split("/")
    best: Match | None = None
    best_literals = -1
    for template, methods in ROUTES.items():
        parts = template.strip("/").split("/")
        if len(parts) != len(segments):
            continue
        params: dict[str, str] = {}
        literals = 0
        for part, segment in zip(parts, segments, strict=True):
            if part.startswith("{"):
                params[part[1:-1]] = segment
            elif part == segment:
                literals += 1
            else:
                break
        else:
            if literals > best_literals:
                best, best_literals = Match(template, params, methods), literals
    return best
