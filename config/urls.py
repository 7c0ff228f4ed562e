from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import include
from django.urls import path

admin.site.site_header = "Peacekeeping Knowledge Base: curators"
admin.site.site_title = "PKB curators"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("apps.core.urls")),  # /healthz, /readyz
    path("admin/", admin.site.urls),
    path("api/v1/", include("apps.knowledge.api.urls")),
    path("", include("apps.knowledge.api.site_urls")),
    path("", include("apps.knowledge.urls")),
]

if settings.BENCHMARK:
    from apps.core.bench import hello

    urlpatterns.insert(0, path("bench/hello/", hello))

# A database outage answers 503 (HTML, or JSON under /api/); other errors a plain 500.
handler500 = "apps.core.errors.server_error"
