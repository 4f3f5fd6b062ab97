/**
 * `oss-sse-guard emulator [--port N] [--seed demo|empty]`: runs the emulators until killed. The first
 * stdout line is one JSON object with the endpoints and the access key, for scripts to read.
 */
export async function emulatorCommand(opts: { port?: string; seed?: string }): Promise<number> {
  const port = Number(opts.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65533) {
    process.stderr.write(`error: --port: "${opts.port}" must be a whole number from 0 to 65533\n`);
    return 2;
  }
  if (opts.seed !== 'demo' && opts.seed !== 'empty') {
    process.stderr.write(`error: --seed: "${opts.seed}" must be demo or empty\n`);
    return 2;
  }
  // Loaded only here, so nothing else that imports the CLI pulls the emulator in (docs/architecture.md).
  const { startEmulators } = await import('../emulator/index.js');
  const emu = await startEmulators({ port, seed: opts.seed });
  process.stdout.write(
    `${JSON.stringify({
      oss: emu.oss.url,
      kms: emu.kms.url,
      fc: emu.fc.url,
      accessKeyId: emu.credentials.accessKeyId,
      accessKeySecret: emu.credentials.accessKeySecret,
      accountId: emu.accountId,
    })}\n`,
  );
  process.stderr.write(
    `emulators running (seed: ${opts.seed}); point the product at them with:\n${Object.entries(emu.env)
      .map(([k, v]) => `  export ${k}=${v}`)
      .join('\n')}\nCtrl-C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await emu.close();
  return 0;
}
