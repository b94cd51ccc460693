"""issue 12 (H-R2.2 find a case, H-S1 clocks): the case search index and the reason of a clock pause.

* ``case_search``: full text over the case number, Remedy number, summary, customer and every Work
  Info entry, kept in step by triggers (so every writer — web, CLI, flows, Remedy sync — is indexed).
  SQLite: an FTS5 table (rowid = case id). PostgreSQL: ``head``/``body`` tsvectors with the Danish
  configuration and a GIN index on ``head || body``.
* ``case_pause.reason``: ``customer`` (waiting for the customer, H-R1.4) or ``resolved`` (the time a
  case spent resolved before it was reopened, H-S1) — both stop the resolution clock.
* ``case_record.coverage``: a coverage calendar agreed for this case (e.g. ``24x7`` for a silver case).

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_CUSTOMER = ("coalesce(NEW.customer_name, '') || ' ' || coalesce(NEW.customer_email, '') || ' ' || "
             "coalesce(NEW.customer_phone, '')")
_NUMBERS = "coalesce(NEW.number, '') || ' ' || coalesce(NEW.remedy_incident_number, '')"

SQLITE = [
    "CREATE VIRTUAL TABLE case_search USING fts5(numbers, summary, customer, work_info, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    f"""CREATE TRIGGER case_search_case_insert AFTER INSERT ON case_record BEGIN
        INSERT INTO case_search (rowid, numbers, summary, customer, work_info)
        VALUES (NEW.id, {_NUMBERS}, NEW.summary, {_CUSTOMER}, '');
    END""",
    f"""CREATE TRIGGER case_search_case_update AFTER UPDATE OF number, remedy_incident_number, summary,
        customer_name, customer_email, customer_phone ON case_record BEGIN
        UPDATE case_search SET numbers = {_NUMBERS}, summary = NEW.summary, customer = {_CUSTOMER}
        WHERE rowid = NEW.id;
    END""",
    """CREATE TRIGGER case_search_work_info AFTER INSERT ON work_info BEGIN
        UPDATE case_search SET work_info = work_info || ' ' || NEW.summary || ' ' || coalesce(NEW.notes, '')
        WHERE rowid = NEW.case_id;
    END""",
    f"""INSERT INTO case_search (rowid, numbers, summary, customer, work_info)
        SELECT id, coalesce(number, '') || ' ' || coalesce(remedy_incident_number, ''), summary,
               coalesce(customer_name, '') || ' ' || coalesce(customer_email, '') || ' ' || coalesce(customer_phone, ''),
               coalesce((SELECT group_concat(w.summary || ' ' || coalesce(w.notes, ''), ' ') FROM work_info w
                         WHERE w.case_id = case_record.id), '')
        FROM case_record""",
]

POSTGRES = [
    """CREATE TABLE case_search (
        case_id integer PRIMARY KEY REFERENCES case_record(id) ON DELETE CASCADE,
        head tsvector NOT NULL DEFAULT ''::tsvector,
        body tsvector NOT NULL DEFAULT ''::tsvector)""",
    "CREATE INDEX ix_case_search_document ON case_search USING gin ((head || body))",
    f"""CREATE FUNCTION case_search_head() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO case_search (case_id, head)
        VALUES (NEW.id, setweight(to_tsvector('simple', {_NUMBERS}), 'A')
                        || setweight(to_tsvector('danish', NEW.summary), 'B')
                        || to_tsvector('simple', regexp_replace({_CUSTOMER}, '[^[:alnum:]]+', ' ', 'g')))
        ON CONFLICT (case_id) DO UPDATE SET head = EXCLUDED.head;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER case_search_case AFTER INSERT OR UPDATE OF number, remedy_incident_number, summary,
        customer_name, customer_email, customer_phone ON case_record
        FOR EACH ROW EXECUTE FUNCTION case_search_head()""",
    """CREATE FUNCTION case_search_body() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE case_search SET body = body || to_tsvector('danish', NEW.summary || ' ' || coalesce(NEW.notes, ''))
        WHERE case_id = NEW.case_id;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER case_search_work_info AFTER INSERT ON work_info
        FOR EACH ROW EXECUTE FUNCTION case_search_body()""",
    f"""INSERT INTO case_search (case_id, head, body)
        SELECT c.id, setweight(to_tsvector('simple', coalesce(c.number, '') || ' ' || coalesce(c.remedy_incident_number, '')), 'A')
                     || setweight(to_tsvector('danish', c.summary), 'B')
                     || to_tsvector('simple', regexp_replace(coalesce(c.customer_name, '') || ' '
                                    || coalesce(c.customer_email, '') || ' ' || coalesce(c.customer_phone, ''),
                                    '[^[:alnum:]]+', ' ', 'g')),
               coalesce((SELECT to_tsvector('danish', string_agg(w.summary || ' ' || coalesce(w.notes, ''), ' '))
                         FROM work_info w WHERE w.case_id = c.id), ''::tsvector)
        FROM case_record c""",
]


def upgrade() -> None:
    with op.batch_alter_table("case_pause") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=20), nullable=False, server_default="customer"))
    with op.batch_alter_table("case_record") as batch:
        batch.add_column(sa.Column("coverage", sa.String(length=20), nullable=True))
        batch.create_index("ix_case_record_received_at", ["received_at"])
    statements = POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in ("DROP TRIGGER IF EXISTS case_search_work_info ON work_info",
                          "DROP TRIGGER IF EXISTS case_search_case ON case_record",
                          "DROP FUNCTION IF EXISTS case_search_body()", "DROP FUNCTION IF EXISTS case_search_head()",
                          "DROP TABLE IF EXISTS case_search"):
            op.execute(statement)
    else:
        for statement in ("DROP TRIGGER IF EXISTS case_search_work_info", "DROP TRIGGER IF EXISTS case_search_case_update",
                          "DROP TRIGGER IF EXISTS case_search_case_insert", "DROP TABLE IF EXISTS case_search"):
            op.execute(statement)
    with op.batch_alter_table("case_record") as batch:
        batch.drop_index("ix_case_record_received_at")
        batch.drop_column("coverage")
    with op.batch_alter_table("case_pause") as batch:
        batch.drop_column("reason")
