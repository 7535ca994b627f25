// How figures read: amounts in the company currency with thousands separators and no
// decimals in tables (the file shows cents), dates as the API gives them (ISO), which
// sorts and compares at a glance.
const whole = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });
const exact = new Intl.NumberFormat("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function money(value: string | null | undefined, cents = false): string {
  if (value === null || value === undefined || value === "") return "—";
  const n = Number(value);
  if (Number.isNaN(n)) return value;
  return (cents ? exact : whole).format(n);
}

export function isNegative(value: string | null | undefined): boolean {
  return !!value && value.trim().startsWith("-");
}

export function date(value: string | null | undefined): string {
  return value ? value.slice(0, 10) : "never";
}

export function dateTime(value: string | null | undefined): string {
  if (!value) return "—";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function plural(n: number, one: string, many = one + "s"): string {
  return `${n.toLocaleString("en-GB")} ${n === 1 ? one : many}`;
}

export const TYPE_LABEL: Record<string, string> = { COLLECTION: "Collection", RISK: "Risk", NONE: "" };
export const LEVEL_LABEL: Record<string, string> = {
  LOW: "Low",
  MEDIUM: "Medium",
  HIGH: "High",
  CRITICAL: "Critical",
};
export const CAUSE_LABEL: Record<string, string> = {
  IMPORT: "import",
  REMINDER: "reminder",
  ALERT_SAVED: "alert saved",
  NEW_DAY: "new day",
};

/** An error message for a person, from a failed urql operation. */
export function problem(error: { graphQLErrors?: { message: string }[]; networkError?: Error; message: string } | undefined): string | null {
  if (!error) return null;
  if (error.graphQLErrors && error.graphQLErrors.length > 0) return error.graphQLErrors.map((e) => e.message).join("; ");
  if (error.networkError) return "The server cannot be reached. Check your connection and try again.";
  return error.message;
}
