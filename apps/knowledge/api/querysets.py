"""The API's one door: what a client may see, with related data loaded in a fixed number of
queries. Anonymous clients (and users without editing rights on a type) see published
records only; related records are always the published ones."""

from django.db.models import Prefetch

from apps.core.models import Status

from ..models import Citation, Classification


def can_see_drafts(user, model):
    """Curators (change) and editors (publish) of a type may read its drafts."""
    if not user or not user.is_authenticated:
        return False
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.change_{opts.model_name}") or (
        user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")
    )


def visible(model, user):
    manager = model.objects
    return manager.all() if can_see_drafts(user, model) else manager.published()


def published(model, name):
    return Prefetch(name, queryset=model.objects.published())


def published_citations(name="citations"):
    return Prefetch(
        name,
        queryset=Citation.objects.filter(source__status=Status.PUBLISHED)
        .select_related("source")
        .order_by("position", "id"),
    )


def classifications_with_citations():
    return Prefetch(
        "classifications",
        queryset=Classification.objects.prefetch_related(published_citations()),
    )
