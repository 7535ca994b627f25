import { useState } from "react";
import { emptyRow, pickerGroups, type Criterion, type Row } from "./criteriaForm";

/** The criteria of an alert or of an advanced search: one row per criterion, its inputs
 * chosen by the criterion's kind in the registry; errors beside their row. */
export function CriteriaEditor({
  registry,
  rows,
  onChange,
  errors,
  readOnly = false,
}: {
  registry: Criterion[];
  rows: Row[];
  onChange: (rows: Row[]) => void;
  errors: Map<string, string[]>;
  readOnly?: boolean;
}) {
  const byKey = new Map(registry.map((c) => [c.key, c]));
  const update = (index: number, row: Row) => onChange(rows.map((r, i) => (i === index ? row : r)));
  const groups = pickerGroups(registry, rows.map((r) => r.key));
  return (
    <div className="criteria">
      {rows.length === 0 && <p className="muted">No criterion yet: add one below.</p>}
      {rows.map((row, index) => {
        const criterion = byKey.get(row.key);
        const label = criterion?.label ?? row.key;
        const messages = errors.get(`criteria.${row.key}`) ?? [];
        const errorId = `err-${row.key}`;
        return (
          <fieldset key={row.key} className={messages.length ? "criterion invalid" : "criterion"} aria-describedby={messages.length ? errorId : undefined}>
            <legend>
              {label}
              <span className="scope">{criterion?.scope === "ITEM" ? "item" : "account"}</span>
            </legend>
            {criterion?.description && <p className="hint">{criterion.description}</p>}
            <div className="criterion-inputs">
              <RowInputs row={row} criterion={criterion} label={label} onChange={(r) => update(index, r)} disabled={readOnly} />
              {!readOnly && (
                <button type="button" className="icon-button" aria-label={`Remove ${label}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
                  ✕
                </button>
              )}
            </div>
            {messages.length > 0 && (
              <div className="field-error" id={errorId} role="alert">
                {messages.join(" ")}
              </div>
            )}
          </fieldset>
        );
      })}
      {!readOnly && groups.length > 0 && (
        <label className="picker">
          <span className="visually-hidden">Add a criterion</span>
          <select
            value=""
            aria-label="Add a criterion"
            onChange={(e) => {
              const criterion = byKey.get(e.target.value);
              if (criterion) onChange([...rows, emptyRow(criterion)]);
            }}
          >
            <option value="">+ Add a criterion…</option>
            {groups.map((g) => (
              <optgroup key={g.label} label={g.label}>
                {g.criteria.map((c) => (
                  <option key={c.key} value={c.key}>
                    {c.label}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}

function RowInputs({ row, criterion, label, onChange, disabled }: { row: Row; criterion?: Criterion; label: string; onChange: (r: Row) => void; disabled: boolean }) {
  const unit = criterion?.unit ? <span className="unit">{criterion.unit}</span> : null;
  switch (row.kind) {
    case "AMOUNT":
    case "NUMBER":
      return (
        <div className="range">
          <label>
            <span>from</span>
            <input inputMode={row.kind === "AMOUNT" ? "decimal" : "numeric"} aria-label={`${label} minimum`} value={row.min} disabled={disabled} onChange={(e) => onChange({ ...row, min: e.target.value })} placeholder="no minimum" />
          </label>
          <label>
            <span>to</span>
            <input inputMode={row.kind === "AMOUNT" ? "decimal" : "numeric"} aria-label={`${label} maximum`} value={row.max} disabled={disabled} onChange={(e) => onChange({ ...row, max: e.target.value })} placeholder="no maximum" />
          </label>
          {unit}
        </div>
      );
    case "RELATIVE_DATE":
      return (
        <div className="range">
          <label>
            <span>older than</span>
            <input inputMode="numeric" aria-label={`${label} older than (days)`} value={row.olderThanDays} disabled={disabled} onChange={(e) => onChange({ ...row, olderThanDays: e.target.value })} />
          </label>
          <label>
            <span>newer than</span>
            <input inputMode="numeric" aria-label={`${label} newer than (days)`} value={row.newerThanDays} disabled={disabled} onChange={(e) => onChange({ ...row, newerThanDays: e.target.value })} />
          </label>
          <span className="unit">days</span>
        </div>
      );
    case "VALUE_LIST":
      return <ValueListInput row={row} criterion={criterion} label={label} onChange={onChange} disabled={disabled} />;
    case "YES_NO":
      return (
        <div className="segmented" role="radiogroup" aria-label={label}>
          {[true, false].map((answer) => (
            <label key={String(answer)} className={row.yes === answer ? "on" : ""}>
              <input type="radio" name={`yes-${row.key}`} checked={row.yes === answer} disabled={disabled} onChange={() => onChange({ ...row, yes: answer })} />
              {answer ? "Yes" : "No"}
            </label>
          ))}
        </div>
      );
    case "CUSTOM":
      return (
        <label className="custom">
          <span className="hint">{criterion?.inputType ?? "JSON"} (JSON)</span>
          <textarea aria-label={`${label} (JSON)`} rows={2} value={row.custom} disabled={disabled} onChange={(e) => onChange({ ...row, custom: e.target.value })} />
        </label>
      );
  }
}

function ValueListInput({ row, criterion, label, onChange, disabled }: { row: Row; criterion?: Criterion; label: string; onChange: (r: Row) => void; disabled: boolean }) {
  const [other, setOther] = useState("");
  const known = (criterion?.values ?? []).filter((v) => !row.values.includes(v));
  const add = (value: string) => {
    const v = value.trim();
    if (v && !row.values.includes(v)) onChange({ ...row, values: [...row.values, v] });
  };
  return (
    <div className="value-list">
      <select aria-label={`${label}: is or is not`} value={row.op} disabled={disabled} onChange={(e) => onChange({ ...row, op: e.target.value as Row["op"] })}>
        <option value="IS">is</option>
        <option value="IS_NOT">is not</option>
      </select>
      <ul className="chips" aria-label={`${label} values`}>
        {row.values.map((v) => (
          <li key={v} className="chip">
            {v}
            {!disabled && (
              <button type="button" aria-label={`Remove ${v}`} onClick={() => onChange({ ...row, values: row.values.filter((x) => x !== v) })}>
                ✕
              </button>
            )}
          </li>
        ))}
      </ul>
      {!disabled && known.length > 0 && (
        <select aria-label={`Add a value to ${label}`} value="" onChange={(e) => add(e.target.value)}>
          <option value="">+ value…</option>
          {known.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      )}
      {!disabled && (
        <input
          className="other-value"
          aria-label={`Another value for ${label}`}
          placeholder={known.length ? "other…" : "type a value, Enter"}
          value={other}
          onChange={(e) => setOther(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              add(other);
              setOther("");
            }
          }}
          onBlur={() => {
            add(other);
            setOther("");
          }}
        />
      )}
    </div>
  );
}
