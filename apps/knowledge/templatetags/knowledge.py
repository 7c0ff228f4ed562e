from django import template

from apps.core.markdown import render

register = template.Library()


@register.filter
def markdown(text):
    """Render curator Markdown as sanitised HTML."""
    return render(text)
