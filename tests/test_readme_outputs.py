"""The README's step outputs are cut from a real run: the cutting, on a small README."""

from __future__ import annotations

from featurestore_demo.demo.readme_outputs import regenerate

OUTPUT = """
Feature group users
  offline table: sagemaker_featurestore.users_42
  offline table: sagemaker_featurestore.transactions_42
         users ━━━━ 3/3
└──┘
GetRecord users / u1
  1 of 2 ids had no record (x does not exist).
s3://bucket/users/data/  2 Parquet files, 3 rows
└── ... 1 more files, one per event-time hour and batch
FROM "sagemaker_featurestore"."users_42"
┏━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━┓
│ history │
└──┘
Transactions of user_0061: naive join vs point-in-time join
         trained on the first 2 transactions
Removed
└──┘
""".splitlines()

README = "".join(f"### Step {step}: s\n\ntext {step}\n\n```\nold {step}\n```\n\n" for step in range(1, 7))
README = README.replace("```\nold 4\n```", '```\nold tree\n```\n```sql\nFROM "sagemaker_featurestore"."users_1"\n```\n'
                                          "```\nold table\n```") + "## Next\n\n```\nkept\n```\n"


def test_each_step_block_becomes_its_lines_of_the_run():
    readme = regenerate(README, OUTPUT)
    assert "```\nFeature group users\n  offline table: sagemaker_featurestore.users_42\n" in readme
    assert "```\nGetRecord users / u1\n  1 of 2 ids had no record (x does not exist).\n```" in readme
    assert "```\ns3://bucket/users/data/  2 Parquet files, 3 rows\n" in readme
    assert '```sql\nFROM "sagemaker_featurestore"."users_42"\n```' in readme  # the SQL names the run's table
    assert "```\n┏━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━┓\n│ history │\n└──┘\n```" in readme
    assert "```\nRemoved\n└──┘\n```" in readme
    assert "old" not in readme and readme.endswith("## Next\n\n```\nkept\n```\n")
    assert "text 3" in readme  # the prose stays
