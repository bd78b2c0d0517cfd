// A real service process (runService) survives an unhandled rejection and an uncaught
// exception: each is logged and counted in crossdock_process_faults_total, and the process
// goes on answering requests.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const FIXTURE = fileURLToPath(new URL("./fixtures/faultyService.ts", import.meta.url));

describe("process guards", () => {
  let child: ChildProcess;
  let url: string;
  let output = "";

  beforeAll(async () => {
    child = spawn(process.execPath, ["--import", "tsx", FIXTURE], { env: { ...process.env, LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    url = await new Promise<string>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`the service exited (${code}) before it was ready:\n${output}`)));
      const check = () => {
        const ready = /"url":"(http:[^"]+)".*faulty ready/.exec(output);
        if (ready) resolve(ready[1]!);
        else setTimeout(check, 50);
      };
      check();
    });
  }, 120_000);
  afterAll(() => {
    child?.kill("SIGTERM");
  });

  const faults = async (kind: string) => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return Number(new RegExp(`crossdock_process_faults_total\\{[^}]*kind="${kind}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0);
  };
  const eventually = async (condition: () => Promise<boolean>) => {
    const deadline = Date.now() + 30_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`condition not met; service output:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it("logs and counts an unhandled rejection, and stays up", async () => {
    expect(await (await fetch(`${url}/reject`)).text()).toBe("ok");
    await eventually(async () => (await faults("unhandledRejection")) === 1);
    expect(output).toContain("nobody handles this rejection");
    expect(output).toContain("unhandled promise rejection");
    expect(await (await fetch(`${url}/`)).text()).toBe("ok");
    expect(child.exitCode).toBeNull();
  });

  it("logs and counts an uncaught exception, and stays up", async () => {
    await fetch(`${url}/throw`);
    await eventually(async () => (await faults("uncaughtException")) === 1);
    expect(output).toContain("nobody catches this exception");
    expect(await (await fetch(`${url}/`)).text()).toBe("ok");
    expect(child.exitCode).toBeNull();
  });
});
