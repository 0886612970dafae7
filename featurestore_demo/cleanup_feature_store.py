"""Step 6: delete the demo's feature groups and say what was removed.

Run it alone with ``python -m featurestore_demo.cleanup_feature_store`` or
``featurestore-demo cleanup``.
"""

from __future__ import annotations

import argparse
import sys

from rich.table import Table

from featurestore_demo.demo.console import step_header
from featurestore_demo.demo.step import StepContext
from featurestore_demo.errors import ResourceNotFound
from featurestore_demo.schemas import FeatureGroupSpec

NUMBER, TITLE = 6, "clean up"
LESSON = (
    "DeleteFeatureGroup removes the group and its online store at once. The offline data in S3 "
    "and the Glue table stay (on AWS, and in the emulator) unless you remove them; the kit's "
    "cleanup does: it deletes the group, then the Glue table SageMaker made (and with it the "
    "Athena table) and the objects under the group's ResolvedOutputS3Uri."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Step 6 takes no options of its own."""


def run(ctx: StepContext) -> None:
    step_header(ctx.console, NUMBER, TITLE, LESSON)
    table = Table(title="Removed", title_justify="left")
    for column in ("feature group", "offline rows", "Glue table", "status"):
        table.add_column(column, justify="right" if column == "offline rows" else "left")
    for spec in ctx.demo_specs():
        try:
            removed = _offline_store(ctx, spec)
            ctx.backend.delete_feature_group(spec.name)
        except ResourceNotFound:
            table.add_row(spec.name, "-", "-", "[dim]not found (nothing to do)[/]")
            continue
        with ctx.console.status(f"waiting for {spec.name} to be deleted"):
            ctx.backend.wait_for_status(spec.name, "Deleted")
        table.add_row(spec.name, *removed, "[green]deleted[/]")
    ctx.console.print(table)


def _offline_store(ctx: StepContext, spec: FeatureGroupSpec) -> tuple[str, str]:
    """(offline rows, Glue table) of what deleting ``spec``'s group removes offline."""
    offline = ctx.backend.describe_feature_group(spec.name).get("OfflineStoreConfig") or {}
    if "DataCatalogConfig" not in offline:
        return "-", "-"
    name = ctx.backend.offline_table(spec.name)
    count = ctx.backend.query(f"SELECT COUNT(*) AS n FROM {name}")
    glue_table = name + (" [dim](yours: kept)[/]" if offline.get("DisableGlueTableCreation") else "")
    return f"{int(count['n'].iloc[0]):,}", glue_table


if __name__ == "__main__":
    from featurestore_demo.cli import main

    sys.exit(main(["cleanup", *sys.argv[1:]]))
