"""Write many rows of plain values to a model's table, for ``seed_demo``.

Model instances and ``bulk_create`` spend most of a large load turning each value into
SQL. Here rows are tuples of Python values: on PostgreSQL they go through ``COPY`` as CSV,
sent in the background while the caller builds the next batch; on SQLite through
``executemany`` with each field's own conversion. Neither calls ``save()`` or sends
signals; callers pass every value a row needs.
"""

import csv
import io
import json
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.db import connection, models

# COPY data goes to the server in pieces of this size.
COPY_CHUNK = 1 << 20


class TableWriter:
    """Turn rows holding ``columns`` (attribute names, in order) into one statement for the table.

    The model's other columns get their defaults, each computed once: a callable default
    gives every row the same value.
    """

    def __init__(self, model, columns):
        opts = model._meta
        named = [opts.get_field(name) for name in columns]
        rest = [field for field in opts.concrete_fields
                if field not in named and not field.primary_key and not field.generated]
        self.model = model
        self.fields = named + rest
        self.defaults = tuple(field.get_default() for field in rest)
        self.encoders = {i: (field.encoder or json.JSONEncoder)().encode for i, field in enumerate(self.fields)
                         if isinstance(field, models.JSONField)}
        quote = connection.ops.quote_name
        self.table = quote(opts.db_table)
        self.columns = ", ".join(quote(field.column) for field in self.fields)

    def new_ids(self, count):
        """Reserve ``count`` primary keys for rows written later in this run."""
        table, pk = self.model._meta.db_table, self.model._meta.pk.column
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [table, pk, count])
                return [row[0] for row in cursor.fetchall()]
            # SQLite gives an AUTOINCREMENT table's next row one more than the larger of its
            # highest id and its sqlite_sequence entry: raising the entry reserves the ids.
            quote = connection.ops.quote_name
            cursor.execute(f"SELECT MAX({quote(pk)}) FROM {quote(table)}")
            highest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            entry = cursor.fetchone()
            start = max(highest, entry[0] if entry else 0) + 1
            if entry:
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + count - 1, table])
            else:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start + count - 1])
        return list(range(start, start + count))

    def statement(self, rows):
        """Return (SQL, data) that inserts the rows, for ``Loader.running``."""
        if connection.vendor == "postgresql":
            return self.copy_statement(rows)
        return self.insert_statement(rows)

    def insert_statement(self, rows):
        """Return ``INSERT`` and its parameters for ``executemany``, converted as Django converts them."""
        prepare = [field.get_db_prep_save for field in self.fields]
        return (f"INSERT INTO {self.table} ({self.columns}) VALUES ({', '.join(['%s'] * len(self.fields))})",
                [[to_db(value, connection) for to_db, value in zip(prepare, row + self.defaults, strict=True)]
                 for row in rows])

    def copy_statement(self, rows):
        """Return ``COPY ... FROM STDIN`` and the rows as CSV (PostgreSQL only).

        Every string is quoted and ``None`` comes out as a quoted empty string, which
        ``FORCE_NULL`` reads as NULL in nullable columns; an empty string stays empty in the
        others. So a nullable text column cannot receive an empty string here (the only one,
        the user's email, never holds one).
        """
        if self.defaults:
            rows = [row + self.defaults for row in rows]
        if self.encoders:
            rows = [self.dump_json(row) for row in rows]
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(rows)
        nullable = ", ".join(connection.ops.quote_name(field.column) for field in self.fields if field.null)
        options = f"FORMAT csv, FORCE_NULL ({nullable})" if nullable else "FORMAT csv"
        return f"COPY {self.table} ({self.columns}) FROM STDIN WITH ({options})", buffer.getvalue().encode()

    def dump_json(self, row):
        row = list(row)
        for i, encode in self.encoders.items():
            value = row[i]
            # Many timelines' data is empty; SQL NULL stays NULL, as Django stores None.
            row[i] = "{}" if value == {} else None if value is None else encode(value)
        return row


class Loader:
    """Run ``TableWriter`` statements; on PostgreSQL, in a thread while the caller carries on.

    The thread uses the caller's own database connection, so the rows join the caller's
    transaction. psycopg2 does not guard a connection during COPY, so until ``running``
    ends the caller may not query: a query then raises ``ConnectionBusy``.
    """

    def __enter__(self):
        self.executor = ThreadPoolExecutor(max_workers=1) if connection.vendor == "postgresql" else None
        return self

    def __exit__(self, *exc_info):
        if self.executor:
            self.executor.shutdown()

    @contextmanager
    def running(self, statements):
        """Run the statements: at once on SQLite, in the background on PostgreSQL until the block ends."""
        if not self.executor:
            with connection.cursor() as cursor:
                for sql, params in statements:
                    cursor.executemany(sql, params)
            yield
            return
        connection.ensure_connection()
        copying = self.executor.submit(copy_all, connection.connection, statements)
        try:
            with connection.execute_wrapper(refuse_queries):
                yield
        finally:
            copying.result()


class ConnectionBusy(RuntimeError):
    pass


def refuse_queries(execute, sql, params, many, context):
    raise ConnectionBusy("The database connection is busy copying rows: query before or after.")


def copy_all(raw_connection, statements):
    with raw_connection.cursor() as cursor:
        for sql, data in statements:
            cursor.copy_expert(sql, io.BytesIO(data), size=COPY_CHUNK)
