"""The routes the emulator knows: every method the spec documents on them, served or not, and the
query parameters each served v2 operation accepts (read off the spec; tests keep both in step with it).

A documented operation the sandbox does not emulate answers 501 rather than pretending; a method the
spec does not document on a known path answers 405; an unknown path 404.
"""

from __future__ import annotations

from dataclasses import dataclass

_LIST = frozenset({
    "filter_id", "ids", "owner_id", "updated_since", "updated_until", "sort_by", "sort_direction",
    "include_fields", "custom_fields", "include_option_labels", "include_labels", "limit", "cursor",
})  # fmt: skip
_ONE = frozenset({"include_fields", "custom_fields", "include_option_labels", "include_labels"})
_PAGE = frozenset({"limit", "cursor", "sort_by", "sort_direction"})
_FIELDS = frozenset({"include_fields", "limit", "cursor"})
_NONE: frozenset[str] = frozenset()

# (version, template) -> {method: (handler name or None when not emulated, accepted query parameters)}
ROUTES: dict[tuple[str, str], dict[str, tuple[str | None, frozenset[str]]]] = {
    ("v2", "/deals"): {
        "GET": ("list_deals", _LIST | {"person_id", "org_id", "pipeline_id", "stage_id", "status"}),
        "POST": (None, _NONE),
    },
    ("v2", "/deals/archived"): {"GET": (None, _NONE)},
    ("v2", "/deals/search"): {"GET": (None, _NONE)},
    ("v2", "/deals/products"): {"GET": ("deal_products", _PAGE | {"deal_ids"})},
    ("v2", "/deals/{id}"): {
        "GET": ("get_deal", _ONE),
        "PATCH": ("patch_deal", _NONE),
        "DELETE": (None, _NONE),
    },
    ("v2", "/deals/{id}/products"): {
        "GET": ("products_of_deal", _PAGE),
        "POST": (None, _NONE),
        "DELETE": (None, _NONE),
    },
    ("v2", "/organizations"): {"GET": ("list_organizations", _LIST), "POST": (None, _NONE)},
    ("v2", "/organizations/search"): {"GET": (None, _NONE)},
    ("v2", "/organizations/{id}"): {
        "GET": ("get_organization", _ONE),
        "PATCH": ("patch_organization", _NONE),
        "DELETE": (None, _NONE),
    },
    ("v2", "/persons"): {"GET": ("list_persons", _LIST | {"org_id", "deal_id"}), "POST": (None, _NONE)},
    ("v2", "/persons/search"): {"GET": (None, _NONE)},
    ("v2", "/persons/{id}"): {"GET": ("get_person", _ONE), "PATCH": (None, _NONE), "DELETE": (None, _NONE)},
    ("v2", "/products"): {
        "GET": (
            "list_products",
            frozenset({"owner_id", "ids", "filter_id", "updated_since", "custom_fields"}) | _PAGE,
        ),
        "POST": (None, _NONE),
    },
    ("v2", "/products/search"): {"GET": (None, _NONE)},
    ("v2", "/products/{id}"): {
        "GET": ("get_product", _NONE),
        "PATCH": (None, _NONE),
        "DELETE": (None, _NONE),
    },
    ("v2", "/stages"): {"GET": ("list_stages", _PAGE | {"pipeline_id"}), "POST": (None, _NONE)},
    ("v2", "/stages/{id}"): {"GET": ("get_stage", _NONE), "PATCH": (None, _NONE), "DELETE": (None, _NONE)},
    ("v2", "/pipelines"): {"GET": ("list_pipelines", _PAGE), "POST": (None, _NONE)},
    ("v2", "/pipelines/{id}"): {
        "GET": ("get_pipeline", _NONE),
        "PATCH": (None, _NONE),
        "DELETE": (None, _NONE),
    },
    ("v1", "/users"): {"GET": ("list_users", _NONE), "POST": (None, _NONE)},
    ("v1", "/users/me"): {"GET": ("me", _NONE)},
    ("v1", "/users/find"): {"GET": (None, _NONE)},
    ("v1", "/users/{id}"): {"GET": ("get_user", _NONE), "PUT": (None, _NONE)},
    ("v1", "/currencies"): {"GET": ("list_currencies", frozenset({"term"}))},
}
for _entity in ("deal", "organization", "person", "product"):
    ROUTES[("v2", f"/{_entity}Fields")] = {"GET": (f"list_fields:{_entity}", _FIELDS),
                                           "POST": (f"create_field:{_entity}", _NONE)}  # fmt: skip
    ROUTES[("v2", f"/{_entity}Fields/{{field_code}}")] = {
        "GET": (f"get_field:{_entity}", frozenset({"include_fields"})),
        "PATCH": (None, _NONE),
        "DELETE": (None, _NONE),
    }


@dataclass(frozen=True)
class Match:
    version: str
    template: str
    params: dict[str, str]
    methods: dict[str, tuple[str | None, frozenset[str]]]


def split_version(path: str) -> tuple[str | None, str]:
    """`/api/v2/deals` -> ("v2", "/deals"); `/v1/users` and `/api/v1/users` -> ("v1", "/users")."""
    for prefix, version in (("/api/v2/", "v2"), ("/api/v1/", "v1"), ("/v1/", "v1")):
        if path.startswith(prefix):
            return version, "/" + path[len(prefix) :].strip("/")
    return None, path


def match(version: str, path: str) -> Match | None:
    """The route for `path`; literal segments win over `{placeholders}` (/deals/products vs /deals/{id})."""
    segments = path.strip("/").split("/")
    best: Match | None = None
    best_literals = -1
    for (route_version, template), methods in ROUTES.items():
        if route_version != version:
            continue
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
                best, best_literals = Match(version, template, params, methods), literals
    return best
