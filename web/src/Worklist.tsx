import { useEffect, useState } from "react";
import { useQuery } from "urql";
import { WorklistQuery } from "./queries";
import type { CustomerOrder, CustomerRowFragment, CustomerSortField, WorklistQueryVariables } from "./gql/graphql";
import { Bell, Empty, ErrorNote, Link, Loading, Squares, useLast } from "./components";
import { date, money, isNegative, problem } from "./format";
import { useApp } from "./context";

export const PAGE = 50;

interface Column {
  label: string;
  field: CustomerSortField;
  numeric?: boolean;
  className?: string;
}

// Every column sorts by the API's own order (CustomerSortField): the app never sorts a page
// itself, so page 2 follows page 1.
const COLUMNS: Column[] = [
  { label: "Account", field: "ACCOUNT_NUMBER", className: "col-account" },
  { label: "Name", field: "NAME", className: "col-name" },
  { label: "Outstanding", field: "OUTSTANDING_AMOUNT", numeric: true },
  { label: "Overdue", field: "OVERDUE_AMOUNT", numeric: true },
  { label: "Not due", field: "NOT_DUE_AMOUNT", numeric: true },
  { label: "Disputed", field: "DISPUTED_AMOUNT", numeric: true },
  { label: "Uncovered", field: "UNCOVERED_AMOUNT", numeric: true },
  { label: "Days late", field: "DAYS_OVERDUE", numeric: true },
  { label: "Last reminder", field: "LAST_REMINDER_DATE", numeric: true },
];

export type Cursor = { after?: string; before?: string; offset: number };

export function useDebounced<T>(value: T, ms = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export function SortHeader({ column, order, onSort }: { column: Column; order: CustomerOrder[]; onSort: (o: CustomerOrder[]) => void }) {
  // The first key is the one shown; the others only break its ties.
  const active = order[0].field === column.field;
  const direction = order[0].direction ?? "ASC";
  return (
    <th
      scope="col"
      className={[column.numeric ? "num" : "", column.className ?? ""].join(" ")}
      aria-sort={active ? (direction === "ASC" ? "ascending" : "descending") : "none"}
    >
      <button
        type="button"
        className="sort"
        onClick={() =>
          onSort([
            {
              field: column.field,
              // Figures read best biggest first; names and numbers A to Z.
              direction: active ? (direction === "ASC" ? "DESC" : "ASC") : column.numeric ? "DESC" : "ASC",
            },
          ])
        }
      >
        {column.label}
        <span className="sort-arrow" aria-hidden="true">
          {active ? (direction === "ASC" ? "▲" : "▼") : "↕"}
        </span>
      </button>
    </th>
  );
}

export function CustomerTable({
  rows,
  order,
  onSort,
  caption,
}: {
  rows: CustomerRowFragment[];
  order: CustomerOrder[];
  onSort: (o: CustomerOrder[]) => void;
  caption: string;
}) {
  return (
    <div className="table-box" tabIndex={0} role="region" aria-label={caption}>
      <table className="grid">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <SortHeader key={c.field} column={c} order={order} onSort={onSort} />
            ))}
            <SortHeader column={{ label: "Bell", field: "BELL", numeric: true, className: "col-bell" }} order={order} onSort={onSort} />
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.id}>
              <td className="col-account">
                <Link to={`/customers/${encodeURIComponent(c.id)}`} className="account">
                  {c.accountNumber}
                </Link>
                <Squares alerts={c.bell.entries.map((e) => e.alert)} />
              </td>
              <td className="col-name" title={c.name ?? undefined}>
                {c.name ?? <span className="muted">no name</span>}
              </td>
              <Money value={c.outstandingAmount} />
              <Money value={c.overdueAmount} strong />
              <Money value={c.notDueAmount} />
              <Money value={c.disputedAmount} />
              <Money value={c.uncoveredAmount} />
              <td className="num">{c.daysOverdue > 0 ? c.daysOverdue : <span className="muted">0</span>}</td>
              <td className="num">{c.lastReminderDate ? date(c.lastReminderDate) : <span className="muted">never</span>}</td>
              <td className="col-bell num">
                <Bell
                  count={c.bell.count}
                  color={c.bell.color}
                  account={c.accountNumber}
                  entries={c.bell.entries}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Money({ value, strong }: { value: string; strong?: boolean }) {
  const zero = Number(value) === 0;
  return (
    <td className={["num", zero ? "muted" : "", isNegative(value) ? "negative" : "", strong && !zero ? "strong" : ""].join(" ")}>
      {money(value)}
    </td>
  );
}

