"""OpenAPI: the schema documents, for every operation, the errors it can answer with (in
the one error shape), the `fields` parameter of reads and the If-Match header of updates."""

import re

from drf_spectacular import openapi
from drf_spectacular.plumbing import build_parameter_type
from drf_spectacular.utils import OpenApiParameter

from .fields import WEB_ADDRESS
from .serializers import ErrorSerializer
from .serializers import ProposalSerializer

ERROR_DESCRIPTIONS = {
    400: "Invalid input, filter value or field name; `errors` says which, per field.",
    401: "Authentication required: send `Authorization: Token <key>`.",
    403: "Authenticated, but without the permission this needs.",
    404: "No such record (or it is not published), or no such page.",
    409: "A record of this type already has this slug; or, to publish, the record does "
    "not meet the publishing rules (`errors` says what is missing).",
    415: "Send the body as JSON (`Content-Type: application/json`).",
    410: "This dataset version's file was dropped to bound storage (its checksum stays in the index).",
    412: "If-Match does not name the current ETag: read the record again.",
    428: "Updates need an If-Match header with the ETag you read.",
    429: "Too many requests: wait for Retry-After seconds.",
    500: "Server error (a defect, logged on our side).",
    503: "The database is unavailable or the query took too long: try again after "
    "Retry-After seconds.",
}
NOT_MODIFIED = (
    "Not modified: the ETag sent in If-None-Match (or the date in If-Modified-Since) "
    "still names this representation. No body."
)


def comma_list_pattern(values):
    """A comma-separated list of `values`, as the API reads one (split_values: spaces
    around a value and empty items are ignored; anything else is a 400)."""
    one = "|".join(re.escape(value) for value in values)
    return rf"^\s*(?:{one})?\s*(?:,\s*(?:{one})?\s*)*$"


class AutoSchema(openapi.AutoSchema):
    def get_auth(self):
        # Every read is public: say so, or generated clients demand credentials.
        auth = super().get_auth()
        if self.method in ("GET", "HEAD") and {} not in auth:
            auth.append({})
        return auth

    def error_codes(self):
        detail = "{" in self.path
        # 401 also for a wrong or revoked token; 500 and 503 (apps/core/errors.py) may
        # answer any request.
        codes = {401, 429, 500, 503}
        if self.method in ("GET", "HEAD"):
            codes |= {400, 404}  # lists: 404 for a page past the end
        else:
            codes |= {400, 401, 403} | ({404} if detail else set())
        if self.method in ("PUT", "PATCH"):
            codes |= {412, 428}
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer():
            codes |= {415}
        if self.method == "POST" and not detail and getattr(self.view, "model", None):
            codes |= {409}
        if getattr(self.view, "action", None) in ("publish", "unpublish"):
            codes |= {409}
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method in ("PUT", "PATCH") and "{" in self.path:
            response = self._get_response_for_code(
                ProposalSerializer, "202", ["application/json"], direction
            )
            response["description"] = (
                "The record is published and you may not publish: the change is kept "
                "as a proposal for an editor's review."
            )
            responses["202"] = response
        if self.method == "GET":  # every read is conditional (conditional.py)
            responses["304"] = {"description": NOT_MODIFIED}
        for code in self.error_codes():
            if str(code) not in responses:
                response = self._get_response_for_code(
                    ErrorSerializer, str(code), ["application/json"], direction
                )
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[str(code)] = response
        return responses

    def _get_parameters(self):
        parameters = super()._get_parameters()
        view = self.view
        # Only a record or a page of records is trimmed by `?fields=` (SparseFieldsMixin);
        # a record's citation, references and history ignore it.
        if (
            self.method == "GET"
            and getattr(view, "sparse_fields", False)
            and getattr(view, "action", None) in ("list", "retrieve")
        ):
            names = list(getattr(self._get_serializer(), "fields", {}))
            parameters.append(
                build_parameter_type(
                    name="fields",
                    schema={"type": "string", "pattern": comma_list_pattern(names)},
                    location=OpenApiParameter.QUERY,
                    description="Comma-separated field names: return only these "
                    "fields of each record (e.g. `slug,name,url`).",
                )
            )
        if self.method == "GET" and getattr(view, "action", None) == "list":
            if "updated_since" in getattr(view, "list_parameters", ()):
                parameters.append(
                    build_parameter_type(
                        name="updated_since",
                        schema={"type": "string", "format": "date-time"},
                        location=OpenApiParameter.QUERY,
                        description="Only records changed at or after this moment "
                        "(ISO 8601 date or date-time): for incremental harvests.",
                    )
                )
            if getattr(view, "list_includes", ()):
                parameters.append(
                    build_parameter_type(
                        name="include",
                        schema={"type": "string", "enum": list(view.list_includes)},
                        location=OpenApiParameter.QUERY,
                        description="Embed more in each row: `classifications` gives "
                        "every judgement with its citations.",
                    )
                )
        if self.method in ("PUT", "PATCH"):
            parameters.append(
                build_parameter_type(
                    name="If-Match",
                    schema={"type": "string"},
                    location=OpenApiParameter.HEADER,
                    required=True,
                    description="The ETag of the record as you last read it.",
                )
            )
        return parameters


# Bounds on parameters, by name (a postprocessing hook: the FilterSets and the pagination
# declare them without bounds).
PARAMETER_BOUNDS = {
    "page": {"minimum": 1},
    "page_size": {"minimum": 1, "maximum": 100},
    "limit": {"minimum": 1, "maximum": 100},
    "q": {"minLength": 1},
    "ids": {"minLength": 1},
    "If-Match": {"minLength": 1},
}
DECADE_BOUNDS = {"minimum": 1, "maximum": 9990}
DECADE_PATTERN = (  # empty: no filter
    r"^(|none|[1-9][0-9]{0,2}|[1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|9990)$"
)

