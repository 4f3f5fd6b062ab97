/** Timing a case on both sides (wall, the auditor's CPU, the emulator process's CPU) and printing rows. */
import type { EmulatorProcess } from './emulator-process.js';

export interface Measured<T> {
  value: T;
  wallMs: number;
  /** This process's user + system CPU during the case. */
  auditorCpuMs: number;
  /** The emulator process's user + system CPU during the case. */
  emulatorCpuMs: number;
}

export async function measure<T>(emu: EmulatorProcess, fn: () => Promise<T>): Promise<Measured<T>> {
  const before = await emu.stats();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  const after = await emu.stats();
  return {
    value,
    wallMs,
    auditorCpuMs: (used.user + used.system) / 1000,
    emulatorCpuMs: after.cpuUserMs + after.cpuSystemMs - before.cpuUserMs - before.cpuSystemMs,
  };
}

export interface Row {
  case: string;
  wallMs: number | null;
  boundMs?: number | null;
  /** wall / bound, or another ratio named in `note`. */
  ratio?: number | null;
  auditorCpuMs?: number | null;
  emulatorCpuMs?: number | null;
  note?: string;
}

const ms = (v: number | null | undefined) =>
  v === null || v === undefined ? 'n/a' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
const ratio = (v: number | null | undefined) => (v === null || v === undefined ? '' : `${v.toFixed(2)}x`);

/** One line per row, fixed columns. */
export function formatRows(rows: readonly Row[]): string {
  const cells = rows.map((r) => [
    r.case,
    ms(r.wallMs),
    r.boundMs === undefined ? '' : ms(r.boundMs),
    ratio(r.ratio),
    r.auditorCpuMs === undefined ? '' : ms(r.auditorCpuMs),
    r.emulatorCpuMs === undefined ? '' : ms(r.emulatorCpuMs),
    r.note ?? '',
  ]);
  const header = ['case', 'wall', 'bound', 'ratio', 'auditor CPU', 'emulator CPU', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 0 || i === c.length - 1 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
