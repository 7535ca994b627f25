from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from graphql_api.evaluation import compile_criteria, ledger_for, match_counts, validate_criteria
from graphql_api.ledger_import import import_ledger
from graphql_api.plugins import CriteriaRegistry


def test_overdue_customer_is_counted(engine: Engine, registry: CriteriaRegistry, tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("account_number,name\nA1,Acme\nB2,Bob\n")
    (tmp_path / "i.csv").write_text(
        "account_number,document_number,type,due_date,amount,open_amount\n"
        "A1,F1,INVOICE,2026-01-01,25000,25000\nB2,F2,INVOICE,2027-01-01,30000,30000\n"
    )
    import_ledger(engine, today=date(2026, 11, 23), customers_file=tmp_path / "c.csv", items_file=tmp_path / "i.csv")
    spec = validate_criteria(registry, {"overdueAmount": {"min": "20000"}})
    condition = compile_criteria(registry, spec, ledger_for(date(2026, 11, 23))).condition
    with engine.connect() as conn:
        assert match_counts(conn, {1: condition}) == {1: 1}
