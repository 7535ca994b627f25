import { useMemo, useState } from "react";
import { useQuery } from "urql";
import { CriteriaQuery, ItemsSearchQuery, WorklistQuery } from "./queries";
import type { CustomerOrder } from "./gql/graphql";
import { criteriaFromRows, placeErrors, type Criterion, type FieldError, type Row } from "./criteriaForm";
import { CriteriaEditor } from "./CriteriaEditor";
import { CustomerTable, Pager, pageVariables, useDebounced, type Cursor } from "./Worklist";
import { ItemTable } from "./CustomerPage";
import { Empty, ErrorNote, Loading } from "./components";
import { canChange, useApp } from "./context";
import { plural, problem } from "./format";

const SEARCH_ORDER: CustomerOrder[] = [{ field: "OVERDUE_AMOUNT", direction: "DESC" }];

/** Advanced search of customers and of items, with the alert editor's criteria form. */
export function SearchPage() {
  const { me, openEditor } = useApp();
  const [what, setWhat] = useState<"customers" | "items">("customers");
  const [rows, setRows] = useState<Row[]>([]);
  const [text, setText] = useState("");
  const [order, setOrder] = useState<CustomerOrder[]>(SEARCH_ORDER);
  const [cursor, setCursor] = useState<Cursor>({ offset: 0 });
  const [itemsAfter, setItemsAfter] = useState<string | undefined>();
  const [registryResult] = useQuery({ query: CriteriaQuery, requestPolicy: "cache-first" });
  const registry = (registryResult.data?.criteria ?? []) as Criterion[];
  const built = criteriaFromRows(rows);
  const local: FieldError[] = Object.entries(built.errors).map(([field, message]) => ({ field, message }));
  const key = useDebounced(JSON.stringify({ c: local.length ? null : built.criteria, t: text.trim() }), 350);
  const parsed = useMemo(() => JSON.parse(key) as { c: Record<string, unknown> | null; t: string }, [key]);
  const where = parsed.c ?? {};
  const search = parsed.t;
  const hasWhere = Object.keys(where).length > 0;
  const [customers] = useQuery({
    query: WorklistQuery,
    variables: { tab: null, ...pageVariables(cursor), where: hasWhere ? where : null, search: search || null, orderBy: order },
    pause: what !== "customers" || parsed.c === null,
  });
  const [items] = useQuery({
    query: ItemsSearchQuery,
    variables: { where: hasWhere ? where : null, search: search || null, after: itemsAfter },
    pause: what !== "items" || parsed.c === null,
  });
  const active = what === "customers" ? customers : items;
  const errors: FieldError[] = (active.error?.graphQLErrors ?? []).map((e) => ({ field: (e.extensions?.field as string) ?? null, message: e.message }));
  const placed = placeErrors([...local, ...errors], rows, []);
  const resetPages = () => {
    setCursor({ offset: 0 });
    setItemsAfter(undefined);
  };

  return (
    <div className="search-page">
      <section className="panel search-form" aria-labelledby="search-title">
        <header className="panel-head">
          <h1 id="search-title">Advanced search</h1>
        </header>
        <div className="segmented" role="radiogroup" aria-label="Search">
          {(["customers", "items"] as const).map((w) => (
            <label key={w} className={what === w ? "on" : ""}>
              <input type="radio" name="what" checked={what === w} onChange={() => { setWhat(w); resetPages(); }} />
              {w === "customers" ? "Customers" : "Items"}
            </label>
          ))}
        </div>
        <label className="field">
          <span>Text</span>
          <input type="search" value={text} placeholder={what === "customers" ? "account number or name" : "document, account number or name"} onChange={(e) => { setText(e.target.value); resetPages(); }} />
        </label>
        <CriteriaEditor registry={registry} rows={rows} onChange={(r) => { setRows(r); resetPages(); }} errors={placed} />
        {canChange(me) && rows.length > 0 && (
          <button type="button" onClick={() => openEditor({ criteria: built.criteria })}>
            Save as a new alert…
          </button>
        )}
      </section>
      <section className="panel" aria-label="Results">
        {placed.get("") && <ErrorNote>{placed.get("")!.join(" ")}</ErrorNote>}
        {what === "customers" ? (
          !customers.data?.customers ? (
            customers.error ? null : <Loading rows={10} />
          ) : customers.data.customers.nodes.length === 0 ? (
            <Empty>No account matches.</Empty>
          ) : (
            <>
              <header className="panel-head">
                <h2>{plural(customers.data.customers.totalCount, "customer")}</h2>
              </header>
              <CustomerTable rows={customers.data.customers.nodes} order={order} onSort={(o) => { setOrder(o); setCursor({ offset: 0 }); }} caption="Matching customers" />
              <Pager total={customers.data.customers.totalCount} cursor={cursor} count={customers.data.customers.nodes.length} pageInfo={customers.data.customers.pageInfo} onPage={setCursor} />
            </>
          )
        ) : !items.data?.items ? (
          items.error ? null : <Loading rows={10} />
        ) : (
          <>
            <header className="panel-head">
              <h2>{plural(items.data.items.totalCount, "open item")}</h2>
            </header>
            <ItemTable items={items.data.items.nodes} withCustomer />
            {items.data.items.pageInfo.hasNextPage && (
              <div className="pager">
                <button type="button" onClick={() => setItemsAfter(items.data?.items?.pageInfo.endCursor ?? undefined)}>
                  Next ›
                </button>
              </div>
            )}
          </>
        )}
        {active.error && errors.every((e) => !e.field) && !placed.get("") && <ErrorNote>{problem(active.error)}</ErrorNote>}
      </section>
    </div>
  );
}
