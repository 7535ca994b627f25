import { useCallback, useEffect, useMemo, useState } from "react";
import { Provider, useQuery } from "urql";
import { makeClient } from "./client";
import { clearToken, storeToken, storedToken } from "./session";
import { SignIn } from "./SignIn";
import { MeQuery } from "./queries";
import { App as AppContext, useApp, type AppState, type Me } from "./context";
import { parseRoute, usePath } from "./router";
import { Link, Loading, ErrorNote } from "./components";
import { Home } from "./Home";
import { AlertPage } from "./AlertPage";
import { CustomerPage } from "./CustomerPage";
import { ChangesPage } from "./ChangesPage";
import { SearchPage } from "./SearchPage";
import { AlertEditor } from "./AlertEditor";
import { problem } from "./format";

const REFUSED = "Your token was refused (unknown or revoked). Sign in again.";

/** Signed out: the sign-in screen, and no API call at all. Signed in: the app. */
export function Root() {
  const [token, setToken] = useState<string | null>(storedToken);
  const [refused, setRefused] = useState<string | null>(null);
  const signOut = useCallback((why: string | null = null) => {
    clearToken();
    setToken(null);
    setRefused(why);
  }, []);
  const client = useMemo(() => (token ? makeClient(token, () => signOut(REFUSED)) : null), [token, signOut]);
  if (!token || !client) {
    return (
      <SignIn
        problem={refused}
        onToken={(t, remember) => {
          storeToken(t, remember);
          setRefused(null);
          setToken(t);
        }}
      />
    );
  }
  return (
    <Provider value={client}>
      <Shell signOut={() => signOut(null)} />
    </Provider>
  );
}

function Shell({ signOut }: { signOut: () => void }) {
  const [result] = useQuery({ query: MeQuery, requestPolicy: "cache-first" });
  const [editing, setEditing] = useState<{ id?: string; criteria?: Record<string, unknown>; key: number } | null>(null);
  const openEditor = useCallback<AppState["openEditor"]>((target) => setEditing({ ...target, key: Date.now() }), []);
  const me = result.data?.me as Me | null | undefined;
  const state = useMemo<AppState | null>(
    () =>
      me && result.data
        ? { me, today: result.data.today ?? "", levels: result.data.levels ?? [], openEditor, signOut }
        : null,
    [me, result.data, openEditor, signOut],
  );
  if (!state) {
    return (
      <main className="page">
        {result.error ? <ErrorNote>{problem(result.error)}</ErrorNote> : <Loading rows={8} />}
      </main>
    );
  }
  return (
    <AppContext.Provider value={state}>
      <TopBar />
      <main className="page" id="main">
        <Screen />
      </main>
      {editing && <AlertEditor key={editing.key} id={editing.id} initialCriteria={editing.criteria} onClose={() => setEditing(null)} />}
    </AppContext.Provider>
  );
}

const TITLES: Record<string, string> = {
  worklist: "Worklist",
  alert: "Alert",
  customer: "Account",
  changes: "What changed",
  search: "Advanced search",
};

function Screen() {
  const route = parseRoute(usePath());
  const title = route.screen === "worklist" ? (route.tab === "RISK" ? "Risk" : "Collection") : TITLES[route.screen];
  useEffect(() => {
    document.title = `${title} · dso-alerts`;
  }, [title]);
  switch (route.screen) {
    case "worklist":
      return <Home tab={route.tab} />;
    case "alert":
      return <AlertPage id={route.id} />;
    case "customer":
      return <CustomerPage id={route.id} />;
    case "changes":
      return <ChangesPage />;
    case "search":
      return <SearchPage />;
  }
}

function TopBar() {
  const path = usePath();
  const route = parseRoute(path);
  const { me, signOut, today } = useApp();
  return (
    <header className="topbar">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">◆</span> dso-alerts
      </div>
      <nav className="tabs" aria-label="Screens">
        <Link to="/" className="tab" current={route.screen === "worklist" && route.tab === "COLLECTION"}>
          Collection
        </Link>
        <Link to="/risk" className="tab" current={route.screen === "worklist" && route.tab === "RISK"}>
          Risk
        </Link>
        <Link to="/changes" className="tab" current={route.screen === "changes"}>
          What changed
        </Link>
        <Link to="/search" className="tab" current={route.screen === "search"}>
          Advanced search
        </Link>
      </nav>
      <div className="who">
        <span className="today" title="The server's today: every relative date counts from it">Today {today}</span>
        <span className="user" aria-label={`Signed in as ${me.name}`}>
          Signed in as <strong>{me.name}</strong> <span className="role">{me.role.toLowerCase()}</span>
        </span>
        <button type="button" className="link-button" onClick={signOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
