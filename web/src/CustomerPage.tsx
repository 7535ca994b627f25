import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { CustomerQuery, DeleteReminder, LogReminder } from "./queries";
import type { CriteriaInput, CustomerLinkFragment, ItemRowFragment, ReminderChannel } from "./gql/graphql";
import { Bell, Empty, ErrorNote, Link, Loading, Squares, useLast } from "./components";
import { CAUSE_LABEL, TYPE_LABEL, date, dateTime, isNegative, money, plural, problem } from "./format";
import { canChange, useApp } from "./context";
import { ChangeKindTag } from "./ChangesTable";
import { PAGE, Pager, pageVariables, type Cursor } from "./Worklist";

const ITEM_FILTERS: { label: string; where: CriteriaInput | null }[] = [
  { label: "All items", where: null },
  { label: "Overdue", where: { itemOverdue: true } },
  { label: "Not yet due", where: { itemOverdue: false } },
  { label: "Disputed", where: { itemDisputed: true } },
  { label: "Ignored in collection", where: { itemIgnoredInCollection: true } },
  { label: "Invoices", where: { itemType: { values: ["INVOICE"] } } },
  { label: "Credit notes & payments", where: { itemType: { values: ["CREDIT_NOTE", "PAYMENT"] } } },
];

export function CustomerPage({ id }: { id: string }) {
  const { me } = useApp();
  const [filter, setFilter] = useState(0);
  const [cursor, setCursor] = useState<Cursor>({ offset: 0 });
  const [result] = useQuery({
    query: CustomerQuery,
    variables: { id, tab: null, itemsWhere: ITEM_FILTERS[filter].where, ...pageVariables(cursor) },
  });
  const kept = useLast(result.data);
  const customer = kept?.customer?.id === id ? kept.customer : result.data?.customer;
  if (result.error && !customer) return <ErrorNote>{problem(result.error)}</ErrorNote>;
  if (!customer && !result.data) return <Loading rows={10} />;
  if (!customer) return <Empty>No such account.</Empty>;
  const figures: [string, string | null | undefined][] = [
    ["Outstanding", customer.outstandingAmount],
    ["Overdue", customer.overdueAmount],
    ["Not yet due", customer.notDueAmount],
    ["Disputed", customer.disputedAmount],
    ["Credit limit", customer.creditLimit],
    ["Limit excess", customer.creditLimitExcess],
    ["Insurer's guarantee", customer.insurerGuarantee],
    ["Uncovered", customer.uncoveredAmount],
  ];
  return (
    <div className="customer-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to="/">Worklist</Link> › Account
      </nav>
      <header className="page-head">
        <div>
          <h1>
            <span className="account-big">{customer.accountNumber}</span> {customer.name}
          </h1>
          <div className="alert-meta">
            {[customer.group && `Group ${customer.group}`, customer.country, customer.status, customer.collector && `Collector ${customer.collector}`]
              .filter(Boolean)
              .join(" · ")}
            {customer.blocked && <span className="tag out"> credit hold</span>}
          </div>
        </div>
        <div className="head-actions bell-head">
          <Squares alerts={customer.bell.entries.map((e) => e.alert)} />
          <Bell count={customer.bell.count} color={customer.bell.color} account={customer.accountNumber} entries={customer.bell.entries} />
        </div>
      </header>
      <section className="figures" aria-label="Figures">
        {figures.map(([label, value]) => (
          <div key={label} className="figure">
            <span className="figure-label">{label}</span>
            <span className={isNegative(value) ? "figure-value negative" : "figure-value"}>{money(value, true)}</span>
          </div>
        ))}
        <div className="figure">
          <span className="figure-label">Days overdue</span>
          <span className="figure-value">{customer.daysOverdue}</span>
        </div>
        <div className="figure">
          <span className="figure-label">Last reminder</span>
          <span className="figure-value">{date(customer.lastReminderDate)}</span>
        </div>
        <div className="figure">
          <span className="figure-label">Last payment</span>
          <span className="figure-value">{date(customer.lastPaymentDate)}</span>
        </div>
      </section>
      <div className="two-col">
        <section className="panel" aria-labelledby="items-title">
          <header className="panel-head">
            <h2 id="items-title">Items</h2>
            <label className="inline">
              <span className="visually-hidden">Show</span>
              <select aria-label="Which items" value={filter} onChange={(e) => { setFilter(Number(e.target.value)); setCursor({ offset: 0 }); }}>
                {ITEM_FILTERS.map((f, i) => (
                  <option key={f.label} value={i}>
                    {f.label}
                  </option>
                ))}
              </select>
            </label>
            <span className="muted">{plural(customer.items.totalCount, "item")}</span>
          </header>
          <ItemTable items={customer.items.nodes} />
          {customer.items.totalCount > PAGE && (
            <Pager total={customer.items.totalCount} cursor={cursor} count={customer.items.nodes.length} pageInfo={customer.items.pageInfo} onPage={setCursor} />
          )}
        </section>
        <div className="side">
          <Reminders customerId={customer.id} reminders={customer.reminders} canLog={canChange(me)} me={me} />
          <section className="panel" aria-labelledby="history-title">
            <header className="panel-head">
              <h2 id="history-title">Alert history</h2>
            </header>
            {customer.alertChanges.nodes.length === 0 ? (
              <Empty>This account has not entered or left any of your alerts.</Empty>
            ) : (
              <ul className="history">
                {customer.alertChanges.nodes.map((c) => (
                  <li key={c.id}>
                    <ChangeKindTag kind={c.kind} />{" "}
                    <Link to={`/alerts/${encodeURIComponent(c.alert.id)}`}>
                      <span style={{ color: c.alert.color }}>{TYPE_LABEL[c.alert.type] && `${TYPE_LABEL[c.alert.type]} `}</span>
                      {c.alert.name}
                    </Link>
                    <div className="muted small">
                      {dateTime(c.at)} · {CAUSE_LABEL[c.cause]}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      </div>
    </div>
  );
}

export function ItemTable({ items, withCustomer = false }: { items: (ItemRowFragment & { customer?: CustomerLinkFragment })[]; withCustomer?: boolean }) {
  if (items.length === 0) return <Empty>No item.</Empty>;
  return (
    <div className="table-box tall" tabIndex={0} role="region" aria-label="Items">
      <table className="grid">
        <thead>
          <tr>
            {withCustomer && <th scope="col">Account</th>}
            {withCustomer && <th scope="col">Name</th>}
            <th scope="col">Document</th>
            <th scope="col">Type</th>
            <th scope="col" className="num">Date</th>
            <th scope="col" className="num">Due</th>
            <th scope="col" className="num">Amount</th>
            <th scope="col" className="num">Open</th>
            <th scope="col">Flags</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id}>
              {withCustomer && item.customer && (
                <td>
                  <Link to={`/customers/${encodeURIComponent(item.customer.id)}`}>{item.customer.accountNumber}</Link>
                </td>
              )}
              {withCustomer && <td className="col-name">{item.customer?.name}</td>}
              <td>{item.documentNumber}</td>
              <td>{item.type.replace("_", " ").toLowerCase()}</td>
              <td className="num">{date(item.documentDate)}</td>
              <td className={item.overdue && Number(item.openAmount) !== 0 ? "num late" : "num"}>{date(item.dueDate)}</td>
              <td className="num">{money(item.amount, true)}</td>
              <td className={isNegative(item.openAmount) ? "num negative strong" : "num strong"}>{money(item.openAmount, true)}</td>
              <td className="flags">
                {item.disputed && <span className="tag">disputed</span>}
                {item.ignoredInCollection && <span className="tag">ignored</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Reminders({
  customerId,
  reminders,
  canLog,
  me,
}: {
  customerId: string;
  reminders: { id: string; date: string; channel: ReminderChannel; note?: string | null; loggedBy?: string | null }[];
  canLog: boolean;
  me: { name: string; role: string };
}) {
  const { today } = useApp();
  const [day, setDay] = useState(today);
  const [channel, setChannel] = useState<ReminderChannel>("EMAIL");
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const [logging, log] = useMutation(LogReminder);
  const [, remove] = useMutation(DeleteReminder);
  return (
    <section className="panel" aria-labelledby="reminders-title">
      <header className="panel-head">
        <h2 id="reminders-title">Reminders</h2>
      </header>
      {canLog && (
        <form
          className="reminder-form"
          onSubmit={async (e) => {
            e.preventDefault();
            const result = await log({ input: { customerId, date: day || null, channel, note: note.trim() || null } });
            const errs = result.data?.logReminder.errors ?? [];
            setErrors(result.error ? [problem(result.error) ?? "Not logged."] : errs.map((x) => x.message));
            if (!result.error && errs.length === 0) setNote("");
          }}
        >
          <label>
            <span>Date</span>
            <input type="date" value={day} max={today} onChange={(e) => setDay(e.target.value)} />
          </label>
          <label>
            <span>Channel</span>
            <select value={channel} onChange={(e) => setChannel(e.target.value as ReminderChannel)}>
              {(["EMAIL", "LETTER", "PHONE", "OTHER"] as ReminderChannel[]).map((c) => (
                <option key={c} value={c}>
                  {c.toLowerCase()}
                </option>
              ))}
            </select>
          </label>
          <label className="wide">
            <span>Note</span>
            <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="optional" />
          </label>
          <button type="submit" className="primary" disabled={logging.fetching}>
            Log reminder
          </button>
          {errors.length > 0 && (
            <div className="field-error wide" role="alert">
              {errors.join(" ")}
            </div>
          )}
        </form>
      )}
      {reminders.length === 0 ? (
        <Empty>Never reminded.</Empty>
      ) : (
        <ul className="reminders">
          {reminders.map((r) => (
            <li key={r.id}>
              <span className="reminder-date">{r.date}</span> <span className="tag">{r.channel.toLowerCase()}</span>{" "}
              <span className="muted small">{r.loggedBy ? `by ${r.loggedBy}` : "imported"}</span>
              {r.note && <div className="small">{r.note}</div>}
              {canLog && (me.role === "ADMIN" || r.loggedBy === me.name) && (
                <button type="button" className="link-button danger-text" aria-label={`Delete the reminder of ${r.date}`} onClick={() => remove({ id: r.id })}>
                  Delete
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
