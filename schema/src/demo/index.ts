export { generateDemoWorld, DEMO_ANCHOR } from "./generateDemoWorld.js";
export { SeededRandom } from "./random.js";
export type * from "./types.js";
