"""Several counts read in one query, for the figures every admin page shows."""

from django.db import connections


def count_each(**querysets):
    """Return each queryset's number of rows, by name, read in one ``SELECT`` of subqueries.

    A sliced queryset counts at most its slice, so a capped count stays cheap on a large table.
    All the querysets must use the same database.
    """
    (alias,) = {queryset.db for queryset in querysets.values()}
    parts, params = [], []
    for queryset in querysets.values():
        query = queryset.values("pk").query.chain()
        # No order counts the same rows, and a slice of them as many.
        query.clear_ordering(force=True)
        sql, sql_params = query.get_compiler(using=alias).as_sql()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) counted)")
        params.extend(sql_params)
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        return dict(zip(querysets, cursor.fetchone(), strict=True))
