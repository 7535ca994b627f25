import { useState } from "react";
import { useQuery } from "urql";
import { ChangesQuery } from "./queries";
import { Empty, ErrorNote, Loading } from "./components";
import { plural, problem } from "./format";
import { ChangesTable } from "./ChangesTable";
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
            <ChangesTable changes={changes.nodes} label="Changes" withAlert withCustomer />
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
