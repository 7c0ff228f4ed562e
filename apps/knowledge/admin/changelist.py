"""A changelist that refuses lookups the database cannot be asked, as Django refuses the
ones it cannot build: with its "invalid lookup" redirect (`?e=1`), not a 500."""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import EmptyResultSet
from django.core.exceptions import FullResultSet


class CheckedChangeList(ChangeList):
    def get_queryset(self, request, exclude_parameters=None):
        # Django turns `?updated_at__year=-1` into a filter and only finds the year out of
        # range when the query is written (a ValueError, or an OverflowError for a
        # 20-digit year): write it now, where a bad lookup is still the reader's. The
        # date hierarchy's own year (`?start_date__year=`) overflows while Django reads it.
        try:
            queryset = super().get_queryset(request, exclude_parameters)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error
        try:
            queryset.query.sql_with_params()
        except (EmptyResultSet, FullResultSet):
            pass
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error
        return queryset


class CheckedChangeListMixin:
    def get_changelist(self, request, **kwargs):
        return CheckedChangeList
