// The signed-in user's token. A sign-in link carries it in the URL fragment
// (#token=...), which the browser never sends to a server; the app moves it to
// storage and wipes it from the address bar at once.
const KEY = "dso-alerts.token";

export function tokenFromLink(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const token = params.get("token");
  return token && token.trim() ? token.trim() : null;
}

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);
}

/** `remember`: keep the token across browser restarts (localStorage); else this tab only. */
export function storeToken(token: string, remember: boolean): void {
  clearToken();
  (remember ? localStorage : sessionStorage).setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
}
