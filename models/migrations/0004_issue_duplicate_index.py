from tortoise import migrations
from tortoise.migrations import operations as ops

# Lookups of an issue's duplicates (merging, and SET NULL when an original is deleted) scan
# the whole table without this index. Plain SQL rather than AlterField: tortoise rebuilds
# the table on SQLite for AlterField and drops its other indexes.
FORWARD = "CREATE INDEX IF NOT EXISTS issue_duplicate_of ON issue (duplicate_of_id);"
BACKWARD = "DROP INDEX IF EXISTS issue_duplicate_of;"


class Migration(migrations.Migration):
    dependencies = [('models', '0003_mapping')]

    initial = False

    operations = [
        ops.RunSQL(FORWARD, BACKWARD),
    ]
