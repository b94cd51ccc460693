"""issue 15 (≤ 12 KB per closed case) and the SLA sweep's speed: the full-text index gets one entry per
Work Info row instead of one growing document per case, without a copy of the text; a human task's
recorded answers move onto its own row; a redundant index and the emptied form column go.

* Search. Until now a Work Info insert re-indexed the case's whole concatenated text (SQLite FTS5
  UPDATE of one row per case, its text stored a second time in case_search_content; PostgreSQL an
  UPDATE of one tsvector per case, whose GIN index grew ~70 KB per closed case). Now:
  - SQLite: two contentless FTS5 tables (no copy of the text), ``case_search`` (rowid = case id: numbers,
    summary, customer) and ``work_info_search`` (rowid = work_info id: summary + notes), kept by
    triggers; a changed or deleted row is taken out of the index with FTS5's 'delete' command and its
    old values. ``detail=none`` keeps only which rows hold a token, no columns or positions (the search asks
    for single words and prefixes — never phrases, NEAR or a column; measured: the Work Info index
    1.3 KB per closed case with detail=full, 1.2 KB column, 0.5 KB none); ``columnsize=0`` no
    per-row lengths (nothing is ranked).
  - PostgreSQL: no table and no trigger — GIN expression indexes on the rows themselves, through two
    immutable SQL functions ``case_search_head(...)`` and ``work_info_search(summary, notes)`` that the
    search calls too (so the planner matches the index).
  services.case_search asks "every word in the case's head or in one of its Work Info rows".
* Answers. ``human_task.answers`` (compact JSON) and ``answer_seq`` (the instance's version when the
  answers were given) replace the recorded_answer row of every task — one INSERT fewer per completion.
  recorded_answer keeps what has no task row (a customer's mail reply delivered as a message), with
  ``seq``; existing rows get their order within the case (1, 2, …) and task answers are moved.
* ``ix_human_task_open`` (status, team, role) is a prefix of ``ix_human_task_worklist``: dropped.
  ``human_task.form`` (emptied by 0013) is dropped. ``uq_work_info_remedy_work_log`` becomes partial
  (only imported Remedy work logs; NULLs were an index entry per Work Info row).

No batch rebuilds (SQLite keeps the tables' triggers): ADD/DROP COLUMN in place (SQLite 3.35+).

Revision ID: 0016
Revises: 0015 (0015_worklist_claimed)
"""
from alembic import op
import sqlalchemy as sa

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

FTS_OPTIONS = "content='', columnsize=0, detail=none, tokenize='unicode61 remove_diacritics 2'"


def _head(row: str) -> str:
    """The case's own searchable text (numbers, summary, customer) of NEW / OLD / a table alias."""
    return (f"coalesce({row}.number, '') || ' ' || coalesce({row}.remedy_incident_number, '') || ' ' || "
            f"coalesce({row}.summary, '') || ' ' || coalesce({row}.customer_name, '') || ' ' || "
            f"coalesce({row}.customer_email, '') || ' ' || coalesce({row}.customer_phone, '')")


def _body(row: str) -> str:
    return f"coalesce({row}.summary, '') || ' ' || coalesce({row}.notes, '')"


_HEAD_COLUMNS = "number, remedy_incident_number, summary, customer_name, customer_email, customer_phone"

SQLITE_DROP_0010 = ["DROP TRIGGER IF EXISTS case_search_work_info", "DROP TRIGGER IF EXISTS case_search_case_update",
                    "DROP TRIGGER IF EXISTS case_search_case_insert", "DROP TABLE IF EXISTS case_search"]

