"""One JSON shape for every API error, and no error that escapes as a 500 page.

    {"status": 400, "code": "invalid", "detail": "Invalid input.",
     "errors": {"name": ["This field is required."]}}

`errors` is present on validation errors only: field name -> messages (nested objects and
lists keep their structure; errors that belong to no field are under "non_field_errors").
"""

import logging

from django.core import exceptions as django_exceptions
from django.db import IntegrityError
from django.http import Http404
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework import status
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record has changed since you read it: fetch it again, re-apply your "
        "change and send the new ETag in If-Match."
    )
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This change conflicts with existing records."
    default_code = "conflict"


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This no longer exists."
    default_code = "gone"


class Building(exceptions.APIException):
    """A dataset version whose file is still being built in the background."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = (
        "This dataset version is being built: try again after Retry-After seconds "
        "(the export index says when it is stored)."
    )
    default_code = "building"

    def __init__(self, wait):
        super().__init__()
        self.wait = wait  # seconds; DRF's handler sends it as Retry-After


class RulesNotMet(exceptions.ValidationError):
    """Publishing a record that does not meet the publishing rules: the request is well
    formed, the record's state is what is wrong (409), and `errors` says what is missing."""

    status_code = status.HTTP_409_CONFLICT
    shape_code = "rules_not_met"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send the ETag you read in an If-Match header, so that no one's edit is lost."
    )
    default_code = "precondition_required"


def django_validation_errors(exc, aliases=None):
    """A Django ValidationError as {field: [messages]}, with model names mapped to API names."""
    aliases = aliases or {}
    if hasattr(exc, "error_dict"):
        errors = {}
        for name, messages in exc.message_dict.items():
            key = "non_field_errors" if name == "__all__" else aliases.get(name, name)
            errors.setdefault(key, []).extend(messages)
        return errors
    return {"non_field_errors": exc.messages}


def _code(detail, fallback):
    codes = getattr(detail, "code", None)
    return codes if isinstance(codes, str) else fallback


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, django_exceptions.PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, django_exceptions.ValidationError):
        exc = exceptions.ValidationError(django_validation_errors(exc))
    elif isinstance(exc, IntegrityError):
        logger.warning("Integrity error in the API: %s", exc)
        exc = Conflict()  # two writes raced for the same slug, say
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: Django logs it and answers 500
    body = {"status": response.status_code, "code": exc.default_code}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = getattr(exc, "shape_code", "invalid")
        body["detail"] = (
            "Invalid input: see errors."
            if body["code"] == "invalid"
            else "The record does not meet the publishing rules: see errors."
        )
        errors = exc.detail
        if isinstance(errors, list):
            errors = {"non_field_errors": errors}
        body["errors"] = errors
    else:
        body["detail"] = str(exc.detail)
        body["code"] = _code(exc.detail, exc.default_code)
    if isinstance(exc, exceptions.Throttled | Building) and exc.wait is not None:
        body["retry_after"] = int(exc.wait + 0.999)
    response.data = body
    return response


@csrf_exempt
def not_found(request, *args, **kwargs):
    """JSON 404 for any unknown address under /api/ (whatever the method)."""
    return JsonResponse(
        {"status": 404, "code": "not_found", "detail": "No such API endpoint."},
        status=404,
    )
