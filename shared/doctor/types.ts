/** What `doctor` reports: a checklist, one line a person can act on per item. */

/** ok: ready. missing: something the policy needs is not there. unverified: no harmless call can tell. */
export type CheckStatus = 'ok' | 'missing' | 'unverified' | 'info';

export interface Check {
  /** The checklist section: credentials, endpoints, clock, a feature (audit, remediation...), keys. */
  section: string;
  status: CheckStatus;
  /** One sentence: what was checked and what was found. */
  title: string;
  /** For a missing or unverified RAM action: the ram-policy output line that grants it. */
  grant?: string;
}

export interface DoctorReport {
  checks: Check[];
  /** No check is `missing`. */
  ready: boolean;
}
