/**
 * A Resource Directory: the management account, a tree of folders under the root folder, and member
 * accounts with their status. Tests and seeds build it directly; the HTTP actions read it.
 *
 * Account statuses: those the Resource Manager API and the alicloud Terraform data source
 * `alicloud_resource_manager_accounts` list (CreateSuccess, InviteSuccess, PromoteSuccess, CreateVerifying,
 * CreateFailed, CreateExpired, CreateCancelled, PromoteVerifying, PromoteFailed, PromoteExpired,
 * PromoteCancelled). Only the three `...Success` states are usable member accounts.
 */
export type AccountStatus =
  | 'CreateSuccess'
  | 'InviteSuccess'
  | 'PromoteSuccess'
  | 'CreateVerifying'
  | 'CreateFailed'
  | 'CreateExpired'
  | 'CreateCancelled'
  | 'PromoteVerifying'
  | 'PromoteFailed'
  | 'PromoteExpired'
  | 'PromoteCancelled';

export interface RdFolder {
  folderId: string;
  folderName: string;
  parentFolderId: string;
  createTime: Date;
}

export interface RdAccount {
  accountId: string;
  displayName: string;
  folderId: string;
  status: AccountStatus;
  type: 'CloudAccount' | 'ResourceAccount';
  joinMethod: 'created' | 'invited';
  joinTime: Date;
}

export class ResourceDirectory {
  readonly resourceDirectoryId: string;
  readonly rootFolderId: string;
  readonly managementAccountId: string;
  private readonly folders = new Map<string, RdFolder>();
  private readonly accounts = new Map<string, RdAccount>();
  private seq = 0;

  constructor(managementAccountId: string, now: () => Date = () => new Date()) {
    this.managementAccountId = managementAccountId;
    this.resourceDirectoryId = 'rd-3G6k7dEm9q';
    this.rootFolderId = 'r-Wm8kQ2';
    this.now = now;
    this.folders.set(this.rootFolderId, {
      folderId: this.rootFolderId,
      folderName: 'Root',
      parentFolderId: '',
      createTime: now(),
    });
    this.addAccount({
      accountId: managementAccountId,
      displayName: 'management',
      folderId: this.rootFolderId,
    });
  }

  private readonly now: () => Date;

  addFolder(folderName: string, parentFolderId = this.rootFolderId, folderId?: string): RdFolder {
    if (!this.folders.has(parentFolderId)) throw new Error(`folder ${parentFolderId} does not exist`);
    this.seq += 1;
    const f: RdFolder = {
      folderId: folderId ?? `fd-${String(this.seq).padStart(10, '0')}`,
      folderName,
      parentFolderId,
      createTime: this.now(),
    };
    this.folders.set(f.folderId, f);
    return f;
  }

  addAccount(input: Partial<RdAccount> & { accountId: string; displayName: string }): RdAccount {
    const folderId = input.folderId ?? this.rootFolderId;
    if (!this.folders.has(folderId)) throw new Error(`folder ${folderId} does not exist`);
    const a: RdAccount = {
      folderId,
      status: 'CreateSuccess',
      type: 'ResourceAccount',
      joinMethod: 'created',
      joinTime: this.now(),
      ...input,
    };
    this.accounts.set(a.accountId, a);
    return a;
  }

  getFolder(id: string): RdFolder | undefined {
    return this.folders.get(id);
  }

  listAccounts(): RdAccount[] {
    return [...this.accounts.values()];
  }

  childAccounts(folderId: string): RdAccount[] {
    return this.listAccounts().filter((a) => a.folderId === folderId);
  }

  childFolders(folderId: string): RdFolder[] {
    return [...this.folders.values()].filter((f) => f.parentFolderId === folderId);
  }

  /** `rd-xx/r-xx/fd-xx/<accountId>`, the ResourceDirectoryPath of an account. */
  pathOf(a: RdAccount): string {
    const chain: string[] = [];
    let f = this.folders.get(a.folderId);
    while (f) {
      chain.unshift(f.folderId);
      f = f.parentFolderId ? this.folders.get(f.parentFolderId) : undefined;
    }
    return [this.resourceDirectoryId, ...chain, a.accountId].join('/');
  }
}
