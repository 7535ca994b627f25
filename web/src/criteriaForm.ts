// The alert editor's (and advanced search's) form, built from the criteria registry
// (`Query.criteria`): one row per criterion, its inputs fixed by the criterion's kind.
// Pure functions, unit-tested in criteriaForm.test.ts.

export type Kind = "AMOUNT" | "NUMBER" | "RELATIVE_DATE" | "VALUE_LIST" | "YES_NO" | "CUSTOM";

export interface Criterion {
  key: string;
  label: string;
  description: string;
  scope: "CUSTOMER" | "ITEM";
  kind: Kind;
  inputType: string;
  unit?: string | null;
  values?: string[] | null;
  example: unknown;
}

/** One criterion of the form. Text fields stay text until sent: "" is "no bound". */
export interface Row {
  key: string;
  kind: Kind;
  min: string;
  max: string;
  olderThanDays: string;
  newerThanDays: string;
  op: "IS" | "IS_NOT";
  values: string[];
  yes: boolean;
  custom: string; // a CUSTOM criterion's value, as JSON text
}

export type Criteria = Record<string, unknown>;

export function emptyRow(criterion: Criterion): Row {
  const row: Row = {
    key: criterion.key,
    kind: criterion.kind,
    min: "",
    max: "",
    olderThanDays: "",
    newerThanDays: "",
    op: "IS",
    values: [],
    yes: true,
    custom: "",
  };
  if (criterion.kind === "CUSTOM") row.custom = JSON.stringify(criterion.example ?? null);
  return row;
}

function text(value: unknown): string {
  return value === null || value === undefined ? "" : String(value);
}

/** The rows that show a stored alert's criteria (Alert.criteria, the CriteriaInput shape).
 * A key the registry no longer has (its plugin is gone) is kept as a CUSTOM row, so that
 * saving the alert does not drop it silently. */
export function rowsFromCriteria(criteria: Criteria, registry: Criterion[]): Row[] {
  const byKey = new Map(registry.map((c) => [c.key, c]));
  return Object.entries(criteria)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => {
      const criterion = byKey.get(key);
      const kind: Kind = criterion?.kind ?? "CUSTOM";
      const row = criterion ? emptyRow(criterion) : { ...emptyRow(unknownCriterion(key)) };
      const v = (value ?? {}) as Record<string, unknown>;
      switch (kind) {
        case "AMOUNT":
        case "NUMBER":
          return { ...row, min: text(v.min), max: text(v.max) };
        case "RELATIVE_DATE":
          return { ...row, olderThanDays: text(v.olderThanDays), newerThanDays: text(v.newerThanDays) };
        case "VALUE_LIST":
          return {
            ...row,
            op: v.op === "IS_NOT" ? "IS_NOT" : "IS",
            values: Array.isArray(v.values) ? v.values.map(String) : [],
          };
        case "YES_NO":
          return { ...row, yes: value === true };
        case "CUSTOM":
          return { ...row, custom: JSON.stringify(value) };
      }
    });
}

export function unknownCriterion(key: string): Criterion {
  return {
    key,
    label: key,
    description: "A criterion no installed plugin provides.",
    scope: "CUSTOMER",
    kind: "CUSTOM",
    inputType: "JSON",
    example: null,
  };
}

const AMOUNT = /^-?\d+(\.\d{1,2})?$/;
const WHOLE = /^-?\d+$/;

/** A form's text as the API's value: "" is no bound (null); what is not a number is
 * refused here, beside its field, rather than sent. */
function parsed(value: string, pattern: RegExp, toNumber: boolean, problem: string, problems: string[]): string | number | null {
  const trimmed = value.trim().replace(/\s/g, "");
  if (trimmed === "") return null;
  if (!pattern.test(trimmed)) {
    problems.push(problem);
    return null;
  }
  return toNumber ? Number(trimmed) : trimmed;
}

const NOT_AMOUNT = "Enter an amount such as 20000 or 1234.50 (at most two decimals).";
const NOT_WHOLE = "Enter a whole number.";

export interface Built {
  criteria: Criteria;
  /** Problems found before sending, by field path (criteria.<key>[.<sub>]). */
  errors: Record<string, string>;
}

/** The CriteriaInput value of the rows (amounts as strings, never floats). */
export function criteriaFromRows(rows: Row[]): Built {
  const criteria: Criteria = {};
  const errors: Record<string, string> = {};
  for (const row of rows) {
    const path = `criteria.${row.key}`;
    const problems: string[] = [];
    switch (row.kind) {
      case "AMOUNT":
        criteria[row.key] = {
          min: parsed(row.min, AMOUNT, false, NOT_AMOUNT, problems),
          max: parsed(row.max, AMOUNT, false, NOT_AMOUNT, problems),
        };
        break;
      case "NUMBER":
        criteria[row.key] = {
          min: parsed(row.min, WHOLE, true, NOT_WHOLE, problems),
          max: parsed(row.max, WHOLE, true, NOT_WHOLE, problems),
        };
        break;
      case "RELATIVE_DATE":
        criteria[row.key] = {
          olderThanDays: parsed(row.olderThanDays, WHOLE, true, "Enter a whole number of days.", problems),
          newerThanDays: parsed(row.newerThanDays, WHOLE, true, "Enter a whole number of days.", problems),
        };
        break;
      case "VALUE_LIST":
        criteria[row.key] = { op: row.op, values: row.values };
        break;
      case "YES_NO":
        criteria[row.key] = row.yes;
        break;
      case "CUSTOM":
        try {
          criteria[row.key] = JSON.parse(row.custom);
        } catch {
          problems.push("Not valid JSON.");
        }
        break;
    }
    if (problems.length > 0) errors[path] = problems[0];
  }
  return { criteria, errors };
}

export interface FieldError {
  field?: string | null;
  message: string;
}

/**
 * Where each error is shown: beside its field. The API names fields by their path
 * within the input (`criteria.overdueAmount.min`, `name`) in a payload's errors, and
 * from the argument (`where.overdueAmount.min`, `input.criteria...`) in a GraphQL error's
 * `extensions.field`; both land on the same place. The key is the row's path
 * (`criteria.<key>`) or the alert field (`name`, `color`...); "" is the form as a whole.
 */
export function placeErrors(errors: FieldError[], rows: Row[], alertFields: string[]): Map<string, string[]> {
  const keys = new Set(rows.map((r) => r.key));
  const placed = new Map<string, string[]>();
  const add = (place: string, message: string) => placed.set(place, [...(placed.get(place) ?? []), message]);
  for (const error of errors) {
    const parts = (error.field ?? "").split(".").filter(Boolean);
    if (parts[0] === "input") parts.shift();
    if (parts[0] === "where") parts[0] = "criteria";
    if (parts[0] === "criteria" && parts[1] && keys.has(parts[1])) {
      add(`criteria.${parts[1]}`, error.message);
    } else if (parts.length > 0 && alertFields.includes(parts[0])) {
      add(parts[0], error.message);
    } else {
      add("", error.message);
    }
  }
  return placed;
}

/** Registry entries grouped for the picker: the account's criteria, then its items'. */
export function pickerGroups(registry: Criterion[], used: string[]): { label: string; criteria: Criterion[] }[] {
  const free = registry.filter((c) => !used.includes(c.key));
  return [
    { label: "Account", criteria: free.filter((c) => c.scope === "CUSTOMER") },
    { label: "Items", criteria: free.filter((c) => c.scope === "ITEM") },
  ].filter((g) => g.criteria.length > 0);
}
