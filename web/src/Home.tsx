import { useMutation, useQuery } from "urql";
import { AlertsQuery, MarkAlertSeen, MarkAllSeen } from "./queries";
import type { AlertFieldsFragment } from "./gql/graphql";
import { Empty, ErrorNote, LevelMark, Link, Loading, Padlock } from "./components";
import { LEVEL_LABEL, TYPE_LABEL, problem } from "./format";
import { canChange, useApp } from "./context";
import { Worklist } from "./Worklist";

export type Tab = "COLLECTION" | "RISK";

export function AlertLine({ alert, onSeen }: { alert: AlertFieldsFragment; onSeen?: () => void }) {
  return (
    <li className="alert-line">
      <LevelMark color={alert.color} level={alert.level} />
      <div className="alert-line-main">
        <Link to={`/alerts/${encodeURIComponent(alert.id)}`} className="alert-name">
          {alert.name}
        </Link>
        {alert.locked && <> <Padlock /></>}
        <div className="alert-meta">
          {TYPE_LABEL[alert.type] || "Both tabs"} · {LEVEL_LABEL[alert.level]}
          {alert.problems.length > 0 && <span className="warn"> · cannot be evaluated</span>}
        </div>
      </div>
      <div className="alert-counts">
        <span className="match-count" title="Accounts matching now">
          {alert.matchCount.toLocaleString("en-GB")}
          <span className="visually-hidden"> accounts</span>
        </span>
        {alert.newCount > 0 ? (
          <span className="new-count" title="New since you last marked it seen">
            +{alert.newCount.toLocaleString("en-GB")} new
          </span>
        ) : (
          <span className="new-count none">no new</span>
        )}
        {onSeen && alert.newCount > 0 && (
          <button type="button" className="link-button" onClick={onSeen} aria-label={`Mark “${alert.name}” as seen`}>
            Mark seen
          </button>
        )}
      </div>
    </li>
  );
}

export function AlertsPanel({ tab }: { tab: Tab }) {
  const { me, openEditor } = useApp();
  const [result] = useQuery({ query: AlertsQuery, variables: { tab } });
  const [, markSeen] = useMutation(MarkAlertSeen);
  const [marking, markAll] = useMutation(MarkAllSeen);
  const alerts = result.data?.alerts ?? [];
  const newTotal = alerts.reduce((n, a) => n + a.newCount, 0);
  const label = tab === "COLLECTION" ? "Collection" : "Risk";
  return (
    <section className="panel alerts-panel" aria-labelledby={`alerts-${tab}`}>
      <header className="panel-head">
        <h2 id={`alerts-${tab}`}>My alerts · {label}</h2>
        {canChange(me) && (
          <button type="button" className="primary small" onClick={() => openEditor({})}>
            New alert
          </button>
        )}
      </header>
      {result.error && <ErrorNote>{problem(result.error)}</ErrorNote>}
      {!result.data && result.fetching ? (
        <Loading rows={4} />
      ) : alerts.length === 0 ? (
        <Empty>No alert in this tab yet.</Empty>
      ) : (
        <ul className="alert-list">
          {alerts.map((alert) => (
            <AlertLine key={alert.id} alert={alert} onSeen={() => markSeen({ id: alert.id })} />
          ))}
        </ul>
      )}
      <footer className="panel-foot">
        <button
          type="button"
          className="link-button"
          disabled={newTotal === 0 || marking.fetching}
          onClick={() => markAll({ tab })}
        >
          Mark all {label} alerts as seen
        </button>
      </footer>
    </section>
  );
}

export function Home({ tab }: { tab: Tab }) {
  const label = tab === "COLLECTION" ? "Collection" : "Risk";
  return (
    <div className="home">
      <AlertsPanel tab={tab} />
      <div className="panel worklist-panel">
        <header className="panel-head">
          <h2>Worklist · {label}</h2>
        </header>
        <Worklist tab={tab} title={`${label} worklist`} />
      </div>
    </div>
  );
}
