// Serves the ops console's built assets at /console from a directory the launcher (or the
// deployment) names: same origin as /graphql, so the console needs no CORS and no CDN. It serves
// files only: everything the console shows comes from the public GraphQL API with the caller's
// own token. A development hub may preset a demo operator token, as it does for Sandbox.
// A console that is not built does not stop the gateway: /console answers 503 saying so, and
// `unavailable` carries that reason for the gateway's one warning at start.
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type http from "node:http";
import { requestUrl } from "@crossdock/platform";

export interface ConsoleConfig {
  /** The built console (console/public): index.html, app.js, console.css. */
  dir: string;
  /** Development only: the token the sign-in page offers (the demo operator's). */
  presetToken?: string;
}

export interface ConsolePages {
  /** Why the console is not served (its files are missing); undefined when it is. */
  readonly unavailable?: string;
  handles(req: http.IncomingMessage): boolean;
  serve(req: http.IncomingMessage, res: http.ServerResponse): void;
}

const FILES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "console.css": "text/css; charset=utf-8",
};

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

function handlesConsolePath(req: http.IncomingMessage): boolean {
  const path = requestUrl(req)?.pathname;
  return path === "/console" || (path?.startsWith("/console/") ?? false);
}

/** Every /console request answered 503 with the one-line reason (the gateway itself still serves). */
function unavailableConsole(reason: string): ConsolePages {
  const body = `${reason}\n`;
  return {
    unavailable: reason,
    handles: handlesConsolePath,
    serve(_req, res) {
      res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...SECURITY_HEADERS }).end(body);
    },
  };
}

/** Reads the built files once; when the directory lacks one, the console answers 503 naming it. */
export function createConsolePages(config: ConsoleConfig): ConsolePages {
  const assets = new Map<string, Buffer>();
  for (const name of Object.keys(FILES)) {
    const path = join(config.dir, name);
    if (!existsSync(path)) return unavailableConsole(`the console is not built: ${path} is missing (npm run build -w console)`);
    assets.set(name, readFileSync(path));
  }
  assets.set("config.json", Buffer.from(JSON.stringify(config.presetToken ? { presetToken: config.presetToken } : {})));
  return {
    handles: handlesConsolePath,
    serve(req, res) {
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405, { allow: "GET, HEAD", ...SECURITY_HEADERS }).end();
        return;
      }
      const path = requestUrl(req)!.pathname;
      const name = path === "/console" || path === "/console/" ? "index.html" : path.slice("/console/".length);
      const body = assets.get(name);
      if (!body) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8", ...SECURITY_HEADERS }).end("Not found");
        return;
      }
      res.writeHead(200, {
        "content-type": name === "config.json" ? "application/json; charset=utf-8" : FILES[name]!,
        "content-length": body.length,
        // The app is small and rebuilt with the hub: always revalidate rather than serve a stale one.
        "cache-control": name === "config.json" ? "no-store" : "no-cache",
        ...SECURITY_HEADERS,
      });
      res.end(req.method === "HEAD" ? undefined : body);
    },
  };
}
