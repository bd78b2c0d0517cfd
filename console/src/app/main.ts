// The ops console: a sign-in gate, a nav and one page per job (overview, live inventory, order
// lookup, dead letters, flow runs, audit log). Routes are URL hashes so the hub serves one page.
import { html, render } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { storedToken, storeToken } from "./graphql.js";
import { Overview } from "./pages/overview.js";
import { LiveInventory } from "./pages/liveInventory.js";
import { OrderLookup } from "./pages/orderLookup.js";
import { DeadLetters } from "./pages/deadLetters.js";
import { FlowRuns } from "./pages/flowRuns.js";
import { AuditLog } from "./pages/auditLog.js";
import { SignIn } from "./signIn.js";

const PAGES = [
  { route: "overview", title: "Overview", page: Overview },
  { route: "inventory", title: "Live inventory", page: LiveInventory },
  { route: "orders", title: "Orders", page: OrderLookup },
  { route: "dead-letters", title: "Dead letters", page: DeadLetters },
  { route: "flows", title: "Flow runs", page: FlowRuns },
  { route: "audit", title: "Audit log", page: AuditLog },
] as const;

function currentRoute(): string {
  return location.hash.replace(/^#\/?/, "").split("?")[0] || "overview";
}

function Console() {
  const [route, setRoute] = useState(currentRoute());
  const [token, setToken] = useState(storedToken());
  useEffect(() => {
    const onHash = () => setRoute(currentRoute());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);
  if (!token) return html`<${SignIn} onSignedIn=${(value: string) => (storeToken(value), setToken(value))} />`;
  const active = PAGES.find((p) => p.route === route) ?? PAGES[0];
  const signOut = () => (storeToken(null), setToken(null));
  return html`
    <header>
      <strong>Crossdock</strong>
      <nav>${PAGES.map((p) => html`<a href=${`#/${p.route}`} class=${p === active ? "active" : ""} data-page=${p.route}>${p.title}</a>`)}</nav>
      <button onClick=${signOut}>Sign out</button>
    </header>
    <main><${active.page} /></main>
  `;
}

render(html`<${Console} />`, document.getElementById("console")!);
