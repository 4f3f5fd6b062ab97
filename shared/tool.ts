/** The tool's name and version, as reports and user agents show them. */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    // Bundled into a Function Compute handler, package.json is not beside the code.
    return process.env.OSS_SSE_GUARD_VERSION ?? '0.0.0';
  }
}

export const TOOL = { name: 'oss-sse-guard', version: readVersion() };
