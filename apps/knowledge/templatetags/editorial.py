"""The admin home's editorial panel: the user's own proposals and what awaits them."""

from django import template

from .. import services
from ..models import Revision
from ..registry import PAGE_MODELS

register = template.Library()


@register.inclusion_tag("admin/knowledge/includes/editorial_home.html")
def editorial_home(user):
    pending = Revision.objects.pending().select_related("author", "content_type")
    mine = list(pending.filter(author=user)[:10])
    answered = list(
        Revision.objects.filter(author=user, state="sent_back").select_related(
            "reviewer", "content_type"
        )[:5]
    )
    awaiting = []
    if any(services.can_publish(user, model) for model in PAGE_MODELS):
        awaiting = list(pending.exclude(author=user)[:10])
    return {
        "mine": mine,
        "answered": answered,
        "awaiting": awaiting,
        "awaiting_total": pending.exclude(author=user).count() if awaiting else 0,
        "due_url_name": "admin:knowledge_needs_review",
    }
