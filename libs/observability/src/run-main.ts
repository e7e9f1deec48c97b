/**
 * Runs an app's async main; any failure at boot (bad configuration, an unreachable dependency)
 * ends the process with ONE line on stderr naming the problem, and exit code 1.
 */
export function runMain(app: string, main: () => Promise<unknown>): void {
  main().catch((e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`${app}: ${msg.split('\n')[0]}\n`);
    process.exit(1);
  });
}