export function Pager({
  total,
  cursor,
  count,
  pageInfo,
  onPage,
}: {
  total: number;
  cursor: Cursor;
  count: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor?: string | null; endCursor?: string | null };
  onPage: (c: Cursor) => void;
}) {
  const first = total === 0 ? 0 : cursor.offset + 1;
  return (
    <nav className="pager" aria-label="Pages">
      <span className="pager-text">
        {first.toLocaleString("en-GB")}–{(cursor.offset + count).toLocaleString("en-GB")} of {total.toLocaleString("en-GB")}
      </span>
      <button type="button" disabled={cursor.offset === 0} onClick={() => onPage({ offset: 0 })}>
        First
      </button>
      <button
        type="button"
        disabled={!pageInfo.hasPreviousPage && cursor.offset === 0}
        onClick={() => onPage({ before: pageInfo.startCursor ?? undefined, offset: Math.max(0, cursor.offset - PAGE) })}
      >
        ‹ Previous
      </button>
      <button
        type="button"
        disabled={!pageInfo.hasNextPage}
        onClick={() => onPage({ after: pageInfo.endCursor ?? undefined, offset: cursor.offset + count })}
      >
        Next ›
      </button>
    </nav>
  );
}

export function pageVariables(cursor: Cursor): Pick<WorklistQueryVariables, "first" | "after" | "last" | "before"> {
  if (cursor.before) return { last: PAGE, before: cursor.before };
  return { first: PAGE, after: cursor.after };
}

/** The morning's order: the most critical bells first, the largest overdue among equals. */
export const DEFAULT_ORDER: CustomerOrder[] = [
  { field: "BELL", direction: "DESC" },
  { field: "OVERDUE_AMOUNT", direction: "DESC" },
];

/** The worklist of a tab (or of one alert): filters, sorting, paging, all done by the API. */
export function Worklist({ tab, alertId, title }: { tab: "COLLECTION" | "RISK"; alertId?: string; title: string }) {
  const { me } = useApp();
  const [search, setSearch] = useState("");
  const [portfolio, setPortfolio] = useState(false);
  const [ringing, setRinging] = useState(!alertId);
  const [newOnly, setNewOnly] = useState(false);
  const [order, setOrder] = useState<CustomerOrder[]>(DEFAULT_ORDER);
  const [cursor, setCursor] = useState<Cursor>({ offset: 0 });
  const settled = useDebounced(search.trim());
  const reset = () => setCursor({ offset: 0 });
  useEffect(reset, [settled, portfolio, ringing, newOnly, tab, alertId]);
  // "Only accounts with a bell in this tab" and "new only" are one BellFilter; on an
  // alert's page, "new" means new in that alert.
  const bell =
    ringing || newOnly ? { tab: alertId ? null : tab, alertIds: alertId ? [alertId] : null, newOnly } : null;

  const [result] = useQuery({
    query: WorklistQuery,
    variables: {
      tab,
      ...pageVariables(cursor),
      search: settled || null,
      alertId: alertId ?? null,
      where: portfolio && me.collector ? { collector: { values: [me.collector] } } : null,
      orderBy: order,
      bell,
    },
  });
  const connection = useLast(result.data?.customers);
  const rows = connection?.nodes ?? [];
  const stale = result.fetching && !result.data;

  return (
    <section className={stale ? "worklist stale" : "worklist"} aria-label={title} aria-busy={result.fetching}>
      <div className="toolbar">
        <label className="search">
          <span className="visually-hidden">Search accounts</span>
          <input
            type="search"
            placeholder="Search account number or name"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <label className="check" title={me.collector ? `Accounts followed by ${me.collector}` : "Your user has no collector code"}>
          <input type="checkbox" checked={portfolio} disabled={!me.collector} onChange={(e) => setPortfolio(e.target.checked)} />
          My portfolio
        </label>
        {!alertId && (
          <label className="check">
            <input type="checkbox" checked={ringing} onChange={(e) => setRinging(e.target.checked)} />
            Only accounts with a bell in this tab
          </label>
        )}
        <label className="check">
          <input type="checkbox" checked={newOnly} onChange={(e) => setNewOnly(e.target.checked)} />
          New only
        </label>
      </div>
      {result.error && <ErrorNote>{problem(result.error)}</ErrorNote>}
      {!connection && result.fetching ? (
        <Loading rows={12} />
      ) : connection && rows.length === 0 ? (
        <Empty>No account matches{settled ? ` “${settled}”` : ""}.</Empty>
      ) : connection ? (
        <>
          <CustomerTable
            rows={rows}
            order={order}
            onSort={(o) => {
              setOrder(o);
              reset();
            }}
            caption={title}
          />
          <Pager total={connection.totalCount} cursor={cursor} count={rows.length} pageInfo={connection.pageInfo} onPage={setCursor} />
        </>
      ) : null}
    </section>
  );
}
