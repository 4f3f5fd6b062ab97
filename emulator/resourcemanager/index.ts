/**
 * Resource Manager emulator (API version 2020-03-31): `ListAccounts`, `ListAccountsForParent` and
 * `ListFoldersForParent` as @alicloud/resourcemanager20200331 calls them (RPC style, signature V3 — see
 * ../core/acs3.ts), paged with `PageNumber` (default 1) and `PageSize` (default 10, at most 100), with each
 * account's `Status`. Response shapes follow the Resource Manager API reference and the SDK's models
 * (`Accounts.Account[]` with AccountId, DisplayName, FolderId, JoinMethod, JoinTime, ModifyTime,
 * ResourceDirectoryId, ResourceDirectoryPath, Status, Type; `Folders.Folder[]` with FolderId, FolderName,
 * CreateTime; PageNumber, PageSize, TotalCount). Only the management account may read the directory
 * (others get `EntityNotExists.ResourceDirectory`, inferred), and RAM decides per action
 * (`resourcemanager:<Action>`; `NoPermission` 403). Loopback only.
 */

import type { Accounts } from '../core/accounts.js';
import { PopError } from '../core/acs3.js';
import { Faults } from '../core/faults.js';
import { listen } from '../core/http.js';
import { type PopAction, type PopCaller, popJsonListener } from '../core/pop-json.js';
import { type RdAccount, ResourceDirectory } from './state.js';

export { type AccountStatus, type RdAccount, type RdFolder, ResourceDirectory } from './state.js';
export const RM_API_VERSION = '2020-03-31';

export interface ResourceManagerEmulatorOptions {
  accounts: Accounts;
  port?: number;
  faults?: Faults;
  now?: () => Date;
}

export interface ResourceManagerEmulator {
  url: string;
  hostPort: string;
  port: number;
  faults: Faults;
  directory: ResourceDirectory;
  close(): Promise<void>;
}

const iso = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

function page<T>(params: Record<string, string>, items: T[]): { slice: T[]; meta: Record<string, number> } {
  const num = (name: string, def: number, max: number) => {
    const raw = params[name];
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new PopError(`InvalidParameter.${name}`, 400, `The specified parameter ${name} is invalid.`);
    }
    return n;
  };
  const pageNumber = num('PageNumber', 1, Number.MAX_SAFE_INTEGER);
  const pageSize = num('PageSize', 10, 100);
  const slice = items.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return { slice, meta: { PageNumber: pageNumber, PageSize: pageSize, TotalCount: items.length } };
}

function keyword<
  T extends { displayName?: string; folderName?: string; accountId?: string; folderId?: string },
>(params: Record<string, string>, items: T[]): T[] {
  const q = params.QueryKeyword;
  if (!q) return items;
  return items.filter((i) =>
    [i.displayName, i.folderName, i.accountId, i.folderId].some((v) => v?.includes(q)),
  );
}

/** Starts the Resource Manager emulator on 127.0.0.1 (port 0 picks a free port). */
export async function startResourceManagerEmulator(
  opts: ResourceManagerEmulatorOptions,
): Promise<ResourceManagerEmulator> {
  const now = opts.now ?? (() => new Date());
  const faults = opts.faults ?? new Faults();
  const directory = new ResourceDirectory(opts.accounts.accountId, now);
  const guard = (action: string, run: (p: Record<string, string>) => Record<string, unknown>): PopAction => {
    return (params: Record<string, string>, caller: PopCaller) => {
      if (caller.accountId !== directory.managementAccountId) {
        throw new PopError(
          'EntityNotExists.ResourceDirectory',
          404,
          'The resource directory does not exist.',
        );
      }
      const resource = `acs:resourcemanager::${directory.managementAccountId}:*`;
      if (!opts.accounts.authorize(caller.accessKeyId, `resourcemanager:${action}`, resource)) {
        throw new PopError(
          'NoPermission',
          403,
          'You are not authorized to do this action. You should be authorized by RAM.',
        );
      }
      return run(params);
    };
  };
  const account = (a: RdAccount) => ({
    AccountId: a.accountId,
    DisplayName: a.displayName,
    FolderId: a.folderId,
    JoinMethod: a.joinMethod,
    JoinTime: iso(a.joinTime),
    ModifyTime: iso(a.joinTime),
    ResourceDirectoryId: directory.resourceDirectoryId,
    ResourceDirectoryPath: directory.pathOf(a),
    Status: a.status,
    Type: a.type,
  });
  const parent = (params: Record<string, string>) => {
    const id = params.ParentFolderId ?? '';
    if (!id)
      throw new PopError(
        'MissingParameter.ParentFolderId',
        400,
        'ParentFolderId is mandatory for this action.',
      );
    if (!directory.getFolder(id))
      throw new PopError('EntityNotExists.Folder', 404, 'The specified folder does not exist.');
    return id;
  };
  const actions: Record<string, PopAction> = {
    ListAccounts: guard('ListAccounts', (p) => {
      const { slice, meta } = page(p, keyword(p, directory.listAccounts()));
      return { Accounts: { Account: slice.map(account) }, ...meta };
    }),
    ListAccountsForParent: guard('ListAccountsForParent', (p) => {
      const { slice, meta } = page(p, keyword(p, directory.childAccounts(parent(p))));
      return { Accounts: { Account: slice.map(account) }, ...meta };
    }),
    ListFoldersForParent: guard('ListFoldersForParent', (p) => {
      const id = p.ParentFolderId ? parent(p) : directory.rootFolderId;
      const { slice, meta } = page(p, keyword(p, directory.childFolders(id)));
      return {
        Folders: {
          Folder: slice.map((f) => ({
            FolderId: f.folderId,
            FolderName: f.folderName,
            CreateTime: iso(f.createTime),
          })),
        },
        ...meta,
      };
    }),
  };
  const server = await listen(
    popJsonListener({
      product: 'ResourceManager',
      version: RM_API_VERSION,
      hostId: 'resourcemanager.aliyuncs.com',
      accounts: opts.accounts,
      faults,
      now,
      actions,
    }),
    opts.port ?? 0,
  );
  return {
    url: server.url,
    hostPort: `127.0.0.1:${server.port}`,
    port: server.port,
    faults,
    directory,
    close: () => server.close(),
  };
}