SQLITE = [
    f"CREATE VIRTUAL TABLE case_search USING fts5(document, {FTS_OPTIONS})",
    f"CREATE VIRTUAL TABLE work_info_search USING fts5(document, {FTS_OPTIONS})",
    f"""CREATE TRIGGER case_search_insert AFTER INSERT ON case_record BEGIN
        INSERT INTO case_search (rowid, document) VALUES (NEW.id, {_head('NEW')});
    END""",
    f"""CREATE TRIGGER case_search_update AFTER UPDATE OF {_HEAD_COLUMNS} ON case_record BEGIN
        INSERT INTO case_search (case_search, rowid, document) VALUES ('delete', OLD.id, {_head('OLD')});
        INSERT INTO case_search (rowid, document) VALUES (NEW.id, {_head('NEW')});
    END""",
    f"""CREATE TRIGGER case_search_delete AFTER DELETE ON case_record BEGIN
        INSERT INTO case_search (case_search, rowid, document) VALUES ('delete', OLD.id, {_head('OLD')});
    END""",
    f"""CREATE TRIGGER work_info_search_insert AFTER INSERT ON work_info BEGIN
        INSERT INTO work_info_search (rowid, document) VALUES (NEW.id, {_body('NEW')});
    END""",
    f"""CREATE TRIGGER work_info_search_update AFTER UPDATE OF summary, notes ON work_info BEGIN
        INSERT INTO work_info_search (work_info_search, rowid, document) VALUES ('delete', OLD.id, {_body('OLD')});
        INSERT INTO work_info_search (rowid, document) VALUES (NEW.id, {_body('NEW')});
    END""",
    f"""CREATE TRIGGER work_info_search_delete AFTER DELETE ON work_info BEGIN
        INSERT INTO work_info_search (work_info_search, rowid, document) VALUES ('delete', OLD.id, {_body('OLD')});
    END""",
    f"INSERT INTO case_search (rowid, document) SELECT id, {_head('case_record')} FROM case_record",
    f"INSERT INTO work_info_search (rowid, document) SELECT id, {_body('work_info')} FROM work_info",
    "INSERT INTO case_search (case_search) VALUES ('optimize')",
    "INSERT INTO work_info_search (work_info_search) VALUES ('optimize')",
]

POSTGRES_DROP_0010 = ["DROP TRIGGER IF EXISTS case_search_work_info ON work_info",
                      "DROP TRIGGER IF EXISTS case_search_case ON case_record",
                      "DROP FUNCTION IF EXISTS case_search_body()", "DROP FUNCTION IF EXISTS case_search_head()",
                      "DROP TABLE IF EXISTS case_search"]

