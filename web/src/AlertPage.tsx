import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { AlertPageQuery, MarkAlertSeen } from "./queries";
import { Empty, ErrorNote, LevelMark, Link, Loading, Padlock, useLast } from "./components";
import { LEVEL_LABEL, TYPE_LABEL, dateTime, plural, problem } from "./format";
import { ChangesTable } from "./ChangesTable";
import { canChange, useApp } from "./context";
import { Worklist } from "./Worklist";
import { MatchChart } from "./MatchChart";
import { CriteriaSummary } from "./CriteriaSummary";

export function AlertPage({ id }: { id: string }) {
  const { me, openEditor } = useApp();
  const [days, setDays] = useState(90);
  const [result] = useQuery({ query: AlertPageQuery, variables: { id, tab: null, days } });
  const [, markSeen] = useMutation(MarkAlertSeen);
  const kept = useLast(result.data);
  const alert = kept?.alert?.id === id ? kept.alert : result.data?.alert;
  if (result.error && !alert) return <ErrorNote>{problem(result.error)}</ErrorNote>;
  if (!alert && !result.data) return <Loading rows={10} />;
  if (!alert) return <Empty>This alert does not exist, or is not visible to you.</Empty>;
  const tab = alert.type === "RISK" ? "RISK" : "COLLECTION";
  return (
    <div className="alert-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={tab === "RISK" ? "/risk" : "/"}>{tab === "RISK" ? "Risk" : "Collection"}</Link> › Alert
      </nav>
      <header className="page-head">
        <LevelMark color={alert.color} level={alert.level} />
        <div>
          <h1>
            {alert.name} {alert.locked && <Padlock />}
          </h1>
          <div className="alert-meta">
            {TYPE_LABEL[alert.type] || "Both tabs"} · {LEVEL_LABEL[alert.level]} · {alert.locked ? "private" : "public"} · by {alert.owner.name} · version {alert.version}
          </div>
        </div>
        <div className="head-actions">
          {alert.newCount > 0 && (
            <button type="button" onClick={() => markSeen({ id: alert.id })}>
              Mark as seen
            </button>
          )}
          {alert.canEdit && canChange(me) && (
            <button type="button" className="primary" onClick={() => openEditor({ id: alert.id })}>
              Edit alert
            </button>
          )}
        </div>
      </header>
      {alert.problems.length > 0 && <ErrorNote>This alert cannot be evaluated: {alert.problems.join("; ")}. It matches nothing until this is fixed.</ErrorNote>}
      <div className="alert-summary">
        <section className="panel stat-panel">
          <div className="stat">
            <span className="stat-value">{alert.matchCount.toLocaleString("en-GB")}</span>
            <span className="stat-label">accounts match</span>
          </div>
          <div className="stat">
            <span className="stat-value">{alert.newCount.toLocaleString("en-GB")}</span>
            <span className="stat-label">new since {alert.seenAt ? dateTime(alert.seenAt) : "you last looked"}</span>
          </div>
          <CriteriaSummary criteria={alert.criteria as Record<string, unknown>} />
        </section>
        <section className="panel chart-panel" aria-labelledby="chart-title">
          <header className="panel-head">
            <h2 id="chart-title">Matching accounts, day by day</h2>
            <label className="inline">
              <span className="visually-hidden">Period</span>
              <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
                <option value={30}>30 days</option>
                <option value={90}>90 days</option>
                <option value={365}>1 year</option>
              </select>
            </label>
          </header>
          <MatchChart points={alert.matchCountHistory} color={alert.color} />
        </section>
      </div>
      <section className="panel">
        <header className="panel-head">
          <h2>Accounts in this alert</h2>
        </header>
        <Worklist tab={tab} alertId={alert.id} title={`Accounts matching ${alert.name}`} />
      </section>
      <section className="panel">
        <header className="panel-head">
          <h2>Changes</h2>
          <span className="muted">{plural(alert.changes.totalCount, "change")}</span>
        </header>
        {alert.changes.nodes.length === 0 ? (
          <Empty>No account has entered or left this alert yet.</Empty>
        ) : (
          <ChangesTable changes={alert.changes.nodes} label="Changes of this alert" withCustomer tall />
        )}
      </section>
    </div>
  );
}
