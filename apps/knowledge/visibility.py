"""Who sees drafts: the one rule, shared by the pages and the API.

Everyone sees published records (`Model.objects.published()`, and for citations
`Citation.objects.published()`: a citation is public when its source is). Staff who may
change or publish records of a type may also preview that type's drafts: curators write
them, editors review them before publishing.
"""

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from apps.core.models import PublishableModel

# Whoever asks: a signed-in user, an anonymous visitor, or nobody (a page's own query).
User = AbstractUser | AnonymousUser | None


def can_preview(user: User, model: type[PublishableModel]) -> bool:
    """Whether `user` may read drafts of `model` (on its page and in the API)."""
    if not user or not user.is_authenticated:
        return False
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.change_{opts.model_name}") or (
        user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")
    )


def visible(model: type[PublishableModel], user: User) -> QuerySet[Any]:
    """The records of `model` that `user` may read: drafts too for those who may
    preview them, else the published ones."""
    manager = model.objects
    return manager.all() if can_preview(user, model) else manager.published()
