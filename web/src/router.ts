import { useEffect, useState } from "react";

// A few lines of history routing: the app has five screens, all deep-linkable
// (the server answers index.html for these paths; see graphql_api/web_app.py).
export type Route =
  | { screen: "worklist"; tab: "COLLECTION" | "RISK" }
  | { screen: "alert"; id: string }
  | { screen: "customer"; id: string }
  | { screen: "changes" }
  | { screen: "search" };

export function parseRoute(path: string): Route {
  const [, first, second] = path.split("/").map(decodeURIComponent);
  if (first === "alerts" && second) return { screen: "alert", id: second };
  if (first === "customers" && second) return { screen: "customer", id: second };
  if (first === "changes") return { screen: "changes" };
  if (first === "search") return { screen: "search" };
  if (first === "risk") return { screen: "worklist", tab: "RISK" };
  return { screen: "worklist", tab: "COLLECTION" };
}

export function pathOf(route: Route): string {
  switch (route.screen) {
    case "alert":
      return `/alerts/${encodeURIComponent(route.id)}`;
    case "customer":
      return `/customers/${encodeURIComponent(route.id)}`;
    case "changes":
      return "/changes";
    case "search":
      return "/search";
    case "worklist":
      return route.tab === "RISK" ? "/risk" : "/";
  }
}

export function navigate(path: string): void {
  if (path === window.location.pathname) return;
  window.history.pushState(null, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
  window.scrollTo(0, 0);
}

export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const changed = () => setPath(window.location.pathname);
    window.addEventListener("popstate", changed);
    return () => window.removeEventListener("popstate", changed);
  }, []);
  return path;
}
