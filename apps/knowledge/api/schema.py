"""OpenAPI: the schema documents, for every operation, the errors it can answer with (in
the one error shape), the `fields` parameter of reads and the If-Match header of updates."""

from drf_spectacular import openapi
from drf_spectacular.plumbing import build_parameter_type
from drf_spectacular.utils import OpenApiParameter

from .serializers import ErrorSerializer, ProposalSerializer

ERROR_DESCRIPTIONS = {
    400: "Invalid input, filter value or field name; `errors` says which, per field.",
    401: "Authentication required: send `Authorization: Token <key>`.",
    403: "Authenticated, but without the permission this needs.",
    404: "No such record (or it is not published), or no such page.",
    412: "If-Match does not name the current ETag: read the record again.",
    428: "Updates need an If-Match header with the ETag you read.",
    429: "Too many requests: wait for Retry-After seconds.",
}


class AutoSchema(openapi.AutoSchema):
    def error_codes(self):
        detail = "{" in self.path
        codes = {401, 429}  # 401 also for a wrong or revoked token
        if self.method in ("GET", "HEAD"):
            codes |= {400, 404}  # lists: 404 for a page past the end
        else:
            codes |= {400, 401, 403} | ({404} if detail else set())
        if self.method in ("PUT", "PATCH"):
            codes |= {412, 428}
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
        if self.method == "GET" and getattr(view, "sparse_fields", False):
            parameters.append(
                build_parameter_type(
                    name="fields",
                    schema={"type": "string"},
                    location=OpenApiParameter.QUERY,
                    description="Comma-separated field names: return only these "
                    "fields of each record (e.g. `slug,name,url`).",
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
