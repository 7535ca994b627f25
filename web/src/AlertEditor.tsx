import { useEffect, useMemo, useRef, useState } from "react";
import { useMutation, useQuery } from "urql";
import { AlertForEditQuery, CountQuery, CreateAlert, CriteriaQuery, DeleteAlert, UpdateAlert } from "./queries";
import type { AlertFieldsFragment, AlertType, Level, Visibility } from "./gql/graphql";
import { criteriaFromRows, placeErrors, rowsFromCriteria, type Criterion, type FieldError, type Row } from "./criteriaForm";
import { CriteriaEditor } from "./CriteriaEditor";
import { useDebounced } from "./Worklist";
import { useApp } from "./context";
import { LEVEL_LABEL, plural, problem } from "./format";
import { ErrorNote, Loading, LockIcon } from "./components";
import { navigate } from "./router";

const ALERT_FIELDS = ["name", "type", "level", "color", "visibility"];

interface Form {
  name: string;
  type: AlertType;
  level: Level;
  ownColor: string | null;
  visibility: Visibility;
  rows: Row[];
}

type Stored = AlertFieldsFragment & { criteria: unknown };

function formOf(alert: Stored, registry: Criterion[]): Form {
  return {
    name: alert.name,
    type: alert.type,
    level: alert.level,
    ownColor: alert.ownColor ?? null,
    visibility: alert.visibility,
    rows: rowsFromCriteria((alert.criteria ?? {}) as Record<string, unknown>, registry),
  };
}

/** How many accounts the criteria select, asked again as they change (debounced). */
export function useLiveCount(criteria: Record<string, unknown> | null) {
  const settled = useDebounced(criteria ? JSON.stringify(criteria) : null, 350);
  const where = useMemo(() => (settled ? (JSON.parse(settled) as Record<string, unknown>) : null), [settled]);
  const [result] = useQuery({ query: CountQuery, variables: { where }, pause: !where, requestPolicy: "network-only" });
  const errors: FieldError[] = (result.error?.graphQLErrors ?? []).map((e) => ({
    field: (e.extensions?.field as string | undefined) ?? null,
    message: e.message,
  }));
  const stale = settled !== (criteria ? JSON.stringify(criteria) : null);
  return { count: result.data?.customers?.totalCount, fetching: result.fetching || stale, errors };
}

