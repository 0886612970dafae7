"""Step 4: query the offline store with Athena SQL: full history, and a latest snapshot.

Run it alone with ``python -m featurestore_demo.query_offline_store`` or
``featurestore-demo query-offline``.
"""

from __future__ import annotations

import argparse
import sys

from featurestore_demo.demo.console import files_tree, frame_table, sql_panel, step_header
from featurestore_demo.demo.step import StepContext
from featurestore_demo.sql import quote_literal

NUMBER, TITLE = 4, "query the offline store"
LESSON = (
    "The offline store is append-only history: Parquet files in S3, partitioned by event time, "
    "described by a Glue table and queried with Athena SQL. Every put is a row; deletes add a row "
    "with is_deleted = true. This is what training sets are built from."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user-id", default="user_0001", help="user whose history to show (default user_0001)")


def queries(ctx: StepContext) -> list[tuple[str, str]]:
    """(title, Athena SQL) of the step's queries, with the table names of this store."""
    users = ctx.backend.offline_table(ctx.users.name)
    user = quote_literal(ctx.options.user_id)
    return [
        (
            "Rows and ids in the offline store",
            f"SELECT COUNT(*) AS row_count, COUNT(DISTINCT user_id) AS users\nFROM {users}",
        ),
        (
            f"Every version of {ctx.options.user_id}: its history",
            "SELECT user_id, membership_tier, total_purchases, avg_order_value,\n"
            "       from_unixtime(event_time) AS event_time, write_time, is_deleted\n"
            f"FROM {users}\nWHERE user_id = {user}\nORDER BY event_time",
        ),
        (
            "Latest snapshot per user, then users per tier",
            "WITH ranked AS (\n"
            "  SELECT *, row_number() OVER (PARTITION BY user_id\n"
            "    ORDER BY event_time DESC, api_invocation_time DESC, write_time DESC) AS rn\n"
            f"  FROM {users})\n"
            "SELECT membership_tier, COUNT(*) AS users, ROUND(AVG(avg_order_value), 2) AS avg_order_value\n"
            "FROM ranked WHERE rn = 1 AND NOT is_deleted\n"
            "GROUP BY membership_tier ORDER BY users DESC",
        ),
    ]


def run(ctx: StepContext) -> None:
    step_header(ctx.console, NUMBER, TITLE, LESSON)
    location = ctx.backend.describe_feature_group(ctx.users.name)["OfflineStoreConfig"]["S3StorageConfig"][
        "ResolvedOutputS3Uri"]
    ctx.console.print(files_tree(location, ctx.backend.offline_files(ctx.users.name)))
    for title, sql in queries(ctx):
        ctx.console.print(sql_panel(sql, title))
        ctx.console.print(frame_table(ctx.backend.query(sql)))


if __name__ == "__main__":
    from featurestore_demo.cli import main

    sys.exit(main(["query-offline", *sys.argv[1:]]))
