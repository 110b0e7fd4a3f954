"""Hand-written SQL for the hottest paths (a resident's code, every minute, on every phone).

On PostgreSQL these statements use server-side parameters and are prepared once per
connection: planning a three-table join on each request cost more than running it. Elsewhere
they go through Django's cursor as usual. Parameters must already be in the database's terms
(`connection.ops.adapt_*`, `field.get_db_prep_value`).
"""

from django.db import connection


def _prepared(sql: str, params: list):
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = psycopg.Cursor(connection.connection)
        cursor.execute(sql, params, prepare=True)
    return cursor


def fetch_one(sql: str, params: list):
    if connection.vendor == "postgresql":
        with _prepared(sql, params) as cursor, connection.wrap_database_errors:
            return cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
