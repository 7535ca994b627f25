import type { AlertBadgeFragment, ChangeRowFragment, CustomerLinkFragment } from "./gql/graphql";
import { Link, Padlock } from "./components";
import { CAUSE_LABEL, TYPE_LABEL, dateTime } from "./format";

type Change = ChangeRowFragment & { alert?: AlertBadgeFragment; customer?: CustomerLinkFragment };

/** "entered" or "left", coloured: how every list of changes shows a change's kind. */
export function ChangeKindTag({ kind }: { kind: ChangeRowFragment["kind"] }) {
  const entered = kind === "ENTERED";
  return <span className={entered ? "tag in" : "tag out"}>{entered ? "entered" : "left"}</span>;
}

/** The link to an alert where a change names it: its colour, its tab, its name, its padlock. */
export function AlertNameLink({ alert }: { alert: AlertBadgeFragment }) {
  return (
    <>
      <span className="level-dot" style={{ background: alert.color }} aria-hidden="true" />
      <Link to={`/alerts/${encodeURIComponent(alert.id)}`}>
        {TYPE_LABEL[alert.type] && <strong>{TYPE_LABEL[alert.type]} </strong>}
        {alert.name}
      </Link>
      {alert.locked && <> <Padlock /></>}
    </>
  );
}

/** Changes of alerts, newest first: the alert column when the changes are of several alerts
 * (`withAlert`), the account columns when of several customers (`withCustomer`). */
export function ChangesTable({ changes, label, withAlert = false, withCustomer = false, tall = false }: { changes: Change[]; label: string; withAlert?: boolean; withCustomer?: boolean; tall?: boolean }) {
  return (
    <div className={tall ? "table-box tall" : "table-box"} tabIndex={0} role="region" aria-label={label}>
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Change</th>
            {withAlert && <th scope="col">Alert</th>}
            {withCustomer && <th scope="col">Account</th>}
            {withCustomer && <th scope="col">Name</th>}
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c) => (
            <tr key={c.id}>
              <td className="nowrap">{dateTime(c.at)}</td>
              <td>
                <ChangeKindTag kind={c.kind} />
              </td>
              {withAlert && c.alert && (
                <td className="col-name">
                  <AlertNameLink alert={c.alert} />
                </td>
              )}
              {withCustomer && c.customer && (
                <>
                  <td>
                    <Link to={`/customers/${encodeURIComponent(c.customer.id)}`}>{c.customer.accountNumber}</Link>
                  </td>
                  <td className="col-name">{c.customer.name}</td>
                </>
              )}
              <td className="muted">{CAUSE_LABEL[c.cause]}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