POSTGRES = [
    # numbers and the customer with the 'simple' configuration (no stemming; punctuation of mail
    # addresses and phone numbers as spaces), the summary with 'danish' — as migration 0010 did
    """CREATE FUNCTION case_search_head(number text, remedy_number text, summary text, customer_name text,
                                       customer_email text, customer_phone text)
        RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT to_tsvector('simple'::regconfig, coalesce(number, '') || ' ' || coalesce(remedy_number, ''))
            || to_tsvector('danish'::regconfig, coalesce(summary, ''))
            || to_tsvector('simple'::regconfig, regexp_replace(coalesce(customer_name, '') || ' '
                           || coalesce(customer_email, '') || ' ' || coalesce(customer_phone, ''),
                           '[^[:alnum:]]+', ' ', 'g'))
    $$""",
    """CREATE FUNCTION work_info_search(summary text, notes text)
        RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT to_tsvector('danish'::regconfig, coalesce(summary, '') || ' ' || coalesce(notes, ''))
    $$""",
    f"CREATE INDEX ix_case_record_search ON case_record USING gin (case_search_head({_HEAD_COLUMNS}))",
    "CREATE INDEX ix_work_info_search ON work_info USING gin (work_info_search(summary, notes))",
]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in (POSTGRES_DROP_0010 + POSTGRES) if postgres else (SQLITE_DROP_0010 + SQLITE):
        op.execute(statement)

    # answers: the order of every recorded answer within its case, then task answers onto the task row
    op.add_column("recorded_answer", sa.Column("seq", sa.Integer(), nullable=True))
    op.execute("""UPDATE recorded_answer SET seq = (SELECT count(*) FROM recorded_answer r
                   WHERE r.case_id = recorded_answer.case_id AND r.id <= recorded_answer.id)""")
    op.add_column("human_task", sa.Column("answers", sa.Text(), nullable=True))
    op.add_column("human_task", sa.Column("answer_seq", sa.Integer(), nullable=True))
    answers = "r.answers::text" if postgres else "r.answers"
    latest = ("SELECT max(r2.id) FROM recorded_answer r2 WHERE r2.task_id = human_task.id "
              "AND r2.case_id = human_task.case_id")
    op.execute(f"""UPDATE human_task
        SET answers = (SELECT {answers} FROM recorded_answer r WHERE r.id = ({latest})),
            answer_seq = (SELECT r.seq FROM recorded_answer r WHERE r.id = ({latest}))
        WHERE EXISTS (SELECT 1 FROM recorded_answer r WHERE r.task_id = human_task.id AND r.case_id = human_task.case_id)""")
    op.execute("""DELETE FROM recorded_answer WHERE EXISTS (SELECT 1 FROM human_task t
                   WHERE t.id = recorded_answer.task_id AND t.case_id = recorded_answer.case_id
                   AND t.answer_seq = recorded_answer.seq)""")

    op.drop_index("ix_human_task_open", table_name="human_task")
    op.execute("ALTER TABLE human_task DROP COLUMN form")
    op.drop_index("uq_work_info_remedy_work_log", table_name="work_info")
    op.create_index("uq_work_info_remedy_work_log", "work_info", ["remedy_work_log_id"], unique=True,
                    sqlite_where=sa.text("remedy_work_log_id IS NOT NULL"),
                    postgresql_where=sa.text("remedy_work_log_id IS NOT NULL"))


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.drop_index("uq_work_info_remedy_work_log", table_name="work_info")
    op.create_index("uq_work_info_remedy_work_log", "work_info", ["remedy_work_log_id"], unique=True)
    op.add_column("human_task", sa.Column("form", sa.JSON(), nullable=True))
    op.create_index("ix_human_task_open", "human_task", ["status", "team", "role"])
    answers = "answers::json" if postgres else "answers"
    op.execute(f"""INSERT INTO recorded_answer (case_id, task_id, bpmn_id, answers, answered_by, answered_at, seq)
        SELECT case_id, id, bpmn_id, {answers}, completed_by, completed_at, answer_seq FROM human_task
        WHERE answers IS NOT NULL ORDER BY case_id, answer_seq""")
    # 0015 orders a case's answers by id: renumber every row in the order of seq
    op.execute("CREATE TABLE recorded_answer_0016 AS SELECT case_id, task_id, bpmn_id, answers, answered_by, "
               "answered_at, seq FROM recorded_answer")
    op.execute("DELETE FROM recorded_answer")
    op.execute("""INSERT INTO recorded_answer (case_id, task_id, bpmn_id, answers, answered_by, answered_at)
        SELECT case_id, task_id, bpmn_id, answers, answered_by, answered_at FROM recorded_answer_0016
        ORDER BY case_id, seq""")
    op.execute("DROP TABLE recorded_answer_0016")
    op.execute("ALTER TABLE human_task DROP COLUMN answer_seq")
    op.execute("ALTER TABLE human_task DROP COLUMN answers")
    op.execute("ALTER TABLE recorded_answer DROP COLUMN seq")
    if postgres:
        for statement in ("DROP INDEX IF EXISTS ix_work_info_search", "DROP INDEX IF EXISTS ix_case_record_search",
                          "DROP FUNCTION IF EXISTS work_info_search(text, text)",
                          "DROP FUNCTION IF EXISTS case_search_head(text, text, text, text, text, text)"):
            op.execute(statement)
    else:
        for statement in ("DROP TRIGGER IF EXISTS work_info_search_delete", "DROP TRIGGER IF EXISTS work_info_search_update",
                          "DROP TRIGGER IF EXISTS work_info_search_insert", "DROP TRIGGER IF EXISTS case_search_delete",
                          "DROP TRIGGER IF EXISTS case_search_update", "DROP TRIGGER IF EXISTS case_search_insert",
                          "DROP TABLE IF EXISTS work_info_search", "DROP TABLE IF EXISTS case_search"):
            op.execute(statement)
    # migration 0010's index, rebuilt from the rows
    from importlib import import_module
    workspace = import_module("store.migrations.versions.0010_workspace")
    for statement in workspace.POSTGRES if postgres else workspace.SQLITE:
        op.execute(statement)
