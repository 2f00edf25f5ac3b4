from tortoise import migrations
from tortoise.migrations import operations as ops

# Every event vote looks up the LIVE events pitching its project (pitch by project_id), and
# the projects of an issue are loaded by issue_id: without these indexes both scan their
# whole table. Plain SQL, as in 0004 (AlterField rebuilds SQLite tables).
FORWARD = (
    "CREATE INDEX IF NOT EXISTS pitch_project ON pitch (project_id);"
    " CREATE INDEX IF NOT EXISTS project_issue_issue ON project_issue (issue_id);"
)
BACKWARD = "DROP INDEX IF EXISTS pitch_project; DROP INDEX IF EXISTS project_issue_issue;"


class Migration(migrations.Migration):
    dependencies = [('models', '0004_issue_duplicate_index')]

    initial = False

    operations = [
        ops.RunSQL(FORWARD, BACKWARD),
    ]
