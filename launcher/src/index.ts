// `npm start`: runs the whole hub in one process on the embedded databases, with demo data.
import { startHub } from "./hub.js";

try {
  const hub = await startHub();
  console.log(`\n  Crossdock is running: ${hub.url}  (Apollo Sandbox opens there in a browser)\n`);
  const shutdown = () => void hub.stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  console.error("Crossdock failed to start:", error);
  process.exit(1);
}
