import { useState } from "react";
import { useQuery } from "urql";
import { ChangesQuery } from "./queries";
import { Empty, ErrorNote, Link, Loading, Padlock } from "./components";
import { CAUSE_LABEL, TYPE_LABEL, dateTime, plural, problem } from "./format";
import { useApp } from "./context";
import { AlertsPanel } from "./Home";

function dayBefore(day: string): string {
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** What changed across my alerts since a date: last night's import at a glance. */
export function ChangesPage() {
  const { today } = useApp();
  const [since, setSince] = useState(() => dayBefore(today || new Date().toISOString().slice(0, 10)));
  const [tab, setTab] = useState<"" | "COLLECTION" | "RISK">("");
  const [after, setAfter] = useState<string | undefined>();
  // Midnight at the start of the chosen day, in the browser's time zone.
  const sinceMoment = since ? new Date(`${since}T00:00:00`).toISOString() : null;
  const [result] = useQuery({ query: ChangesQuery, variables: { since: sinceMoment, tab: tab || null, after } });
  const changes = result.data?.alertChanges;
  return (
    <div className="changes-page">
      <div className="panel">
        <header className="panel-head">
          <h1>What changed</h1>
          <label className="inline">
            <span>since</span>
            <input type="date" value={since} max={today} onChange={(e) => { setSince(e.target.value); setAfter(undefined); }} />
          </label>
          <label className="inline">
            <span>in</span>
            <select value={tab} onChange={(e) => { setTab(e.target.value as typeof tab); setAfter(undefined); }}>
              <option value="">all my alerts</option>
              <option value="COLLECTION">the Collection tab</option>
              <option value="RISK">the Risk tab</option>
            </select>
          </label>
          {changes && <span className="muted">{plural(changes.totalCount, "change")}</span>}
        </header>
        {result.error && <ErrorNote>{problem(result.error)}</ErrorNote>}
        {!changes && result.fetching ? (
          <Loading rows={10} />
        ) : !changes || changes.nodes.length === 0 ? (
          <Empty>Nothing changed since {since}.</Empty>
        ) : (
          <>
            <div className="table-box" tabIndex={0} role="region" aria-label="Changes">
              <table className="grid">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Change</th>
                    <th scope="col">Alert</th>
                    <th scope="col">Account</th>
                    <th scope="col">Name</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {changes.nodes.map((c) => (
                    <tr key={c.id}>
                      <td className="nowrap">{dateTime(c.at)}</td>
                      <td>
                        <span className={c.kind === "ENTERED" ? "tag in" : "tag out"}>{c.kind === "ENTERED" ? "entered" : "left"}</span>
                      </td>
                      <td className="col-name">
                        <span className="level-dot" style={{ background: c.alert.color }} aria-hidden="true" />
                        <Link to={`/alerts/${encodeURIComponent(c.alert.id)}`}>
                          {TYPE_LABEL[c.alert.type] && <strong>{TYPE_LABEL[c.alert.type]} </strong>}
                          {c.alert.name}
                        </Link>
                        {c.alert.locked && <> <Padlock /></>}
                      </td>
                      <td>
                        <Link to={`/customers/${encodeURIComponent(c.customer.id)}`}>{c.customer.accountNumber}</Link>
                      </td>
                      <td className="col-name">{c.customer.name}</td>
                      <td className="muted">{CAUSE_LABEL[c.cause]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {changes.pageInfo.hasNextPage && (
              <div className="pager">
                <button type="button" onClick={() => setAfter(changes.pageInfo.endCursor ?? undefined)}>
                  Older changes ›
                </button>
              </div>
            )}
          </>
        )}
      </div>
      <div className="changes-side">
        <AlertsPanel tab="COLLECTION" />
        <AlertsPanel tab="RISK" />
      </div>
    </div>
  );
}