# Response headers, documented on the answers that carry them.
HEADERS = {
    "ETag": "A strong validator of this representation: send it in If-None-Match "
    "(or, to update, in If-Match).",
    "Last-Modified": "The latest change to the records shown.",
    "Link": 'The neighbouring pages (rel="next", rel="prev"), RFC 8288.',
    "X-Dataset-Version": "The version of the published dataset this file belongs to.",
    "Retry-After": "Seconds to wait before trying again.",
    "X-Total-Count": "How many records match, on all pages (CSV answers).",
}


def _header(name):
    return {"description": HEADERS[name], "schema": {"type": "string"}}


# Request bodies the API refuses to extend: an unknown field is a 400 (the record
# serializers' StrictInputMixin), so the schema says `additionalProperties: false`;
# and no control characters in text (no line breaks either in a one-line field).
OPEN_REQUEST_BODIES = {"TokenRequestRequest"}
ONE_LINE_TEXT = r"^[^\x00-\x1f\x7f-\x9f]*$"
LONG_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"


def _component(schema, components):
    ref = schema.get("$ref", "")
    return components.get(ref.rpartition("/")[2]) if ref else None


def _fields_may_be_left_out(operation, components):
    """With `?fields=`, a record has only the fields asked for: none is required in the
    records (or page rows) an operation that takes `fields` answers with."""
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    record = _component(schema, components)
    if record is not None and "results" in record.get("properties", {}):
        record = _component(record["properties"]["results"]["items"], components)
    if record is not None:
        record.pop("required", None)


# What each `?include=` value adds to a list row (BaseRecordSerializer.get_fields): never
# required, since rows carry it only on request.
INCLUDED_PROPERTIES = {
    "classifications": {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Classification"},
        "readOnly": True,
        "description": "Only with `?include=classifications`: every judgement with "
        "its citations.",
    },
}


def _declare_includes(operation, parameter, components):
    """The rows of a list that takes `?include=` declare what it embeds, so typed
    clients read it as declared data."""
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    page = _component(content.get("application/json", {}).get("schema", {}), components)
    if page is None or "results" not in page.get("properties", {}):
        return
    row = _component(page["properties"]["results"]["items"], components)
    if row is None:
        return
    for value in parameter.get("schema", {}).get("enum", ()):
        row.setdefault("properties", {}).setdefault(value, INCLUDED_PROPERTIES[value])


def _close_request_body(component):
    """No extra properties; web addresses as fields.WebAddressField takes them; every
    free string bounded to one line or to long text."""
    component["additionalProperties"] = False
    for field in component.get("properties", {}).values():
        for option in field.get("oneOf", [field]):
            if option.get("format") == "uri":
                del option["format"]
                option["pattern"] = WEB_ADDRESS
        if field.get("type") == "string" and not (
            {"format", "enum", "pattern", "readOnly"} & set(field)
        ):
            field["pattern"] = ONE_LINE_TEXT if "maxLength" in field else LONG_TEXT


def _bound_parameter(parameter):
    schema = parameter.get("schema", {})
    name = parameter["name"]
    if name in PARAMETER_BOUNDS and not (name == "q" and not parameter.get("required")):
        schema.update(PARAMETER_BOUNDS[name])
    if name == "decade":
        target = schema.get("items", schema)
        if target.get("type") in ("number", "integer"):
            target.update(DECADE_BOUNDS)
        else:  # a year from 1 to 9990, or "none" (no year coded)
            target["pattern"] = DECADE_PATTERN


def _read_headers(path, paged):
    """The headers a successful GET answers with."""
    headers = {
        "ETag": _header("ETag"),
        "Last-Modified": _header("Last-Modified"),
    }
    if paged:
        headers["Link"] = _header("Link")
    if path.startswith("/api/v1/export/"):
        headers["X-Dataset-Version"] = _header("X-Dataset-Version")
    return headers


def _response_headers(path, method, code, response, paged):
    csv = response.get("content", {}).get("text/csv")
    if csv is not None:  # a list's page as CSV (renderers.ListCSVRenderer)
        csv["schema"] = {"type": "string"}
    headers = response.setdefault("headers", {})
    if csv is not None and paged:
        headers["X-Total-Count"] = _header("X-Total-Count")
    # Throttled; the database down, or a dataset version still being built.
    if code in ("429", "503"):
        headers["Retry-After"] = _header("Retry-After")
    if code == "304":
        headers["ETag"] = _header("ETag")
    if method == "get" and code == "200":
        headers.update(_read_headers(path, paged))
    if not headers:
        del response["headers"]


def _finish_operation(path, method, operation, components):
    parameters = operation.get("parameters", [])
    names = {p["name"] for p in parameters}
    if "fields" in names:
        _fields_may_be_left_out(operation, components)
    for parameter in parameters:
        _bound_parameter(parameter)
        if parameter["name"] == "include" and parameter.get("in") == "query":
            _declare_includes(operation, parameter, components)
    for code, response in operation.get("responses", {}).items():
        _response_headers(path, method, code, response, "page" in names)


def postprocess(result, generator, request, public):
    """Bounds on paging, decades and required strings; the headers answers carry; no
    extra properties in the record bodies."""
    components = result.get("components", {}).get("schemas", {})
    for name, component in components.items():
        if (
            name.endswith("Request")
            and name not in OPEN_REQUEST_BODIES
            and component.get("type") == "object"
        ):
            _close_request_body(component)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            _finish_operation(path, method, operation, components)
    return result
