import { useId, useLayoutEffect, useRef, useState, type ReactNode } from "react";

/** The last value that arrived: while a new page, order or filter loads, the screen keeps
 * showing the previous one (dimmed) instead of jumping to a skeleton. */
export function useLast<T>(value: T | null | undefined): T | null | undefined {
  const last = useRef(value);
  if (value !== undefined && value !== null) last.current = value;
  return value ?? last.current;
}
import { navigate } from "./router";
import { TYPE_LABEL, date } from "./format";
import type { AlertBadgeFragment, BellFieldsFragment } from "./gql/graphql";

// Icons are inline SVG: an emoji needs a colour font the machine may not have.
export function LockIcon() {
  return (
    <svg className="icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
      <path d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="currentColor" />
    </svg>
  );
}

export function BellIcon() {
  return (
    <svg className="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path
        d="M8 1.5a1 1 0 0 1 1 1v.6a4.5 4.5 0 0 1 3.5 4.4v2.8l1.3 1.6a.6.6 0 0 1-.5 1H2.7a.6.6 0 0 1-.5-1l1.3-1.6V7.5A4.5 4.5 0 0 1 7 3.1v-.6a1 1 0 0 1 1-1ZM6.3 13.9h3.4a1.7 1.7 0 0 1-3.4 0Z"
        fill="currentColor"
      />
    </svg>
  );
}

/** The padlock of a PRIVATE alert: its accessible name is "Private" (SPEC §10). */
export function Padlock() {
  return (
    <span className="padlock" role="img" aria-label="Private" title="Private">
      <LockIcon />
    </span>
  );
}

/** The level's colour, left of an alert's name (SPEC §10). */
export function LevelMark({ color, level }: { color: string; level?: string }) {
  return <span className="level-mark" style={{ background: color }} title={level ? `${level} level` : undefined} aria-hidden="true" />;
}

export function Link({ to, children, className, current }: { to: string; children: ReactNode; className?: string; current?: boolean }) {
  return (
    <a
      href={to}
      className={className}
      aria-current={current ? "page" : undefined}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

// The shapes the queries select (queries.ts), not written again here.
export type BellAlert = AlertBadgeFragment;
export type BellEntryView = BellFieldsFragment["entries"][number];

/** One square per matched alert, in its colour, beside the account number. */
export function Squares({ alerts }: { alerts: BellAlert[] }) {
  if (alerts.length === 0) return null;
  return (
    <span className="squares" role="img" aria-label={`Matches ${alerts.map((a) => a.name).join(", ")}`}>
      {alerts.map((a) => (
        <span key={a.id} className="square" style={{ background: a.color }} />
      ))}
    </span>
  );
}

/**
 * The bell: how many alerts the account matches, in the colour of the highest level
 * (exactly the API's `color`). Hovering or focusing it opens, in the page, the list of
 * those alerts. The list is positioned against the viewport so that a table scrolling
 * in its own box does not clip it.
 */
export function Bell({ count, color, entries, account }: { count: number; color?: string | null; entries: BellEntryView[]; account: string }) {
  const [open, setOpen] = useState(false);
  const [place, setPlace] = useState<{ top: number; left: number } | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);
  const id = useId();

  useLayoutEffect(() => {
    if (!open || !button.current || !list.current) return;
    const b = button.current.getBoundingClientRect();
    const width = list.current.offsetWidth;
    const height = list.current.offsetHeight;
    const left = Math.max(8, Math.min(b.right - width, window.innerWidth - width - 8));
    // Close to the bell, so that the pointer can move into the list without leaving it.
    const below = b.bottom + 2;
    const top = below + height > window.innerHeight - 8 && b.top - height - 2 > 8 ? b.top - height - 2 : below;
    setPlace({ top, left });
  }, [open]);

  useLayoutEffect(() => {
    if (!open) return;
    const close = () => setOpen(false);
    window.addEventListener("scroll", close, true);
    return () => window.removeEventListener("scroll", close, true);
  }, [open]);

  if (count === 0) return <span className="bell-empty" aria-label="No alert">–</span>;
  return (
    <span className="bell-wrap" onMouseEnter={() => setOpen(true)} onMouseLeave={() => setOpen(false)}>
      <button
        ref={button}
        type="button"
        className="bell"
        style={{ color: color ?? undefined }}
        aria-label={`${count} alert${count === 1 ? "" : "s"} on ${account}`}
        aria-describedby={open ? id : undefined}
        aria-expanded={open}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => e.key === "Escape" && setOpen(false)}
      >
        <BellIcon />
        <span className="bell-count">{count}</span>
      </button>
      {open && (
        <div
          ref={list}
          id={id}
          role="tooltip"
          className="bell-list"
          style={place ? { top: place.top, left: place.left } : { visibility: "hidden", top: 0, left: 0 }}
        >
          <div className="bell-list-title">Alerts on {account}</div>
          <ul>
            {entries.map(({ alert, since, isNew }) => (
              <li key={alert.id} style={{ color: alert.color }}>
                <span className="bell-dot" style={{ background: alert.color }} aria-hidden="true" />
                <span className="bell-name">
                  {TYPE_LABEL[alert.type] && <strong>{TYPE_LABEL[alert.type]} </strong>}
                  {alert.name}
                  {alert.locked && <> <Padlock /></>}
                </span>
                {since !== undefined && (
                  <span className="bell-since">
                    since {date(since)}
                    {isNew && <span className="new-tag">new</span>}
                  </span>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </span>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function Loading({ rows = 6 }: { rows?: number }) {
  return (
    <div className="loading" role="status" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton" />
      ))}
    </div>
  );
}

export function ErrorNote({ children }: { children: ReactNode }) {
  return (
    <div className="error-note" role="alert">
      {children}
    </div>
  );
}
