// Sign-in: the console holds a bearer token for this browser tab only (sessionStorage). In
// development the hub offers its demo operator token (from /console/config.json) as a preset.
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { request } from "./graphql.js";

interface ConsoleConfig {
  presetToken?: string;
}

export function SignIn({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch("/console/config.json")
      .then((r) => (r.ok ? (r.json() as Promise<ConsoleConfig>) : {}))
      .then((config: ConsoleConfig) => config.presetToken && setToken(config.presetToken))
      .catch(() => undefined);
  }, []);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    sessionStorage.setItem("crossdock.console.token", token.trim());
    try {
      // The console is for operators: a bad token, or one without ops:admin, is refused here.
      await request(`query ConsoleSignIn { syncStatus { sources { source } } }`);
      onSignedIn(token.trim());
    } catch (failure) {
      sessionStorage.removeItem("crossdock.console.token");
      setError(failure instanceof Error ? failure.message : "sign-in failed");
    }
  };
  return html`
    <form class="signin" onSubmit=${submit}>
      <h2>Sign in to the Crossdock console</h2>
      <p>Paste a bearer token (an operator's holds <code>ops:admin</code> and <code>audit:read</code>).</p>
      ${error && html`<div class="error" role="alert">${error}</div>`}
      <textarea name="token" value=${token} onInput=${(e: Event) => setToken((e.target as HTMLTextAreaElement).value)}></textarea>
      <p><button class="primary" type="submit">Sign in</button></p>
    </form>
  `;
}
