/** The tool's name and version, as reports and user agents show them, and files shipped with the package. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Replaced by the version string when `npm run build` bundles a function. */
declare const __OSS_SSE_GUARD_VERSION__: string | undefined;

/**
 * The path of a file at the package root (`package.json`, `examples/policy.yaml`), from the sources
 * (`shared/tool.ts`, one level down) or from the compiled package (`lib/shared/tool.js`, two levels down).
 * Not for the function bundles: they have no package root.
 */
export function packageFile(relative: string): string {
  const fromSources = fileURLToPath(new URL(`../${relative}`, import.meta.url));
  if (existsSync(fromSources)) return fromSources;
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

function readVersion(): string {
  if (typeof __OSS_SSE_GUARD_VERSION__ === 'string') return __OSS_SSE_GUARD_VERSION__;
  try {
    const pkg = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const TOOL = { name: 'oss-sse-guard', version: readVersion() };
