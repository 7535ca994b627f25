import { describe, expect, it } from "vitest";
import {
  criteriaFromRows,
  emptyRow,
  pickerGroups,
  placeErrors,
  rowsFromCriteria,
  type Criterion,
} from "./criteriaForm";

const registry: Criterion[] = [
  { key: "overdueAmount", label: "Overdue", description: "", scope: "CUSTOMER", kind: "AMOUNT", inputType: "AmountRange", unit: "EUR", example: { min: "1000" } },
  { key: "daysOverdue", label: "Days overdue", description: "", scope: "CUSTOMER", kind: "NUMBER", inputType: "IntRange", unit: "days", example: { min: 30 } },
  { key: "lastReminderDate", label: "Last reminder", description: "", scope: "CUSTOMER", kind: "RELATIVE_DATE", inputType: "RelativeDate", example: { olderThanDays: 10 } },
  { key: "country", label: "Country", description: "", scope: "CUSTOMER", kind: "VALUE_LIST", inputType: "ValueList", values: ["BE", "FR"], example: { values: ["FR"] } },
  { key: "itemDisputed", label: "Item disputed", description: "", scope: "ITEM", kind: "YES_NO", inputType: "Boolean", example: true },
  { key: "riskScore", label: "Risk score", description: "", scope: "CUSTOMER", kind: "CUSTOM", inputType: "ScoreInput", example: { above: 3 } },
];

describe("the form built from the registry", () => {
  it("gives each kind its own empty inputs", () => {
    const rows = registry.map(emptyRow);
    expect(rows.map((r) => r.kind)).toEqual(["AMOUNT", "NUMBER", "RELATIVE_DATE", "VALUE_LIST", "YES_NO", "CUSTOM"]);
    expect(rows[3]).toMatchObject({ op: "IS", values: [] });
    expect(rows[5].custom).toBe('{"above":3}'); // a plugin's own shape starts from its example
  });

  it("sends amounts as strings, whole numbers as numbers, empty bounds as null", () => {
    const [amount, days, reminder, country, disputed] = registry.map(emptyRow);
    const built = criteriaFromRows([
      { ...amount, min: " 20000.50 " },
      { ...days, max: "90" },
      { ...reminder, olderThanDays: "10" },
      { ...country, op: "IS_NOT", values: ["FR", "BE"] },
      { ...disputed, yes: false },
    ]);
    expect(built.errors).toEqual({});
    expect(built.criteria).toEqual({
      overdueAmount: { min: "20000.50", max: null },
      daysOverdue: { min: null, max: 90 },
      lastReminderDate: { olderThanDays: 10, newerThanDays: null },
      country: { op: "IS_NOT", values: ["FR", "BE"] },
      itemDisputed: false,
    });
  });

  it("loads a stored alert's criteria back into the same rows, and sends them back unchanged", () => {
    const stored = {
      overdueAmount: { min: "20000", max: null },
      lastReminderDate: { olderThanDays: 10, newerThanDays: null },
      country: { op: "IS", values: ["FR"] },
      itemDisputed: false,
      riskScore: { above: 4 },
    };
    const rows = rowsFromCriteria(stored, registry);
    expect(rows.map((r) => r.key)).toEqual(Object.keys(stored));
    expect(criteriaFromRows(rows).criteria).toEqual(stored);
  });

  it("keeps a criterion whose plugin is gone instead of dropping it", () => {
    const rows = rowsFromCriteria({ gone: { x: 1 } }, registry);
    expect(rows[0]).toMatchObject({ key: "gone", kind: "CUSTOM", custom: '{"x":1}' });
  });

  it("says beside a plugin's own criterion when its JSON does not parse", () => {
    const row = { ...emptyRow(registry[5]), custom: "{oops" };
    expect(criteriaFromRows([row]).errors).toEqual({ "criteria.riskScore": "Not valid JSON." });
  });

  it("refuses beside its field what is not an amount or a whole number, and sends nothing wrong", () => {
    const [amount, days, reminder] = registry.map(emptyRow);
    const built = criteriaFromRows([
      { ...amount, min: "abc" },
      { ...days, min: "2.5" },
      { ...reminder, olderThanDays: "10" },
    ]);
    expect(built.errors).toEqual({
      "criteria.overdueAmount": "Enter an amount such as 20000 or 1234.50 (at most two decimals).",
      "criteria.daysOverdue": "Enter a whole number.",
    });
    expect(criteriaFromRows([{ ...amount, min: "1.234" }]).errors["criteria.overdueAmount"]).toMatch(/two decimals/);
    expect(criteriaFromRows([{ ...amount, min: "1 000.5" }]).criteria).toEqual({ overdueAmount: { min: "1000.5", max: null } });
  });

  it("lists every criterion not yet used in the picker, account ones first", () => {
    const groups = pickerGroups(registry, ["country"]);
    expect(groups.map((g) => g.label)).toEqual(["Account", "Items"]);
    expect(groups[0].criteria.map((c) => c.key)).not.toContain("country");
    expect(groups[1].criteria.map((c) => c.key)).toEqual(["itemDisputed"]);
  });
});

describe("error placement", () => {
  const rows = [emptyRow(registry[0]), emptyRow(registry[3])];
  const alertFields = ["name", "type", "level", "color", "visibility"];

  it("puts a payload's error beside its criterion or alert field", () => {
    const placed = placeErrors(
      [
        { field: "criteria.overdueAmount.min", message: "min must not exceed max" },
        { field: "name", message: "name must not be blank" },
        { field: "color", message: "not a #RRGGBB colour" },
      ],
      rows,
      alertFields,
    );
    expect(placed.get("criteria.overdueAmount")).toEqual(["min must not exceed max"]);
    expect(placed.get("name")).toEqual(["name must not be blank"]);
    expect(placed.get("color")).toEqual(["not a #RRGGBB colour"]);
    expect(placed.has("")).toBe(false);
  });

  it("places a GraphQL error's extensions.field (where., input.) on the same row", () => {
    const placed = placeErrors(
      [
        { field: "where.country.values", message: "give at least one value" },
        { field: "input.criteria.overdueAmount.min", message: "at most two decimals" },
      ],
      rows,
      alertFields,
    );
    expect(placed.get("criteria.country")).toEqual(["give at least one value"]);
    expect(placed.get("criteria.overdueAmount")).toEqual(["at most two decimals"]);
  });

  it("keeps what belongs to no field for the top of the form", () => {
    const placed = placeErrors(
      [{ field: null, message: "an alert needs at least one criterion" }, { field: "criteria.unknown", message: "x" }],
      rows,
      alertFields,
    );
    expect(placed.get("")).toEqual(["an alert needs at least one criterion", "x"]);
  });
});
