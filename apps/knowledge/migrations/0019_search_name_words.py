"""The distinct words of the searched names, with a trigram index, on PostgreSQL only.

A misspelt query ("kosvo", "peacekeping") matches no lexeme; search then looks for the
names closest to it (apps/knowledge/search.py, `similar_names`). Comparing the query
with every name that shares a few trigrams with it computed pg_trgm's word similarity
over hundreds or thousands of names at 100x the data (50-300 ms). This table holds each
word of the names once for each table whose names hold it (about 900 distinct words at
1x and at 100x), so the words close to the query are found first, in a table that grows
with the vocabulary rather than with the records, and only the names holding one of
them are compared with the query.

A trigger on each searched table adds the words of a name when a row is inserted or a
name changes. Words are never removed: a word no name holds any more finds no record,
so it costs a lookup and changes no answer. Drafts' words are added too; search only
reads published records through them. On SQLite, which compares names in Python,
nothing happens.
"""

from django.db import migrations

# The name fields of each searched table (Target.a in apps/knowledge/search.py).
NAMES = {
    "knowledge_mission": ("acronym", "name"),
    "knowledge_case": ("name",),
    "knowledge_norm": ("name",),
    "knowledge_document": ("short_title", "title", "symbol"),
    "knowledge_organisation": ("acronym", "name"),
    "knowledge_concept": ("term",),
    "knowledge_source": ("title", "subtitle"),
}

# A word: letters, digits, "_", "'" and "-", as `similar_names` splits names in Python
# ([\w'-]+). One row a word and table: search looks a word up only in the tables whose
# names hold it.
WORDS = (
    "SELECT DISTINCT w, {table} FROM {source}"
    "regexp_split_to_table(lower(coalesce({text}, '')), '[^[:alnum:]_''-]+') AS w "
    "WHERE length(w) BETWEEN 2 AND 100"
)

ADD_WORDS = f"""
CREATE FUNCTION knowledge_add_name_words() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    i integer;
BEGIN
    FOR i IN 0 .. TG_NARGS - 1 LOOP
        INSERT INTO knowledge_name_word (word, table_name)
        {WORDS.format(table="TG_TABLE_NAME", source="", text="to_jsonb(NEW) ->> TG_ARGV[i]")}
        ON CONFLICT DO NOTHING;
    END LOOP;
    RETURN NULL;
END
$$
"""

# The words of the names closest to each of `query_words`, with the tables whose names
# hold them: at most `per_word` for each, best first, ties by word. word_similarity of
# at least 0.4: pg_trgm's `<%` under the threshold this function sets for its own run,
# so the trigram index answers it (plpgsql keeps the plan for the session).
CLOSE_WORDS = """
CREATE FUNCTION knowledge_close_words(query_words text[], per_word integer)
RETURNS TABLE (query_word text, word text, similarity real, tables text[])
LANGUAGE plpgsql STABLE
SET pg_trgm.word_similarity_threshold = 0.4
AS $$
BEGIN
    RETURN QUERY SELECT c.q, c.word, c.s, c.tables FROM (
        SELECT q, w.word, word_similarity(q, w.word) AS s,
            array_agg(w.table_name ORDER BY w.table_name) AS tables,
            row_number() OVER (
                PARTITION BY q ORDER BY word_similarity(q, w.word) DESC, w.word
            ) AS n
        FROM unnest(query_words) AS q
        JOIN knowledge_name_word AS w ON q <% w.word
        GROUP BY q, w.word
    ) AS c WHERE c.n <= per_word;
END
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE TABLE knowledge_name_word (word text, table_name text, "
        "PRIMARY KEY (word, table_name))"
    )
    schema_editor.execute(
        "CREATE INDEX knowledge_name_word_trgm_idx ON knowledge_name_word "
        "USING gin (word gin_trgm_ops)"
    )
    schema_editor.execute(ADD_WORDS)
    schema_editor.execute(CLOSE_WORDS, params=None)  # "%" is an operator here
    for table, fields in NAMES.items():
        for field in fields:
            words = WORDS.format(table=f"'{table}'", source=f"{table}, ", text=field)
            schema_editor.execute(
                f"INSERT INTO knowledge_name_word (word, table_name) {words} "
                "ON CONFLICT DO NOTHING"
            )
        columns = ", ".join(fields)
        arguments = ", ".join(f"'{field}'" for field in fields)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_name_words AFTER INSERT OR UPDATE OF {columns} "
            f"ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION knowledge_add_name_words({arguments})"
        )
    schema_editor.execute("ANALYZE knowledge_name_word")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in NAMES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_name_words ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS knowledge_add_name_words()")
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS knowledge_close_words(text[], integer)"
    )
    schema_editor.execute("DROP TABLE IF EXISTS knowledge_name_word")


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0018_list_order_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
