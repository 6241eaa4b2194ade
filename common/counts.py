"""Several counts read in one query, for the figures every admin page shows."""

from django.core.exceptions import EmptyResultSet
from django.db import connections


def count_each(**querysets):
    """Return each queryset's number of rows, by name, read in one ``SELECT`` of subqueries.

    Each queryset is a plain filter of one model's rows; a sliced one counts at most its slice,
    so a capped count stays cheap on a large table. All of them must use the same database.
    Counts of groups or of distinct values are refused: counting their ids would count rows.
    """
    (alias,) = {queryset.db for queryset in querysets.values()}
    parts, params = [], []
    for name, queryset in querysets.items():
        query = queryset.query
        if query.group_by is not None or query.distinct or query.combinator or query.values_select:
            raise ValueError(f"count_each counts rows, not the groups or values {name!r} selects")
        query = queryset.values("pk").query.chain()
        # No order counts the same rows, and a slice of them as many.
        query.clear_ordering(force=True)
        try:
            sql, sql_params = query.get_compiler(using=alias).as_sql()
        except EmptyResultSet:  # filter(pk__in=[]) and none() match nothing, without SQL
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")
        params.extend(sql_params)
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return dict(zip(querysets, cursor.fetchone(), strict=True))
