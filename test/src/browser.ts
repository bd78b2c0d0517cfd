// Finds the Chromium the browser suites drive (Debian's `chromium` package, or CROSSDOCK_CHROMIUM).
// Without one the suites skip, unless CROSSDOCK_REQUIRE_BROWSER=1 (CI), where that is a failure.
import { existsSync } from "node:fs";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export function chromiumPath(): string | undefined {
  const configured = process.env.CROSSDOCK_CHROMIUM;
  if (configured) return configured;
  return CANDIDATES.find((path) => existsSync(path));
}

export function browserRequired(): boolean {
  return process.env.CROSSDOCK_REQUIRE_BROWSER === "1";
}

/** Whether the browser suites run here; throws when they are required and no browser exists. */
export function browserAvailable(): boolean {
  if (chromiumPath()) return true;
  if (browserRequired()) throw new Error("CROSSDOCK_REQUIRE_BROWSER=1 but no Chromium found (install Debian's chromium or set CROSSDOCK_CHROMIUM)");
  return false;
}
