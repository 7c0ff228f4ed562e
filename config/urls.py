from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Peacekeeping Knowledge Base: curators"
admin.site.site_title = "PKB curators"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("apps.knowledge.urls")),
]
