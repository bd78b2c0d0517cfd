// `npm run build -w console`: bundles the console into console/public (the launcher also builds it on demand).
import { buildConsole } from "./build.js";

await buildConsole();
console.log("console built: console/public");
