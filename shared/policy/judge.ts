/**
 * The one judgement of a change before it is made, for buckets (shared/policy/evaluate.ts) and objects
 * (shared/objects/encrypt.ts) alike: what configuration remediation would apply, and the two gates that
 * refuse it. "Never weaker": under `at-least`, a change that lowers the level is refused (under `exact`
 * the requirement is the point, so it is not). "Nothing meets the requirement": a target that would
 * itself fail the requirement is refused rather than applied. Pure: no clock, no network; key facts and
 * key resolution are arguments. Each caller words a refusal for its own subject.
 */
import type { SseConfig } from '../model.js';
import type { KeyView } from './keys.js';
import { isWeaker, type KeyResolver, remediationTarget, unmetReason } from './levels.js';
import type { Requirement } from './schema.js';

/** Why a change is refused: it would lower the level, or no configuration meets the requirement. */
export type Refusal = 'weaker' | 'unmeetable';

export interface RemediationPlan {
  /** The configuration remediation would apply over `current`. */
  target: SseConfig;
  /** Present when a gate refuses the target. */
  refused?: Refusal;
}

/** The gates, in order, for applying `target` over `current`; `undefined` when the change may be made. */
export function refusalOf(
  req: Requirement,
  match: 'at-least' | 'exact',
  current: SseConfig | null,
  target: SseConfig,
  resolveKey?: KeyResolver,
  keys?: KeyView,
): Refusal | undefined {
  if (match !== 'exact' && isWeaker(target, current)) return 'weaker';
  if (unmetReason(req, match, target, resolveKey, keys) !== undefined) return 'unmeetable';
  return undefined;
}

/** The target for `current` under the requirement, and the gate that refuses it, if any. */
export function planRemediation(
  req: Requirement,
  match: 'at-least' | 'exact',
  current: SseConfig | null,
  resolveKey?: KeyResolver,
  keys?: KeyView,
): RemediationPlan {
  const target = remediationTarget(req, match, current);
  const refused = refusalOf(req, match, current, target, resolveKey, keys);
  return refused ? { target, refused } : { target };
}
