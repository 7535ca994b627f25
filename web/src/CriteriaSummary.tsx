import { useQuery } from "urql";
import { CriteriaQuery } from "./queries";
import { money } from "./format";

/** An alert's criteria in words, with the registry's labels. */
export function CriteriaSummary({ criteria }: { criteria: Record<string, unknown> }) {
  const [result] = useQuery({ query: CriteriaQuery, requestPolicy: "cache-first" });
  const labels = new Map((result.data?.criteria ?? []).map((c) => [c.key, c.label]));
  const entries = Object.entries(criteria ?? {}).filter(([, v]) => v !== null && v !== undefined);
  return (
    <ul className="criteria-summary" aria-label="Criteria">
      {entries.map(([key, value]) => (
        <li key={key}>
          <span className="muted">{labels.get(key) ?? key}</span> {describe(value)}
        </li>
      ))}
    </ul>
  );
}

function describe(value: unknown): string {
  if (value === true) return "yes";
  if (value === false) return "no";
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.values)) return `${v.op === "IS_NOT" ? "is not" : "is"} ${v.values.join(", ")}`;
    if ("olderThanDays" in v || "newerThanDays" in v) {
      const parts = [];
      if (v.olderThanDays !== null && v.olderThanDays !== undefined) parts.push(`older than ${v.olderThanDays} days`);
      if (v.newerThanDays !== null && v.newerThanDays !== undefined) parts.push(`newer than ${v.newerThanDays} days`);
      return parts.join(" and ");
    }
    if ("min" in v || "max" in v) {
      const show = (n: unknown) => (typeof n === "string" ? money(n, !Number.isInteger(Number(n))) : String(n));
      if (v.min !== null && v.min !== undefined && v.max !== null && v.max !== undefined) return `${show(v.min)} to ${show(v.max)}`;
      if (v.min !== null && v.min !== undefined) return `≥ ${show(v.min)}`;
      return `≤ ${show(v.max)}`;
    }
  }
  return JSON.stringify(value);
}
