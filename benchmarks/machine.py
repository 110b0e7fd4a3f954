"""What every benchmark reports about where it ran: the database's version and the load.
Imported after django.setup() by the scripts beside it."""

import os

from django.db import connection


def database_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def load_average() -> str:
    return " ".join(f"{load:.2f}" for load in os.getloadavg())