export function AlertEditor({ id, initialCriteria, onClose }: { id?: string; initialCriteria?: Record<string, unknown>; onClose: () => void }) {
  const { me, levels } = useApp();
  const dialog = useRef<HTMLDialogElement>(null);
  const [registryResult] = useQuery({ query: CriteriaQuery, requestPolicy: "cache-first" });
  const [alertResult] = useQuery({ query: AlertForEditQuery, variables: { id: id ?? "" }, pause: !id, requestPolicy: "network-only" });
  const registry = useMemo(() => (registryResult.data?.criteria ?? []) as Criterion[], [registryResult.data]);
  const stored = alertResult.data?.alert as Stored | null | undefined;
  const [form, setForm] = useState<Form | null>(null);
  const [version, setVersion] = useState<number | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [conflict, setConflict] = useState<Stored | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [saving, setSaving] = useState(false);
  const [, create] = useMutation(CreateAlert);
  const [, update] = useMutation(UpdateAlert);
  const [, remove] = useMutation(DeleteAlert);

  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);

  // The form starts once the registry (and the alert being edited) have arrived.
  useEffect(() => {
    if (form || registry.length === 0) return;
    if (id && stored) {
      setForm(formOf(stored, registry));
      setVersion(stored.version);
    } else if (!id) {
      setForm({ name: "", type: "COLLECTION", level: "MEDIUM", ownColor: null, visibility: "PRIVATE", rows: rowsFromCriteria(initialCriteria ?? {}, registry) });
    }
  }, [form, registry, id, stored, initialCriteria]);

  const built = form ? criteriaFromRows(form.rows) : null;
  const sendable = built && form && form.rows.length > 0 && Object.keys(built.errors).length === 0 ? built.criteria : null;
  const live = useLiveCount(sendable);
  const local: FieldError[] = built ? Object.entries(built.errors).map(([field, message]) => ({ field, message })) : [];
  const placed = placeErrors([...local, ...errors, ...(errors.length ? [] : live.errors)], form?.rows ?? [], ALERT_FIELDS);
  const isOwner = !id || stored?.owner.id === me.id;
  const levelColor = (level: string) => levels.find((l) => l.level === level)?.color ?? "#888888";

  const close = () => {
    dialog.current?.close();
    onClose();
  };

  async function save(expectedVersion: number | null) {
    if (!form || !built || Object.keys(built.errors).length > 0) return;
    setSaving(true);
    setErrors([]);
    const input = {
      name: form.name,
      type: form.type,
      level: form.level,
      color: form.ownColor,
      visibility: form.visibility,
      criteria: built.criteria,
    };
    const result = id ? await update({ id, input, expectedVersion }) : await create({ input });
    setSaving(false);
    if (result.error) {
      setErrors(result.error.graphQLErrors.map((e) => ({ field: (e.extensions?.field as string) ?? null, message: e.message })));
      if (!result.error.graphQLErrors.length) setErrors([{ message: problem(result.error) ?? "The alert could not be saved." }]);
      return;
    }
    const payload = result.data && ("createAlert" in result.data ? result.data.createAlert : result.data.updateAlert);
    if (!payload) return;
    const clash = payload.errors.find((e) => e.code === "CONFLICT");
    if (clash) {
      setConflict(payload.alert as Stored);
      return;
    }
    if (payload.errors.length > 0) {
      setErrors(payload.errors);
      return;
    }
    close();
    if (payload.alert) navigate(`/alerts/${encodeURIComponent(payload.alert.id)}`);
  }

  async function destroy() {
    if (!id) return;
    const result = await remove({ id });
    const errs = result.data?.deleteAlert.errors ?? [];
    if (result.error || errs.length) {
      setErrors(errs.length ? errs : [{ message: problem(result.error) ?? "Not deleted." }]);
      setConfirmDelete(false);
      return;
    }
    close();
    navigate("/");
  }

  const title = id ? "Edit alert" : "New alert";
  const fieldError = (name: string) =>
    placed.get(name) ? (
      <div className="field-error" id={`err-${name}`} role="alert">
        {placed.get(name)!.join(" ")}
      </div>
    ) : null;

  return (
    <dialog ref={dialog} className="editor" aria-labelledby="editor-title" onCancel={(e) => { e.preventDefault(); close(); }}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void save(version);
        }}
      >
        <header className="editor-head">
          <h2 id="editor-title">{title}</h2>
          <button type="button" className="icon-button" aria-label="Close the editor" onClick={close}>
            ✕
          </button>
        </header>
        {!form ? (
          id && alertResult.data && !stored ? <ErrorNote>This alert does not exist or is not visible to you.</ErrorNote> : <Loading rows={6} />
        ) : (
          <div className="editor-body">
            {conflict && (
              <div className="conflict" role="alert">
                <strong>Someone else saved this alert while you were editing it.</strong> It is now at version {conflict.version}
                {conflict.name !== form.name ? ` and named “${conflict.name}”` : ""}. Your changes are not saved.
                <div className="conflict-actions">
                  <button type="button" onClick={() => { setForm(formOf(conflict, registry)); setVersion(conflict.version); setConflict(null); }}>
                    Load their version
                  </button>
                  <button type="button" className="danger-outline" onClick={() => { const v = conflict.version; setVersion(v); setConflict(null); void save(v); }}>
                    Save mine over theirs
                  </button>
                </div>
              </div>
            )}
            {placed.get("") && <ErrorNote>{placed.get("")!.join(" ")}</ErrorNote>}
            <div className="editor-grid">
              <label className="field wide">
                <span>Name</span>
                <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} aria-invalid={!!placed.get("name")} aria-describedby={placed.get("name") ? "err-name" : undefined} />
                {fieldError("name")}
              </label>
              <fieldset className="field">
                <legend>Type</legend>
                <div className="segmented">
                  {(["COLLECTION", "RISK", "NONE"] as AlertType[]).map((t) => (
                    <label key={t} className={form.type === t ? "on" : ""}>
                      <input type="radio" name="type" checked={form.type === t} onChange={() => setForm({ ...form, type: t })} />
                      {t === "COLLECTION" ? "Collection" : t === "RISK" ? "Risk" : "None (both tabs)"}
                    </label>
                  ))}
                </div>
                {fieldError("type")}
              </fieldset>
              <label className="field">
                <span>Level</span>
                <span className="level-select">
                  <span className="level-mark" style={{ background: form.ownColor ?? levelColor(form.level) }} aria-hidden="true" />
                  <select value={form.level} onChange={(e) => setForm({ ...form, level: e.target.value as Level })}>
                    {levels.map((l) => (
                      <option key={l.level} value={l.level}>
                        {LEVEL_LABEL[l.level] ?? l.level}
                      </option>
                    ))}
                  </select>
                </span>
                {fieldError("level")}
              </label>
              <fieldset className="field">
                <legend>Colour</legend>
                <label className="check">
                  <input type="checkbox" checked={form.ownColor !== null} onChange={(e) => setForm({ ...form, ownColor: e.target.checked ? levelColor(form.level) : null })} />
                  Own colour
                </label>
                {form.ownColor !== null && (
                  <input type="color" aria-label="The alert's own colour" value={form.ownColor} onChange={(e) => setForm({ ...form, ownColor: e.target.value.toUpperCase() })} />
                )}
                {fieldError("color")}
              </fieldset>
              {isOwner && (
                <fieldset className="field">
                  <legend>Visibility</legend>
                  <div className="segmented">
                    {(["PRIVATE", "PUBLIC"] as Visibility[]).map((v) => (
                      <label key={v} className={form.visibility === v ? "on" : ""}>
                        <input type="radio" name="visibility" checked={form.visibility === v} onChange={() => setForm({ ...form, visibility: v })} />
                        {v === "PRIVATE" ? <><LockIcon /> Only me (private)</> : "Everyone (public)"}
                      </label>
                    ))}
                  </div>
                  {fieldError("visibility")}
                </fieldset>
              )}
            </div>
            <h3 className="section-title">Criteria <span className="muted">— all must hold</span></h3>
            <CriteriaEditor registry={registry} rows={form.rows} onChange={(rows) => setForm({ ...form, rows })} errors={placed} />
            <div className="live-count" aria-live="polite">
              {form.rows.length === 0 ? (
                <span className="muted">Add a criterion to see how many accounts match.</span>
              ) : live.errors.length > 0 || !sendable ? (
                <span className="muted">Fix the criteria above to see how many accounts match.</span>
              ) : live.count === undefined ? (
                <span className="muted">Counting…</span>
              ) : (
                <span className={live.fetching ? "counting" : ""}>
                  <strong>{plural(live.count, "account")}</strong> match these criteria today
                </span>
              )}
            </div>
          </div>
        )}
        <footer className="editor-foot">
          {id && stored?.canEdit && (
            confirmDelete ? (
              <span className="confirm">
                Delete “{stored.name}” for everyone?{" "}
                <button type="button" className="danger" onClick={() => void destroy()}>
                  Yes, delete
                </button>{" "}
                <button type="button" onClick={() => setConfirmDelete(false)}>
                  Keep it
                </button>
              </span>
            ) : (
              <button type="button" className="danger-outline" onClick={() => setConfirmDelete(true)}>
                Delete alert
              </button>
            )
          )}
          <span className="spacer" />
          <button type="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!form || saving}>
            {saving ? "Saving…" : id ? "Save changes" : "Create alert"}
          </button>
        </footer>
      </form>
    </dialog>
  );
}
