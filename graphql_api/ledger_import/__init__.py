"""Loading ERP CSV exports into the ledger (SPEC §6): all or nothing.

Files are streamed (a 2M-line items file is never held in memory). Every bad value is
reported with its line and column; if there is any, the transaction is rolled back and the
database is exactly as it was. Read in this order:

- `importer.py`: `import_ledger`, one transaction over the files, then the figures;
- `customers.py`, `items.py`, `reminders.py`: one loader per file kind;
- `item_lines.py`: an items line as written, and the fast path for clean lines;
- `item_blocks.py`: whole blocks of clean items lines at once, as COPY text (PostgreSQL's
  first load) or as the cells of multi-row INSERTs (SQLite, every load that replaces items);
- `csv_file.py`: reading a CSV file, placing each problem by line and column;
- `values.py`: parsing one cell; `problems.py`: the problem list and `ImportFailed`;
- `writers.py`: rows as the database stores them, COPY on PostgreSQL, executemany on SQLite;
- `bulk.py`: the secondary indexes a bulk write builds after it rather than row by row,
  and PostgreSQL's settings for the import's transaction.
"""

from graphql_api.ledger_import.customers import CUSTOMER_COLUMNS
from graphql_api.ledger_import.importer import ImportSummary, import_ledger
from graphql_api.ledger_import.item_lines import ITEM_COLUMNS
from graphql_api.ledger_import.items import BATCH
from graphql_api.ledger_import.problems import KEPT_PROBLEMS, ImportFailed, ImportProblem
from graphql_api.ledger_import.reminders import REMINDER_COLUMNS
from graphql_api.ledger_import.values import BadValue

__all__ = [
    "BATCH",
    "CUSTOMER_COLUMNS",
    "ITEM_COLUMNS",
    "KEPT_PROBLEMS",
    "REMINDER_COLUMNS",
    "BadValue",
    "ImportFailed",
    "ImportProblem",
    "ImportSummary",
    "import_ledger",
]
