/** The tool's name and version, as reports and user agents show them. */
import { readFileSync } from 'node:fs';

/** Replaced by the version string when `npm run build` bundles a function. */
declare const __OSS_SSE_GUARD_VERSION__: string | undefined;

function readVersion(): string {
  if (typeof __OSS_SSE_GUARD_VERSION__ === 'string') return __OSS_SSE_GUARD_VERSION__;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const TOOL = { name: 'oss-sse-guard', version: readVersion() };
