"""Query strings: one canonical, shareable address per page, and links that toggle a
filter value."""

from collections.abc import Mapping
from urllib.parse import urlencode

from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse

from .. import filters
from ..models import KnowledgeRecord


def encode_query(params: Mapping[str, object] | list[tuple[str, object]]) -> str:
    return urlencode(params, safe=",")


def canonical_params(querydict: QueryDict) -> dict[str, str]:
    """One value per parameter, several values comma-joined, empty parameters dropped."""
    params = {}
    for key in querydict:
        values = []
        for raw in querydict.getlist(key):
            for part in filters.split_values(raw) if key != "q" else [raw.strip()]:
                if part and part not in values:
                    values.append(part)
        if values:
            params[key] = ",".join(values)
    return params


def _needs_redirect(querydict: QueryDict, params: dict[str, str]) -> bool:
    return any(
        len(querydict.getlist(key)) > 1 or querydict.get(key, "") != params.get(key)
        for key in querydict
    )


def toggled(params: dict[str, str], param: str, value: str) -> str:
    """The query string with `value` added to or removed from `param`; page reset."""
    params = {k: v for k, v in params.items() if k != "page"}
    values = filters.split_values(params.get(param))
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    if values:
        params[param] = ",".join(values)
    else:
        params.pop(param, None)
    return "?" + encode_query(params) if params else "?"


def without(params: dict[str, str], param: str) -> str:
    """The query string without `param` (and without a page number)."""
    rest = {k: v for k, v in params.items() if k not in {param, "page"}}
    return "?" + encode_query(rest) if rest else "?"


def api_url(model_name: str, params: dict[str, str]) -> str:
    path = reverse(f"api:{model_name}-list")
    query = {k: v for k, v in params.items() if k != "page"}
    return path + ("?" + encode_query(query) if query else "")


def api_detail_url(record: KnowledgeRecord) -> str:
    return reverse(f"api:{record._meta.model_name}-detail", args=[record.slug])


class CanonicalQueryMixin:
    """Repeated parameters (from checkbox forms) redirect to their comma-separated form,
    so that every page has one canonical, shareable address."""

    def get(self, request, *args, **kwargs):
        self.params = canonical_params(request.GET)
        if _needs_redirect(request.GET, self.params):
            query = encode_query(self.params)
            return redirect(request.path + ("?" + query if query else ""))
        return super().get(request, *args, **kwargs)
