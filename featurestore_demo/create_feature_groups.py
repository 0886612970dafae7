"""Step 1: create the users, products and transactions feature groups.

Run it alone with ``python -m featurestore_demo.create_feature_groups`` or
``featurestore-demo create``.
"""

from __future__ import annotations

import argparse
import sys

from featurestore_demo.demo.console import schema_table, step_header
from featurestore_demo.demo.step import StepContext
from featurestore_demo.errors import ResourceInUse

NUMBER, TITLE = 1, "create feature groups"
LESSON = (
    "A feature group is a table of features keyed by a record identifier, with an event time. "
    "Its online store keeps the latest record per id for low-latency reads; its offline store "
    "keeps every version for training and SQL."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Step 1 takes no options of its own."""


def run(ctx: StepContext) -> None:
    step_header(ctx.console, NUMBER, TITLE, LESSON)
    for spec in ctx.demo_specs():
        ctx.console.print(schema_table(spec))
        try:
            arn = ctx.backend.create_feature_group(spec)
        except ResourceInUse:
            ctx.console.print(
                f"  [yellow]{spec.name} exists already: kept[/] "
                "(run `featurestore-demo cleanup` to start over)"
            )
            continue
        with ctx.console.status(f"waiting for {spec.name} to be Created"):
            description = ctx.backend.wait_for_status(spec.name, "Created")
        ctx.console.print(f"  [green]created[/] {arn}")
        catalog = (description.get("OfflineStoreConfig") or {}).get("DataCatalogConfig")
        if catalog:
            ctx.console.print(f"  offline table: {catalog['Database']}.{catalog['TableName']}")


if __name__ == "__main__":
    from featurestore_demo.cli import main

    sys.exit(main(["create", *sys.argv[1:]]))
