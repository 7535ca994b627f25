import { useState } from "react";

/** Sign-in by pasting a token (a sign-in link does it without this screen). */
export function SignIn({ problem, onToken }: { problem: string | null; onToken: (token: string, remember: boolean) => void }) {
  const [token, setToken] = useState("");
  const [remember, setRemember] = useState(false);
  return (
    <main className="signin">
      <form
        className="signin-card"
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) onToken(token.trim(), remember);
        }}
      >
        <div className="brand big">
          <span className="brand-mark" aria-hidden="true">◆</span> dso-alerts
        </div>
        <h1>Sign in</h1>
        <p className="muted">
          Open the sign-in link you were given, or paste your token. An administrator prints one with{" "}
          <code>dso-alerts users add NAME --role USER</code>.
        </p>
        {problem && (
          <div className="error-note" role="alert">
            {problem}
          </div>
        )}
        <label className="field">
          <span>Token</span>
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            autoFocus
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
          Keep me signed in on this computer
        </label>
        <button type="submit" className="primary" disabled={!token.trim()}>
          Sign in
        </button>
      </form>
    </main>
  );
}
