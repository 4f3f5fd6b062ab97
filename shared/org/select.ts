/**
 * Which member accounts an organization run covers (pure): active accounts only (CreateSuccess,
 * InviteSuccess, PromoteSuccess), then the policy's `organization.accounts` and `.folders` include/exclude
 * lists, each entry an id or a display name, globs allowed. A folder selects every account below it.
 */
import type { DirectoryAccount } from '../cloud/resource-manager.js';
import { globMatch } from '../policy/glob.js';
import type { OrganizationPolicy } from '../policy/schema.js';

export const ACTIVE_STATUSES: ReadonlySet<string> = new Set([
  'CreateSuccess',
  'InviteSuccess',
  'PromoteSuccess',
]);

export interface Member {
  accountId: string;
  accountName: string;
}

export interface Selection {
  members: Member[];
  /** Listed but not audited, with why (inactive, excluded). */
  skipped: { accountId: string; accountName: string; reason: string }[];
}

function selected(
  sel: { include?: string[]; exclude: string[] } | undefined,
  names: string[],
): 'in' | 'out' | 'no-include' {
  if (!sel) return 'in';
  if (names.some((n) => globMatch(sel.exclude, n))) return 'out';
  if (!sel.include) return 'in';
  return names.some((n) => globMatch(sel.include ?? [], n)) ? 'in' : 'no-include';
}

/**
 * Picks the members to audit. `folderNames` maps folder id -> display name (only needed when the policy
 * selects folders by name).
 */
export function selectMembers(
  accounts: readonly DirectoryAccount[],
  org: Pick<OrganizationPolicy, 'accounts' | 'folders'>,
  folderNames: ReadonlyMap<string, string> = new Map(),
): Selection {
  const out: Selection = { members: [], skipped: [] };
  for (const a of [...accounts].sort((x, y) => (x.accountId < y.accountId ? -1 : 1))) {
    const m = { accountId: a.accountId, accountName: a.displayName };
    if (!ACTIVE_STATUSES.has(a.status)) {
      out.skipped.push({ ...m, reason: `account status ${a.status} is not active` });
      continue;
    }
    const byAccount = selected(org.accounts, [a.accountId, a.displayName]);
    const folderIds = a.path.split('/').slice(1, -1);
    const folderKeys = folderIds.flatMap((id) => [id, folderNames.get(id) ?? id]);
    const byFolder = selected(org.folders, folderKeys.length > 0 ? folderKeys : [a.folderId]);
    if (byAccount === 'out' || byFolder === 'out') {
      out.skipped.push({ ...m, reason: 'excluded by organization.accounts/folders' });
    } else if (byAccount === 'no-include' || byFolder === 'no-include') {
      out.skipped.push({ ...m, reason: 'not included by organization.accounts/folders' });
    } else out.members.push(m);
  }
  return out;
}
