"""A minimal view served only when PKB_BENCHMARK=1: the ceiling any Django page can reach on
this machine, measured in the same run as the real pages (see bench/run.py)."""

from django.http import HttpResponse


def hello(request):
    return HttpResponse(b"hello", content_type="text/plain")
