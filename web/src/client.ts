import { Client, fetchExchange } from "urql";
import { cacheExchange, type Cache } from "@urql/exchange-graphcache";
import { persistedExchange } from "@urql/exchange-persisted";

// The API's URL: the server that served the app, unless the Vite dev server is pointed
// at another one (VITE_DSO_ALERTS_API, see the README).
export const API_URL: string =
  (import.meta.env.VITE_DSO_ALERTS_API as string | undefined) ?? "/graphql";

/** Every root list depends on the ledger and on alerts: after a change, ask again. */
function invalidateLists(cache: Cache): void {
  for (const field of cache.inspectFields("Query")) {
    if (["me", "criteria", "levels", "today"].includes(field.fieldName)) continue;
    cache.invalidate("Query", field.fieldName, field.arguments ?? undefined);
  }
}

/** SHA-256 of a query, for automatic persisted queries; null (send the text) where the
 * page is not a secure context and WebCrypto is missing (plain http on another host). */
export async function queryHash(query: string): Promise<string | null> {
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(query));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A normalised cache: every type with an identity has an `id` (Node), so an alert
 * renamed in the editor is renamed in every list at once. Types without one are
 * embedded in their parent (keys: null). A mutation that can change membership
 * (an alert's save, a reminder) invalidates the lists, which are fetched again.
 */
export function makeClient(token: string, onUnauthorized: () => void): Client {
  const embedded = () => null;
  return new Client({
    url: API_URL,
    requestPolicy: "cache-and-network",
    // application/json: every GraphQL answer comes with HTTP 200 (errors in the body), so
    // the browser logs no failed request for a query the API refuses; 401 stays 401.
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}`, accept: "application/json" } }),
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (response.status === 401) onUnauthorized();
      return response;
    },
    exchanges: [
      cacheExchange({
        keys: {
          Bell: embedded,
          BellEntry: embedded,
          PageInfo: embedded,
          CustomerConnection: embedded,
          CustomerEdge: embedded,
          ItemConnection: embedded,
          ItemEdge: embedded,
          AlertChangeConnection: embedded,
          AlertChangeEdge: embedded,
          DailyCount: embedded,
          LevelInfo: (data) => String(data.level),
          CriterionInfo: (data) => String(data.key),
          UserError: embedded,
          AlertPayload: embedded,
          DeleteAlertPayload: embedded,
          ReminderPayload: embedded,
        },
        updates: {
          Mutation: {
            createAlert: (_r, _a, cache) => invalidateLists(cache),
            updateAlert: (_r, _a, cache) => invalidateLists(cache),
            deleteAlert: (result, _a, cache) => {
              const payload = result.deleteAlert as { deletedId?: string | null } | null;
              if (payload?.deletedId) cache.invalidate({ __typename: "Alert", id: payload.deletedId });
              invalidateLists(cache);
            },
            logReminder: (_r, _a, cache) => invalidateLists(cache),
            deleteReminder: (_r, _a, cache) => invalidateLists(cache),
            markAlertSeen: (_r, _a, cache) => invalidateLists(cache),
            markAllAlertsSeen: (_r, _a, cache) => invalidateLists(cache),
          },
        },
      }),
      // Automatic persisted queries: a query is sent by its hash; the first time the server
      // answers PERSISTED_QUERY_NOT_FOUND and the exchange sends the text once with it.
      persistedExchange({ generateHash: queryHash, preferGetForPersistedQueries: false }),
      fetchExchange,
    ],
  });
}
